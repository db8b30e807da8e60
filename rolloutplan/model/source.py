"""Where things come from: source texts, documents and locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from rolloutplan.model.pickling import compact_pickling


class MapKey(str):
    """A key of a free-form map (labels, annotations, resources): shown as ``limits[cpu]``."""

    __slots__ = ()


FieldPath = tuple[str | int, ...]


class Positions(Protocol):
    """Where a YAML document's fields are written (see ``load.positions``)."""

    def locate(self, path: FieldPath, at_key: bool = False) -> tuple[int, int, FieldPath] | None:
        """1-based (line, column) of ``path`` and the part of it that exists; None when
        not known."""


@dataclass(frozen=True, slots=True)
class SourceText:
    """The raw content of one input: a file, or stdin shown as ``<stdin>``."""

    path: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a finding points: a file, and a line and column in it."""

    path: str
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True, slots=True)
class Document:
    """One Kubernetes object as decoded from YAML or JSON, before it is typed.

    ``index`` is the YAML document's position in the file (0-based); ``item`` is the
    object's position inside a ``kind: List`` document, or None.  ``text`` is kept so
    that positions can be resolved lazily, only for documents that have findings;
    ``positions``, kept from the parse that read it, spares composing it again.
    """

    path: str
    index: int
    item: int | None
    data: dict[str, Any] = field(compare=False, repr=False)
    start: Location
    text: str = field(compare=False, repr=False)
    positions: Positions | None = field(default=None, compare=False, repr=False)

    @property
    def prefix(self) -> FieldPath:
        """Field path of this object inside its YAML document."""
        return () if self.item is None else ("items", self.item)


def format_field_path(path: FieldPath) -> str:
    """Render a field path the way kubectl does: ``spec.containers[0].ports``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int | MapKey):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


compact_pickling(SourceText, Location, Document)
