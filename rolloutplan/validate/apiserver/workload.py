"""Placeholder until the workload validation lands."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation


def validate(kind: str, data: dict[str, Any]) -> list[Violation]:
    return []


def validate_update(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    return []
