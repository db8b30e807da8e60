"""Violations worded the way the API server words its field errors (apimachinery field.Error):
``Required value``, ``Invalid value: "x": detail``, ``Unsupported value``, ``Forbidden``,
``Duplicate value``, ``Not found``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath


def show(value: Any) -> str:
    """A value as kubectl prints it: strings in double quotes, numbers bare."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def required(rule: str, path: FieldPath, detail: str = "") -> Violation:
    return Violation(rule, "Required value" + (f": {detail}" if detail else ""), path)


def invalid(rule: str, path: FieldPath, value: Any, detail: str) -> Violation:
    return Violation(rule, f"Invalid value: {show(value)}: {detail}", path)


def not_supported(rule: str, path: FieldPath, value: Any, supported: Iterable[str]) -> Violation:
    choices = ", ".join(json.dumps(choice) for choice in supported)
    return Violation(rule, f"Unsupported value: {show(value)}: supported values: {choices}", path)


def forbidden(rule: str, path: FieldPath, detail: str) -> Violation:
    return Violation(rule, f"Forbidden: {detail}", path)


def duplicate(rule: str, path: FieldPath, value: Any) -> Violation:
    return Violation(rule, f"Duplicate value: {show(value)}", path)


def not_found(rule: str, path: FieldPath, value: Any, detail: str = "") -> Violation:
    return Violation(rule, f"Not found: {show(value)}" + (f": {detail}" if detail else ""), path)


def invalid_each(rule: str, path: FieldPath, value: Any, problems: list[str]) -> list[Violation]:
    """One Invalid per problem a syntax check found (the server reports each)."""
    if not problems:
        return []
    return [invalid(rule, path, value, problem) for problem in problems]


NEGATIVE = "must be greater than or equal to 0"


def nonnegative(rule: str, path: FieldPath, value: Any) -> list[Violation]:
    """ValidateNonnegativeField on an integer that may be absent (None counts as 0)."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [invalid(rule, path, value, NEGATIVE)]
    return []
