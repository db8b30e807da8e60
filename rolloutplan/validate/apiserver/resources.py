"""Container resource requirements and resize policies (validateResourceRequirements)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.memo import remembered
from rolloutplan.model.source import FieldPath, MapKey
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver.access import dicts, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    NEGATIVE,
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_found,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import quantity, quantity_error

RULE = "RP226"
HUGEPAGES = "hugepages-"
CONTAINER_RESOURCES = {"cpu", "memory", "ephemeral-storage"}
STANDARD_RESOURCES = CONTAINER_RESOURCES | {
    "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu",
    "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage",
    "requests.storage", "services.nodeports", "services.loadbalancers",
}  # fmt: skip
INTEGER_RESOURCES = {
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
}  # fmt: skip
RESIZE_RESOURCES = ("cpu", "memory")
RESIZE_POLICIES = ("NotRequired", "RestartContainer")


def _native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _extended(name: str) -> bool:
    if _native(name) or name.startswith("requests."):
        return False
    return not primitives.qualified_name("requests." + name)


def _overcommit_allowed(name: str) -> bool:
    return _native(name) and not name.startswith(HUGEPAGES)


@primitives.remember_valid
def _name_problems(name: str) -> list[str]:
    """validateContainerResourceName (the standard-name check only runs on a qualified name)."""
    problems = primitives.qualified_name(name)
    if "/" not in name:
        standard = name in STANDARD_RESOURCES or name.startswith(
            ("hugepages-", "requests.hugepages-")
        )
        if not problems and not standard:
            problems.append("must be a standard resource type or fully qualified")
        if name not in CONTAINER_RESOURCES and not name.startswith(HUGEPAGES):
            problems.append("must be a standard resource for containers")
    elif not _native(name) and not _extended(name):
        problems.append("doesn't follow extended resource name standard")
    return problems


def container_resource_name_problems(name: str) -> list[str]:
    """validateContainerResourceName's problems with ``name`` (a copy the caller may extend)."""
    return list(_name_problems(name))


def _quantities(
    values: dict[str, Any], path: FieldPath
) -> tuple[dict[str, Fraction], list[Violation]]:
    """Each resource's quantity, rounded up to milli-units as defaulting does; names and
    values checked (ValidateResourceQuantityValue)."""
    parsed: dict[str, Fraction] = {}
    violations = []
    for name, raw in values.items():
        if name.__class__ is str:
            value = _valid_quantity(name, raw)
            if value is not None:
                parsed[name] = value
                continue
        value, found = _quantity(name, raw, (*path, MapKey(name)))
        if value is not None:
            parsed[name] = value
        violations += found
    return parsed, violations


def _quantity(name: str, raw: Any, where: FieldPath) -> tuple[Fraction | None, list[Violation]]:
    """One resource's quantity (None if it is not one) and the problems of the entry."""
    violations = invalid_each(RULE, where, name, _name_problems(name))
    value = _milli(raw)
    if value is None:
        violations.append(invalid(RULE, where, raw, quantity_error(raw)))
        return None, violations
    if value < 0:
        violations.append(invalid(RULE, where, raw, NEGATIVE))
    if (name in INTEGER_RESOURCES or _extended(name)) and value.denominator != 1:
        violations.append(invalid(RULE, where, raw, "must be an integer"))
    return value, violations + _hugepages(name, value, raw, where)


@remembered(1024)
def _valid_quantity(name: str, raw: str | int | float) -> Fraction | None:
    """The entry's quantity if it has no problem, else None.  Manifests repeat a few entries
    ("cpu": "100m"); whether one has problems does not depend on where it is."""
    value, violations = _quantity(name, raw, ())
    return None if violations else value


def _rounded_up(raw: Any) -> Fraction | None:
    """The quantity rounded up to milli-units, as defaulting does; None if it is not one."""
    value = quantity(raw)
    return None if value is None else Fraction(math.ceil(value * 1000), 1000)


# manifests repeat a few quantities ("100m", "128Mi"); typed: 1 and 1.0 print differently
_milli = remembered(1024)(_rounded_up)


def milli_value(raw: Any) -> Fraction | None:
    """A quantity rounded up to milli-units (Quantity.MilliValue, in units); None if it is
    not one."""
    return _milli(raw)


def _hugepages(name: str, value: Fraction, raw: Any, where: FieldPath) -> list[Violation]:
    if not name.startswith(HUGEPAGES):
        return []
    size = quantity(name[len(HUGEPAGES) :])
    if size and size > 0 and (value / size).denominator != 1:
        return [invalid(RULE, where, raw, f"{raw} is not positive integer multiple of {name}")]
    return []


def validate(
    resources: dict[str, Any], path: FieldPath, pod_claims: frozenset[str]
) -> list[Violation]:
    limits, violations = _quantities(mapping(resources, "limits"), (*path, "limits"))
    requests, more = _quantities(mapping(resources, "requests"), (*path, "requests"))
    violations += more
    raw_requests = mapping(resources, "requests")
    for name, value in requests.items():
        limit = limits.get(name)
        shown = raw_requests[name]
        if limit is not None:
            if value != limit and not _overcommit_allowed(name):
                violations.append(invalid(
                    RULE, (*path, "requests"), shown,
                    f"must be equal to {name} limit of {mapping(resources, 'limits')[name]}",
                ))  # fmt: skip
            elif value > limit:
                violations.append(invalid(
                    RULE, (*path, "requests"), shown,
                    f"must be less than or equal to {name} limit of "
                    f"{mapping(resources, 'limits')[name]}",
                ))  # fmt: skip
        elif not _overcommit_allowed(name):
            violations.append(required(
                RULE, (*path, "limits"), "Limit must be set for non overcommitable resources"
            ))  # fmt: skip
    names = set(limits) | set(requests)
    if any(n.startswith(HUGEPAGES) for n in names) and not names & {"cpu", "memory"}:
        violations.append(forbidden(RULE, path, "HugePages require cpu or memory"))
    return violations + _claims(resources, (*path, "claims"), pod_claims)


def _claims(
    resources: dict[str, Any], path: FieldPath, pod_claims: frozenset[str]
) -> list[Violation]:
    """Each claim a container uses must be one of the pod's resourceClaims, once."""
    violations = []
    used: set[str] = set()
    for i, claim in dicts(resources, "claims"):
        name, request = text(claim, "name"), text(claim, "request")
        if not name:
            violations.append(required(RULE, (*path, i)))
            continue
        key = f"{name}/{request}" if request else name
        if request:
            violations += invalid_each(
                RULE, (*path, i, "request"), request, primitives.dns1123_label(request)
            )
        overlaps = (
            name in used
            or key in used
            or (not request and any(k.split("/")[0] == name for k in used))
        )
        if overlaps:
            violations.append(duplicate(RULE, (*path, i), key))
        used.add(key)
        if name not in pod_claims:
            known = ": " + ", ".join(sorted(pod_claims)) if pod_claims else " which is empty"
            detail = "must be one of the names in pod.spec.resourceClaims" + known
            violations.append(not_found(RULE, (*path, i), name, detail))
    return violations


def validate_resize_policy(container: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    seen: set[str] = set()
    for i, policy in dicts(container, "resizePolicy"):
        name = text(policy, "resourceName")
        if name in seen:
            violations.append(duplicate(RULE, (*path, i), name))
        seen.add(name)
        violations += _enum(name, path, RESIZE_RESOURCES)
        violations += _enum(text(policy, "restartPolicy"), path, RESIZE_POLICIES)
    return violations


def _enum(value: str, path: FieldPath, supported: tuple[str, ...]) -> list[Violation]:
    if value in supported:
        return []
    if not value:
        return [required(RULE, path)]
    return [not_supported(RULE, path, value, supported)]


def validate_pod_level(resources: dict[str, Any], path: FieldPath) -> list[Violation]:
    """Pod-level resources (PodLevelResources): the plain quantity and request/limit rules."""
    violations = []
    if resources.get("claims"):
        violations.append(
            forbidden(RULE, (*path, "claims"), "claims cannot be set for Resources at pod-level")
        )
    limits = {k: quantity(v) for k, v in mapping(resources, "limits").items()}
    for kind in ("limits", "requests"):
        for name, raw in mapping(resources, kind).items():
            value = quantity(raw)
            where = (*path, kind, MapKey(name))
            if value is None:
                violations.append(invalid(RULE, where, raw, quantity_error(raw)))
            elif value < 0:
                violations.append(invalid(RULE, where, raw, NEGATIVE))
            elif kind == "requests" and (limit := limits.get(name)) is not None and value > limit:
                limit_text = mapping(resources, "limits")[name]
                detail = f"must be less than or equal to {name} limit of {limit_text}"
                violations.append(invalid(RULE, (*path, "requests"), raw, detail))
    return violations
