"""Label selectors (metav1 LabelSelector): strict validation, whether the server can build the
selector, and what it matches."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import metadata, primitives
from rolloutplan.validate.apiserver.access import dicts, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import forbidden, invalid, invalid_each, required

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate(selector: dict[str, Any] | None, path: FieldPath, rule: str) -> list[Violation]:
    """ValidateLabelSelector, strict (invalid values are not tolerated).  matchLabels problems
    are label problems (RP203, reported at ``matchLabels`` with no key); matchExpressions
    problems are ``rule``'s."""
    if selector is None:
        return []
    violations = metadata.validate_labels(mapping(selector, "matchLabels"), (*path, "matchLabels"))
    for i, expression in dicts(selector, "matchExpressions"):
        violations += _requirement(expression, (*path, "matchExpressions", i), rule)
    return violations


def _requirement(expression: dict[str, Any], path: FieldPath, rule: str) -> list[Violation]:
    operator = text(expression, "operator")
    values = listing(expression, "values")
    violations = []
    if operator in ("In", "NotIn") and not values:
        violations.append(
            required(
                rule, (*path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
            )
        )
    elif operator in ("Exists", "DoesNotExist") and values:
        violations.append(forbidden(
            rule, (*path, "values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ))  # fmt: skip
    elif operator not in OPERATORS:
        violations.append(
            invalid(rule, (*path, "operator"), operator, "not a valid selector operator")
        )
    key = text(expression, "key")
    violations += invalid_each(rule, (*path, "key"), key, primitives.qualified_name(key))
    for j, value in enumerate(values):
        value = value if isinstance(value, str) else ""
        violations += invalid_each(rule, (*path, "values", j), value, primitives.label_value(value))
    return violations


def parses(selector: dict[str, Any]) -> bool:
    """LabelSelectorAsSelector succeeds: exactly when strict validation finds nothing."""
    return not validate(selector, (), "")


def is_empty(selector: dict[str, Any]) -> bool:
    return not mapping(selector, "matchLabels") and not listing(selector, "matchExpressions")


def matches(selector: dict[str, Any] | None, labels: dict[str, Any]) -> bool:
    """Whether the selector selects a pod with these labels (a missing selector selects
    nothing, an empty one everything)."""
    if selector is None:
        return False
    for key, value in mapping(selector, "matchLabels").items():
        if key not in labels or str(labels[key]) != str(value):
            return False
    return all(_matches_expression(e, labels) for _, e in dicts(selector, "matchExpressions"))


def _matches_expression(expression: dict[str, Any], labels: dict[str, Any]) -> bool:
    key = text(expression, "key")
    values = {str(v) for v in listing(expression, "values")}
    operator = text(expression, "operator")
    if operator == "In":
        return key in labels and str(labels[key]) in values
    if operator == "NotIn":
        return key not in labels or str(labels[key]) not in values
    if operator == "Exists":
        return key in labels
    return key not in labels
