"""autoscaling/v2 HorizontalPodAutoscaler as the API server defaults and validates it
(autoscaling ValidateHorizontalPodAutoscaler and its update rule).

Rules: RP275 invalid-autoscaler-target (scaleTargetRef), RP276 invalid-autoscaler-replicas
(minReplicas, maxReplicas), RP277 invalid-autoscaler-metric (metrics), RP278
invalid-autoscaler-behavior (behavior); metadata through ``metadata`` (RP201-RP205).

``minReplicas: 0`` needs the HPAScaleToZero feature gate, alpha and off by default in every
supported version: it is rejected as a default cluster rejects it, except on an update of an
object that already has 0 (the server lets such objects keep it).

``behavior.scaleUp/scaleDown.tolerance`` (1.33 on; older schemas do not know it) must not be
negative.  It needs the HPAConfigurableTolerance feature gate, alpha and off by default in
1.33 and 1.34, beta and on from 1.35: with the gate off the server's strategy drops every
tolerance before validating (nothing is refused), except on an update of an object that
already sets one, where it is kept and validated.  Upstream's tests pin the words "greater or
equal to zero" of the message; the rest of it is ours.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import metadata, primitives
from rolloutplan.validate.apiserver.access import copied, dicts, mapping, present, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.resources import container_resource_name_problems
from rolloutplan.validate.apiserver.syntax import quantity, quantity_error

TARGET = "RP275"
REPLICAS = "RP276"
METRIC = "RP277"
BEHAVIOR = "RP278"
MAX_PERIOD_SECONDS = 1800
MAX_STABILIZATION_WINDOW_SECONDS = 3600
METRIC_SOURCES = {
    "ContainerResource": "containerResource",
    "External": "external",
    "Object": "object",
    "Pods": "pods",
    "Resource": "resource",
}
# the order the server looks at the sources in: only the first one given is checked
SOURCE_ORDER = ("object", "external", "pods", "resource", "containerResource")
TARGET_TYPES = ("Utilization", "Value", "AverageValue")
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
DEFAULT_CPU_UTILIZATION = 80
SPEC: FieldPath = ("spec",)
DIRECTIONS = ("scaleUp", "scaleDown")


def validate(data: dict[str, Any], kubernetes_version: str | None = None) -> list[Violation]:
    """What creating this HorizontalPodAutoscaler would be refused for (None: the newest
    version's rules)."""
    tolerance = _tolerance_gate(kubernetes_version)
    return _validate(with_defaults(data), lower_bound=1, tolerance=tolerance)


def validate_update(
    old: dict[str, Any], new: dict[str, Any], kubernetes_version: str | None = None
) -> list[Violation]:
    """An update: immutable metadata, and the spec again (an object that already scales to
    zero, or sets a tolerance, may keep doing so)."""
    old = with_defaults(old)
    lower = 0 if old["spec"].get("minReplicas") == 0 else 1
    tolerance = _tolerance_gate(kubernetes_version) or _sets_tolerance(old)
    return metadata.validate_object_meta_update(old, new) + _validate(
        with_defaults(new), lower_bound=lower, tolerance=tolerance
    )


def _tolerance_gate(kubernetes_version: str | None) -> bool:
    """Whether a tolerance reaches validation on create: HPAConfigurableTolerance is on by
    default from 1.35 (beta); before, the server drops it."""
    return kubernetes_version is None or int(kubernetes_version.split(".")[1]) >= 35


def _sets_tolerance(obj: dict[str, Any]) -> bool:
    behavior = mapping(mapping(obj, "spec"), "behavior")
    return any(mapping(behavior, way).get("tolerance") is not None for way in DIRECTIONS)


def with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """autoscaling/v2 defaulting: minReplicas 1, a CPU utilization metric of 80% when none is
    given, and each unset part of a given behavior from the controller's defaults."""
    obj = copied(data)
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {
                        "type": "Utilization",
                        "averageUtilization": DEFAULT_CPU_UTILIZATION,
                    },
                },
            }
        ]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _rules(behavior.get("scaleUp"), _scale_up_defaults())
        behavior["scaleDown"] = _rules(behavior.get("scaleDown"), _scale_down_defaults())
    return obj


def _scale_up_defaults() -> dict[str, Any]:
    return {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
    }


def _scale_down_defaults() -> dict[str, Any]:
    return {
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
    }


def _rules(given: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    """The given rules' set fields over the defaults (an empty policy list stays empty)."""
    if not isinstance(given, dict):
        return defaults
    for key in ("selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"):
        if given.get(key) is not None:
            defaults[key] = given[key]
    return defaults


def _validate(obj: dict[str, Any], *, lower_bound: int, tolerance: bool) -> list[Violation]:
    spec = mapping(obj, "spec")
    violations = metadata.validate_object_meta(obj, primitives.dns1123_subdomain)
    violations += _replicas(spec, lower_bound)
    violations += object_reference(
        mapping(spec, "scaleTargetRef"), (*SPEC, "scaleTargetRef"), TARGET
    )
    violations += _metrics(spec)
    violations += _behavior(spec.get("behavior"), tolerance)
    return violations


def _replicas(spec: dict[str, Any], lower_bound: int) -> list[Violation]:
    lowest, highest = _int(spec.get("minReplicas")), _int(spec.get("maxReplicas"))
    violations = []
    if lowest is not None and lowest < lower_bound:
        detail = f"must be greater than or equal to {lower_bound}"
        violations.append(invalid(REPLICAS, (*SPEC, "minReplicas"), lowest, detail))
    highest = 0 if highest is None else highest
    if highest < 1:
        violations.append(
            invalid(REPLICAS, (*SPEC, "maxReplicas"), highest, "must be greater than 0")
        )
    if lowest is not None and highest < lowest:
        detail = "must be greater than or equal to `minReplicas`"
        violations.append(invalid(REPLICAS, (*SPEC, "maxReplicas"), highest, detail))
    return violations


def object_reference(ref: dict[str, Any], path: FieldPath, rule: str) -> list[Violation]:
    """ValidateCrossVersionObjectReference: kind and name are set and usable in a URL path."""
    violations = []
    for key in ("kind", "name"):
        value = text(ref, key)
        if not value:
            violations.append(required(rule, (*path, key)))
        else:
            violations += invalid_each(
                rule, (*path, key), value, primitives.path_segment_name(value)
            )
    return violations


def _metrics(spec: dict[str, Any]) -> list[Violation]:
    path = (*SPEC, "metrics")
    violations = []
    types = set()
    for i, metric in dicts(spec, "metrics"):
        violations += _metric(metric, (*path, i))
        types.add(text(metric, "type"))
    if spec.get("minReplicas") == 0 and not types & {"Object", "External"}:
        detail = (
            "must specify at least one Object or External metric to support scaling to zero "
            "replicas"
        )
        violations.append(forbidden(METRIC, path, detail))
    return violations


def _metric(metric: dict[str, Any], path: FieldPath) -> list[Violation]:
    kind = text(metric, "type")
    violations = []
    if not kind:
        violations.append(required(METRIC, (*path, "type"), "must specify a metric source type"))
    if kind not in METRIC_SOURCES:
        violations.append(not_supported(METRIC, (*path, "type"), kind, sorted(METRIC_SOURCES)))
    given = [field for field in SOURCE_ORDER if present(metric, field)]
    for field in given[:1]:
        violations += _SOURCES[field](mapping(metric, field), (*path, field))
    expected = METRIC_SOURCES.get(kind)
    if expected is not None and expected not in given:
        detail = "must populate information for the given metric source"
        violations.append(required(METRIC, (*path, expected), detail))
    elif expected is None:  # the server reports an unknown type a second time
        violations.append(not_supported(METRIC, (*path, "type"), kind, sorted(METRIC_SOURCES)))
    if len(given) > 1:
        for field in given:
            if field != expected:
                detail = "must populate the given metric source only"
                violations.append(forbidden(METRIC, (*path, field), detail))
    return violations


def _object_source(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    target = mapping(source, "target")
    violations = object_reference(
        mapping(source, "describedObject"), (*path, "describedObject"), METRIC
    )
    violations += _identifier(mapping(source, "metric"), (*path, "metric"))
    violations += _target(target, (*path, "target"))
    if not present(target, "value") and not present(target, "averageValue"):
        detail = "must set either a target value or averageValue"
        violations.append(required(METRIC, (*path, "target", "averageValue"), detail))
    return violations


def _external_source(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    target = mapping(source, "target")
    violations = _identifier(mapping(source, "metric"), (*path, "metric"))
    violations += _target(target, (*path, "target"))
    value, average = present(target, "value"), present(target, "averageValue")
    if not value and not average:
        detail = "must set either a target value for metric or a per-pod target"
        violations.append(required(METRIC, (*path, "target", "averageValue"), detail))
    if value and average:
        detail = "may not set both a target value for metric and a per-pod target"
        violations.append(forbidden(METRIC, (*path, "target", "value"), detail))
    return violations


def _pods_source(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    target = mapping(source, "target")
    violations = _identifier(mapping(source, "metric"), (*path, "metric"))
    violations += _target(target, (*path, "target"))
    if not present(target, "averageValue"):
        detail = "must specify a positive target averageValue"
        violations.append(required(METRIC, (*path, "target", "averageValue"), detail))
    return violations


def _resource_source(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    if not text(source, "name"):
        violations.append(required(METRIC, (*path, "name"), "must specify a resource name"))
    return violations + _utilization_or_value(mapping(source, "target"), (*path, "target"))


def _container_resource_source(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    name, container = text(source, "name"), text(source, "container")
    if not name:
        violations.append(required(METRIC, (*path, "name"), "must specify a resource name"))
    else:
        problems = container_resource_name_problems(name)
        violations += invalid_each(METRIC, (*path, "name"), name, problems)
    if not container:
        violations.append(required(METRIC, (*path, "container"), "must specify a container"))
    else:
        problems = primitives.dns1123_label(container)
        violations += invalid_each(METRIC, (*path, "container"), container, problems)
    return violations + _utilization_or_value(mapping(source, "target"), (*path, "target"))


def _utilization_or_value(target: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = _target(target, path)
    utilization, average = present(target, "averageUtilization"), present(target, "averageValue")
    if not utilization and not average:
        detail = "must set either a target raw value or a target utilization"
        violations.append(required(METRIC, (*path, "averageUtilization"), detail))
    if utilization and average:
        detail = "may not set both a target raw value and a target utilization"
        violations.append(forbidden(METRIC, (*path, "averageValue"), detail))
    return violations


def _target(target: dict[str, Any], path: FieldPath) -> list[Violation]:
    """validateMetricTarget: a known type, positive values."""
    kind = text(target, "type")
    violations = []
    if not kind:
        violations.append(required(METRIC, (*path, "type"), "must specify a metric target type"))
    if kind not in TARGET_TYPES:
        detail = "must be either Utilization, Value, or AverageValue"
        violations.append(invalid(METRIC, (*path, "type"), kind, detail))
    for key in ("value", "averageValue"):
        raw = target.get(key)
        if raw is None:
            continue
        value = quantity(raw)
        if value is None:
            violations.append(invalid(METRIC, (*path, key), raw, quantity_error(raw)))
        elif value <= 0:
            violations.append(invalid(METRIC, (*path, key), raw, "must be positive"))
    utilization = _int(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        violations.append(
            invalid(METRIC, (*path, "averageUtilization"), utilization, "must be greater than 0")
        )
    return violations


def _identifier(identifier: dict[str, Any], path: FieldPath) -> list[Violation]:
    name = text(identifier, "name")
    if not name:
        return [required(METRIC, (*path, "name"), "must specify a metric name")]
    return invalid_each(METRIC, (*path, "name"), name, primitives.path_segment_name(name))


_SOURCES = {
    "object": _object_source,
    "external": _external_source,
    "pods": _pods_source,
    "resource": _resource_source,
    "containerResource": _container_resource_source,
}


def _behavior(behavior: Any, tolerance: bool) -> list[Violation]:
    """``tolerance``: whether the server keeps the tolerances to validate them."""
    if not isinstance(behavior, dict):
        return []
    path = (*SPEC, "behavior")
    violations = []
    for way in DIRECTIONS:
        violations += _scaling_rules(behavior.get(way), (*path, way), tolerance)
    return violations


def _scaling_rules(rules: Any, path: FieldPath, tolerance: bool) -> list[Violation]:
    if not isinstance(rules, dict):
        return []
    violations = _tolerance(rules.get("tolerance"), (*path, "tolerance"), tolerance)
    window = _int(rules.get("stabilizationWindowSeconds"))
    window_path = (*path, "stabilizationWindowSeconds")
    if window is not None and window < 0:
        violations.append(
            invalid(BEHAVIOR, window_path, window, "must be greater than or equal to zero")
        )
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        detail = f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"
        violations.append(invalid(BEHAVIOR, window_path, window, detail))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        violations.append(not_supported(BEHAVIOR, (*path, "selectPolicy"), select, SELECT_POLICIES))
    policies = dicts(rules, "policies")
    if not policies:
        violations.append(
            required(BEHAVIOR, (*path, "policies"), "must specify at least one Policy")
        )
    for i, policy in policies:
        violations += _policy(policy, (*path, "policies", i))
    return violations


def _tolerance(raw: Any, path: FieldPath, kept: bool) -> list[Violation]:
    if raw is None:
        return []
    value = quantity(raw)
    if value is None:  # decoding fails, before the server could drop it
        return [invalid(BEHAVIOR, path, raw, quantity_error(raw))]
    if kept and value < 0:
        return [invalid(BEHAVIOR, path, raw, "must be greater or equal to zero")]
    return []


def _policy(policy: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    kind = text(policy, "type")
    if kind not in POLICY_TYPES:
        violations.append(not_supported(BEHAVIOR, (*path, "type"), kind, POLICY_TYPES))
    value = _int(policy.get("value")) or 0
    if value <= 0:
        violations.append(invalid(BEHAVIOR, (*path, "value"), value, "must be greater than zero"))
    period = _int(policy.get("periodSeconds")) or 0
    if period <= 0:
        violations.append(
            invalid(BEHAVIOR, (*path, "periodSeconds"), period, "must be greater than zero")
        )
    if period > MAX_PERIOD_SECONDS:
        detail = f"must be less than or equal to {MAX_PERIOD_SECONDS}"
        violations.append(invalid(BEHAVIOR, (*path, "periodSeconds"), period, detail))
    return violations


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
