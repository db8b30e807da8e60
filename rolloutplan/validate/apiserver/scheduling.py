"""Where the pods may run: node selector, affinity, tolerations, topology spread, scheduling
gates, node name, priority class and preemption policy."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import affinity, primitives, selectors
from rolloutplan.validate.apiserver.access import dicts, integer, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)

RULE = "RP234"
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
NOT_POSITIVE = "must be greater than zero"


def validate(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = labels(mapping(spec, "nodeSelector"), (*path, "nodeSelector"))
    violations += _tolerations(spec, (*path, "tolerations"))
    violations += affinity.validate(mapping(spec, "affinity"), (*path, "affinity"))
    violations += _spread(spec, (*path, "topologySpreadConstraints"))
    seen: set[str] = set()
    for i, gate in dicts(spec, "schedulingGates"):
        name = text(gate, "name")
        violations += invalid_each(
            RULE, (*path, "schedulingGates", i), name, primitives.qualified_name(name)
        )
        if name in seen:
            violations.append(duplicate(RULE, (*path, "schedulingGates", i), name))
        seen.add(name)
    for key in ("nodeName", "priorityClassName"):
        value = text(spec, key)
        if value:
            violations += invalid_each(
                RULE, (*path, key), value, primitives.dns1123_subdomain(value)
            )
    policy = spec.get("preemptionPolicy")
    if isinstance(policy, str) and policy not in ("PreemptLowerPriority", "Never"):
        violations.append(
            not_supported(
                RULE, (*path, "preemptionPolicy"), policy, ("PreemptLowerPriority", "Never")
            )
        )
    return violations


def labels(values: dict[str, Any], path: FieldPath) -> list[Violation]:
    """Label syntax, reported at the map itself as the server does."""
    violations = []
    for key, value in values.items():
        violations += invalid_each(RULE, path, key, primitives.qualified_name(key))
        violations += invalid_each(RULE, path, str(value), primitives.label_value(str(value)))
    return violations


def _tolerations(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    for i, toleration in dicts(spec, "tolerations"):
        where = (*path, i)
        key, operator = text(toleration, "key"), text(toleration, "operator")
        value, effect = text(toleration, "value"), text(toleration, "effect")
        if key:
            violations += invalid_each(RULE, (*where, "key"), key, primitives.qualified_name(key))
        elif operator != "Exists":
            detail = (
                "operator must be Exists when `key` is empty, which means "
                '"match all values and all keys"'
            )
            violations.append(invalid(RULE, (*where, "operator"), operator, detail))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            detail = "effect must be 'NoExecute' when `tolerationSeconds` is set"
            violations.append(invalid(RULE, (*where, "effect"), effect, detail))
        if operator in ("Equal", ""):
            problems = primitives.label_value(value)
            if problems:
                violations.append(invalid(RULE, (*where, "operator"), value, ";".join(problems)))
        elif operator == "Exists":
            if value:
                detail = "value must be empty when `operator` is 'Exists'"
                violations.append(invalid(RULE, (*where, "operator"), value, detail))
        else:
            violations.append(
                not_supported(RULE, (*where, "operator"), operator, ("Equal", "Exists"))
            )
        if effect and effect not in EFFECTS:
            violations.append(not_supported(RULE, (*where, "effect"), effect, EFFECTS))
    return violations


def _spread(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    constraints = dicts(spec, "topologySpreadConstraints")
    violations = []
    for i, constraint in constraints:
        where = (*path, i)
        max_skew, key = integer(constraint, "maxSkew"), text(constraint, "topologyKey")
        when = text(constraint, "whenUnsatisfiable")
        if max_skew <= 0:
            violations.append(invalid(RULE, (*where, "maxSkew"), max_skew, NOT_POSITIVE))
        if not key:
            violations.append(required(RULE, (*where, "topologyKey"), "can not be empty"))
        if when not in ("DoNotSchedule", "ScheduleAnyway"):
            violations.append(
                not_supported(
                    RULE, (*where, "whenUnsatisfiable"), when, ("DoNotSchedule", "ScheduleAnyway")
                )
            )
        later = [c for j, c in constraints if j > i]
        if any(
            text(c, "topologyKey") == key and text(c, "whenUnsatisfiable") == when for c in later
        ):
            violations.append(
                duplicate(RULE, (*where, "{topologyKey, whenUnsatisfiable}"), f"{{{key}, {when}}}")
            )
        violations += _spread_details(constraint, where, when)
    return violations


def _spread_details(constraint: dict[str, Any], where: FieldPath, when: str) -> list[Violation]:
    violations = []
    min_domains = constraint.get("minDomains")
    if isinstance(min_domains, int):
        if min_domains <= 0:
            violations.append(invalid(RULE, (*where, "minDomains"), min_domains, NOT_POSITIVE))
        if when != "DoNotSchedule":
            detail = f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {when}"
            violations.append(invalid(RULE, (*where, "minDomains"), min_domains, detail))
    for key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
        policy = constraint.get(key)
        if isinstance(policy, str) and policy not in ("Honor", "Ignore"):
            violations.append(not_supported(RULE, (*where, key), policy, ("Honor", "Ignore")))
    selector = constraint.get("labelSelector")
    keys = [str(k) for k in listing(constraint, "matchLabelKeys")]
    if keys and not isinstance(selector, dict):
        detail = "must not be specified when labelSelector is not set"
        violations.append(forbidden(RULE, (*where, "matchLabelKeys"), detail))
    selected = set(mapping(selector, "matchLabels")) | {
        text(e, "key") for _, e in dicts(selector, "matchExpressions")
    }
    for i, key in enumerate(keys):
        violations += invalid_each(
            RULE, (*where, "matchLabelKeys", i), key, primitives.qualified_name(key)
        )
        if key in selected:
            detail = "exists in both matchLabelKeys and labelSelector"
            violations.append(invalid(RULE, (*where, "matchLabelKeys", i), key, detail))
    return violations + selectors.validate(selector, (*where, "labelSelector"), RULE)
