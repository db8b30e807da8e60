"""Placeholder until the service validation lands."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation


def validate(data: dict[str, Any]) -> list[Violation]:
    return []


def validate_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    return []
