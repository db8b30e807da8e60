"""Findings: what every stage reports, and what reporters read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from rolloutplan.model.pickling import compact_pickling
from rolloutplan.model.source import FieldPath, Location, format_field_path


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """An object by kind, namespace and name (the namespace applied, as the server would)."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Violation:
    """What a check yields: a message about a field, with no file or line yet."""

    rule_id: str
    message: str
    field: FieldPath = ()
    at_key: bool = False  # point at the field's key (an unknown field), not its value


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's report on a place in a file, with its severity and message."""

    rule_id: str
    severity: Severity
    message: str
    location: Location
    obj: ObjectRef | None = None
    field: FieldPath = ()

    @property
    def field_text(self) -> str:
        return format_field_path(self.field)

    def sort_key(self) -> tuple[Any, ...]:
        """A total order: findings that share a place, rule and message (YAML anchors give
        such ties) are ordered by object, field path and severity, never by chance."""
        loc = self.location
        obj = (self.obj.kind, self.obj.namespace, self.obj.name) if self.obj else ()
        return (
            loc.path,
            loc.line,
            loc.column,
            self.rule_id,
            self.message,
            obj,
            tuple((isinstance(part, str), part) for part in self.field),
            self.severity.rank,
        )


compact_pickling(ObjectRef, Violation, Finding)
