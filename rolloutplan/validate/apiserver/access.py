"""Reading decoded manifests the way Go decodes them: a missing key and ``null`` both give the
zero value (empty map, empty list, empty string, 0)."""

from __future__ import annotations

from typing import Any


def mapping(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def listing(parent: Any, key: str) -> list[Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, list) else []


def text(parent: Any, key: str) -> str:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, str) else ""


def integer(parent: Any, key: str) -> int:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def present(parent: Any, key: str) -> bool:
    """The field is set (a Go pointer or slice that is not nil)."""
    return isinstance(parent, dict) and parent.get(key) is not None


def dicts(parent: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for each mapping of a list field; null items decode as empty structs."""
    return [
        (i, item if isinstance(item, dict) else {}) for i, item in enumerate(listing(parent, key))
    ]


def copied(value: Any) -> Any:
    """A copy of decoded JSON-like data (dicts, lists, scalars) that defaulting may change.

    Several times faster than ``copy.deepcopy``, which suits the arbitrary objects it supports
    but not these.  Aliased YAML values come out as separate copies, as they would from JSON.
    """
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    return value
