"""core/v1 ResourceQuota and LimitRange as the API server defaults and validates them
(core ValidateResourceQuota, ValidateResourceQuotaUpdate, ValidateLimitRange).

Rules: RP279 invalid-resource-quota, RP280 invalid-limit-range; a change of a quota's scopes
is RP205 (immutable-field); metadata through ``metadata`` (RP201-RP205).  The status is not
checked: the server clears it when it creates an object.  Quantities in messages are shown
as written, where the server prints them in canonical form (``1000m`` for it may be ``1``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath, MapKey
from rolloutplan.validate.apiserver import metadata, primitives
from rolloutplan.validate.apiserver.access import dicts, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    NEGATIVE,
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    required,
)
from rolloutplan.validate.apiserver.resources import (
    INTEGER_RESOURCES,
    STANDARD_RESOURCES,
    container_resource_name_problems,
    milli_value,
)
from rolloutplan.validate.apiserver.syntax import quantity, quantity_error

QUOTA = "RP279"
LIMIT_RANGE = "RP280"
HUGEPAGES_PREFIXES = ("hugepages-", "requests.hugepages-")
QUOTA_RESOURCES = {
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
    "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers",
}  # fmt: skip
POD_COMPUTE = {"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}
PVC_RESOURCES = {"persistentvolumeclaims", "requests.storage"}
# scope -> the standard resources it may limit (None: any)
SCOPES: dict[str, frozenset[str] | None] = {
    "Terminating": frozenset({"pods", *POD_COMPUTE}),
    "NotTerminating": frozenset({"pods", *POD_COMPUTE}),
    "BestEffort": frozenset({"pods"}),
    "NotBestEffort": frozenset({"pods", *POD_COMPUTE}),
    "PriorityClass": frozenset({"pods", *POD_COMPUTE}),
    "CrossNamespacePodAffinity": frozenset({"pods", *POD_COMPUTE}),
    "VolumeAttributesClass": frozenset(PVC_RESOURCES),
}
CONFLICTING_SCOPES = (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating"))
EXISTS_ONLY_SCOPES = ("BestEffort", "NotBestEffort", "Terminating", "NotTerminating")
LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
OVERCOMMIT_FORBIDDEN_PREFIX = "hugepages-"


# ResourceQuota -----------------------------------------------------------------------------


def validate_quota(data: dict[str, Any]) -> list[Violation]:
    """What creating this ResourceQuota would be refused for."""
    violations = metadata.validate_object_meta(data, primitives.dns1123_subdomain)
    return violations + _quota_spec(mapping(data, "spec"))


def validate_quota_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    """An update: the create checks, immutable metadata, and scopes that may not change."""
    violations = metadata.validate_object_meta_update(old, new) + validate_quota(new)
    before, after = listing(mapping(old, "spec"), "scopes"), listing(mapping(new, "spec"), "scopes")
    if set(map(str, before)) != set(map(str, after)):
        violations.append(metadata.immutable(("spec", "scopes"), before, after))
    return violations


def _quota_spec(spec: dict[str, Any]) -> list[Violation]:
    violations = []
    for name, raw in mapping(spec, "hard").items():
        where = ("spec", "hard", MapKey(name))
        violations += invalid_each(QUOTA, where, name, quota_resource_name_problems(name))
        violations += _quantity_value(name, raw, where, QUOTA)
    hard = sorted(mapping(spec, "hard"))
    return violations + _scopes(spec, hard) + _scope_selector(spec, hard)


def quota_resource_name_problems(name: str) -> list[str]:
    """ValidateResourceQuotaResourceName."""
    problems = resource_name_problems(name)
    if "/" not in name and name not in QUOTA_RESOURCES and not name.startswith(HUGEPAGES_PREFIXES):
        problems.append("must be a standard resource for quota")
    return problems


def resource_name_problems(name: str) -> list[str]:
    """validateResourceName: a qualified name, and a standard one unless it has a prefix."""
    problems = primitives.qualified_name(name)
    if problems:
        return problems
    if (
        "/" not in name
        and name not in STANDARD_RESOURCES
        and not name.startswith(HUGEPAGES_PREFIXES)
    ):
        return ["must be a standard resource type or fully qualified"]
    return []


def _quantity_value(name: str, raw: Any, where: FieldPath, rule: str) -> list[Violation]:
    """ValidateResourceQuantityValue: not negative, and whole for counted resources."""
    value = milli_value(raw)
    if value is None:
        return [invalid(rule, where, raw, quantity_error(raw))]
    violations = []
    if value < 0:
        violations.append(invalid(rule, where, raw, NEGATIVE))
    if _counted(name) and value.denominator != 1:
        violations.append(invalid(rule, where, raw, "must be an integer"))
    return violations


def _counted(name: str) -> bool:
    """IsIntegerResourceName: object counts and extended resources."""
    if name in INTEGER_RESOURCES:
        return True
    native = "/" not in name or "kubernetes.io/" in name
    return (
        not native
        and not name.startswith("requests.")
        and not primitives.qualified_name("requests." + name)
    )


def _scopes(spec: dict[str, Any], hard: list[str]) -> list[Violation]:
    scopes = [s if isinstance(s, str) else "" for s in listing(spec, "scopes")]
    if not scopes:
        return []
    path = ("spec", "scopes")
    violations = []
    for scope in scopes:
        if scope not in SCOPES:
            violations.append(invalid(QUOTA, path, scopes, "unsupported scope"))
        for name in hard:
            if _scope_rejects(scope, name):
                violations.append(
                    invalid(QUOTA, path, scopes, "unsupported scope applied to resource")
                )
    for pair in CONFLICTING_SCOPES:
        if set(pair) <= set(scopes):
            violations.append(invalid(QUOTA, path, scopes, "conflicting scopes"))
    return violations


def _scope_rejects(scope: str, name: str) -> bool:
    """A standard quota resource that the scope cannot limit."""
    allowed = SCOPES.get(scope)
    standard = name in QUOTA_RESOURCES or name.startswith(HUGEPAGES_PREFIXES)
    return standard and allowed is not None and name not in allowed


def _scope_selector(spec: dict[str, Any], hard: list[str]) -> list[Violation]:
    selector = spec.get("scopeSelector")
    if not isinstance(selector, dict):
        return []
    path = ("spec", "scopeSelector", "matchExpressions")
    violations = []
    seen = set()
    for _, requirement in dicts(selector, "matchExpressions"):
        scope, operator = text(requirement, "scopeName"), text(requirement, "operator")
        values = listing(requirement, "values")
        if scope not in SCOPES:
            violations.append(invalid(QUOTA, (*path, "scopeName"), scope, "unsupported scope"))
        for name in hard:
            if _scope_rejects(scope, name):
                detail = "unsupported scope applied to resource"
                violations.append(invalid(QUOTA, path, selector, detail))
        if scope in EXISTS_ONLY_SCOPES and operator != "Exists":
            detail = (
                "must be 'Exist' only operator when scope is any of ResourceQuotaScopeTerminating, "
                "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and "
                "ResourceQuotaScopeNotBestEffort"
            )
            violations.append(invalid(QUOTA, (*path, "operator"), operator, detail))
        violations += _scope_operator(operator, values, path)
        seen.add(scope)
    scopes = listing(spec, "scopes")
    for pair in CONFLICTING_SCOPES:
        if set(pair) <= seen:
            violations.append(invalid(QUOTA, path, scopes, "conflicting scopes"))
    return violations


def _scope_operator(operator: str, values: list[Any], path: FieldPath) -> list[Violation]:
    if operator in ("In", "NotIn"):
        if not values:
            detail = (
                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"
            )
            return [required(QUOTA, (*path, "values"), detail)]
        return []
    if operator in ("Exists", "DoesNotExist"):
        if values:
            detail = (
                "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"
            )
            return [invalid(QUOTA, (*path, "values"), values, detail)]
        return []
    return [invalid(QUOTA, (*path, "operator"), operator, "not a valid selector operator")]


# LimitRange --------------------------------------------------------------------------------


def validate_limit_range(data: dict[str, Any]) -> list[Violation]:
    """What creating this LimitRange would be refused for (after v1 defaulting, which fills a
    Container limit's default from max and its defaultRequest from default, then min)."""
    violations = metadata.validate_object_meta(data, primitives.dns1123_subdomain)
    seen: set[str] = set()
    for i, item in dicts(mapping(data, "spec"), "limits"):
        path = ("spec", "limits", i)
        kind = text(item, "type")
        violations += invalid_each(LIMIT_RANGE, (*path, "type"), kind, _limit_type_problems(kind))
        if kind in seen:
            violations.append(duplicate(LIMIT_RANGE, (*path, "type"), kind))
        seen.add(kind)
        violations += _limit(with_defaults(item), kind, path)
    return violations


def validate_limit_range_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    return metadata.validate_object_meta_update(old, new) + validate_limit_range(new)


def with_defaults(item: dict[str, Any]) -> dict[str, Any]:
    """SetDefaults_LimitRangeItem: only a Container limit gets defaults."""
    if text(item, "type") != "Container":
        return item
    default = dict(mapping(item, "default"))
    request = dict(mapping(item, "defaultRequest"))
    for name, value in mapping(item, "max").items():
        default.setdefault(name, value)
    for source in (default, mapping(item, "min")):
        for name, value in source.items():
            request.setdefault(name, value)
    return {**item, "default": default, "defaultRequest": request}


def _limit_type_problems(kind: str) -> list[str]:
    problems = primitives.qualified_name(kind)
    if not problems and "/" not in kind and kind not in LIMIT_TYPES:
        problems.append("must be a standard limit type or fully qualified")
    return problems


LIMIT_FIELDS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")


def _limit(item: dict[str, Any], kind: str, path: FieldPath) -> list[Violation]:
    violations = []
    values: dict[str, dict[str, tuple[Any, Fraction]]] = {}
    for field in LIMIT_FIELDS:
        given = mapping(item, field)
        if kind == "Pod" and field in ("default", "defaultRequest"):
            if given:
                detail = "may not be specified when `type` is 'Pod'"
                violations.append(forbidden(LIMIT_RANGE, (*path, field), detail))
            continue
        values[field] = {}
        for name, raw in given.items():
            where = (*path, field, MapKey(name))
            violations += invalid_each(
                LIMIT_RANGE, where, name, _limit_resource_problems(kind, name)
            )
            value = quantity(raw)
            if value is None:
                violations.append(invalid(LIMIT_RANGE, where, raw, quantity_error(raw)))
            else:
                values[field][name] = (raw, value)
    if kind == "PersistentVolumeClaim" and not (
        "storage" in mapping(item, "min") or "storage" in mapping(item, "max")
    ):
        detail = "either minimum or maximum storage value is required, but neither was provided"
        violations.append(required(LIMIT_RANGE, (*path, "limits"), detail))
    names = sorted({name for found in values.values() for name in found})
    for name in names:
        violations += _bounds(
            name, {f: found[name] for f, found in values.items() if name in found}, path
        )
    return violations


def _limit_resource_problems(kind: str, name: str) -> list[str]:
    if kind in ("Pod", "Container"):
        return container_resource_name_problems(name)
    return resource_name_problems(name)


def _bounds(name: str, found: dict[str, tuple[Any, Fraction]], path: FieldPath) -> list[Violation]:
    """min <= defaultRequest <= default <= max, and the ratio's bounds, for one resource."""
    low, high = found.get("min"), found.get("max")
    default, request = found.get("default"), found.get("defaultRequest")
    ratio = found.get("maxLimitRequestRatio")
    key = MapKey(name)
    request_text = "default request value {a} is greater than"
    checks = (
        (low, high, "min", low, "min value {a} is greater than max value {b}"),
        (low, request, "defaultRequest", request,
         "min value {a} is greater than default request value {b}"),
        (request, high, "defaultRequest", request, request_text + " max value {b}"),
        (request, default, "defaultRequest", request, request_text + " default limit value {b}"),
        (low, default, "default", low, "min value {a} is greater than default value {b}"),
        (default, high, "default", high, "default value {a} is greater than max value {b}"),
    )  # fmt: skip
    violations = []
    for smaller, larger, field, shown, template in checks:
        if smaller is not None and larger is not None and smaller[1] > larger[1]:
            detail = template.format(a=smaller[0], b=larger[0])
            violations.append(invalid(LIMIT_RANGE, (*path, field, key), shown[0], detail))
    if ratio is not None:
        violations += _ratio(ratio, low, high, (*path, "maxLimitRequestRatio", key))
    if (
        (
            name.startswith(OVERCOMMIT_FORBIDDEN_PREFIX)
            or ("/" in name and "kubernetes.io/" not in name)
        )
        and default is not None
        and request is not None
        and default[1] != request[1]
    ):
        detail = (
            f"default value {default[0]} must equal to defaultRequest value {request[0]} in {name}"
        )
        violations.append(invalid(LIMIT_RANGE, (*path, "defaultRequest", key), request[0], detail))
    return violations


def _ratio(
    ratio: tuple[Any, Fraction],
    low: tuple[Any, Fraction] | None,
    high: tuple[Any, Fraction] | None,
    where: FieldPath,
) -> list[Violation]:
    raw, value = ratio
    violations = []
    if value < 1:
        violations.append(invalid(LIMIT_RANGE, where, raw, f"ratio {raw} is less than 1"))
    if low is None or high is None:
        return violations
    allowed = _divide(_float(_milli(high[1])), _float(_milli(low[1])))
    if _float(Fraction(_milli(value), 1000)) > allowed:
        detail = f"ratio {raw} is greater than max/min = {allowed:f}"
        violations.append(invalid(LIMIT_RANGE, where, raw, detail))
    return violations


def _milli(value: Fraction) -> int:
    """Quantity.MilliValue: milli-units, rounded up."""
    return math.ceil(value * 1000)


def _float(value: int | Fraction) -> float:
    """``value`` as a float; beyond the float range, infinite (a quantity may be 1e400)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _divide(top: float, bottom: float) -> float:
    """Go's float division: x/0 is +Inf (NaN for 0/0, which compares false)."""
    if bottom:
        return top / bottom
    return math.inf if top > 0 else math.nan
