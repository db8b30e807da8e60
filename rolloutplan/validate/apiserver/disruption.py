"""policy/v1 PodDisruptionBudget as the API server validates it (policy
ValidatePodDisruptionBudget; an update is validated the same way, the spec being mutable).

Rules: RP281 invalid-disruption-budget; the selector's problems are RP203 (matchLabels) and
RP207 (matchExpressions), as for workloads.  The name only has to be usable in a URL path:
the PodDisruptionBudget strategy adds no name rule of its own to the generic metadata checks.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import metadata, primitives, selectors
from rolloutplan.validate.apiserver.access import mapping
from rolloutplan.validate.apiserver.fielderrors import (
    invalid,
    invalid_each,
    nonnegative,
    not_supported,
)
from rolloutplan.validate.apiserver.flow import flow

BUDGET = "RP281"
INVALID_SELECTOR = "RP207"
EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


def validate(data: dict[str, Any]) -> list[Violation]:
    """What creating (or updating to) this PodDisruptionBudget would be refused for."""
    spec = mapping(data, "spec")
    violations = metadata.validate_object_meta(data, primitives.path_segment_name)
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        message = f"Invalid value: {flow(spec)}: minAvailable and maxUnavailable cannot be both set"
        violations.append(Violation(BUDGET, message, ("spec",)))
    for key in ("minAvailable", "maxUnavailable"):
        if spec.get(key) is not None:
            violations += _int_or_percent(spec[key], ("spec", key))
    selector = spec.get("selector")
    if isinstance(selector, dict):
        violations += selectors.validate(selector, ("spec", "selector"), INVALID_SELECTOR)
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in EVICTION_POLICIES:
        path = ("spec", "unhealthyPodEvictionPolicy")
        violations.append(not_supported(BUDGET, path, policy, EVICTION_POLICIES))
    return violations


def validate_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    return metadata.validate_object_meta_update(old, new) + validate(new)


def _int_or_percent(value: Any, path: FieldPath) -> list[Violation]:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent."""
    if isinstance(value, str):
        problems = primitives.percent(value)
        if problems:
            return invalid_each(BUDGET, path, value, problems)
        if int(value[:-1]) > 100:
            return [invalid(BUDGET, path, value, "must not be greater than 100%")]
        return []
    return nonnegative(BUDGET, path, value)
