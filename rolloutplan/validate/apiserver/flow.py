"""Values written the way they look in a manifest: YAML flow style on one line, such as
``{matchLabels: {app: web}}``, at most ``LIMIT`` characters, so that a message about a huge
value stays short.  Hidden characters are left as they are: the reporters escape them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

LIMIT = 100  # characters of the whole value; what does not fit becomes "..."
TEXT_LIMIT = 40  # characters of one string or key inside it
MORE = "..."
SEPARATOR = ", "
SMALLEST = len("{...}")  # a collection needs this much room to show anything

# Strings safe to write unquoted: they read back as the same string (not a number, bool or
# null, no indicator that starts or ends a flow collection, no ": " or " #").
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*\Z")
_NOT_STRINGS = re.compile(r"(?:y|yes|n|no|true|false|on|off|null|~|\.inf|\.nan)\Z", re.IGNORECASE)


def flow(value: Any, limit: int = LIMIT) -> str:
    """``value`` in one line of flow-style YAML, at most ``limit`` (5 or more) characters."""
    # the room kept back for "..." at each level would cut values that fit: try a larger
    # budget first (the work stays bounded by it) and keep the result if it fits after all
    roomy = _render(value, 4 * limit)
    return roomy if len(roomy) <= limit else _render(value, limit)


def _render(value: Any, budget: int) -> str:
    if isinstance(value, dict):
        pairs = ((f"{_scalar(key, TEXT_LIMIT)}: ", item) for key, item in value.items())
        return _collection("{", pairs, "}", budget)
    if isinstance(value, list):
        return _collection("[", (("", item) for item in value), "]", budget)
    return _scalar(value, min(budget, TEXT_LIMIT))


def _collection(start: str, items: Iterable[tuple[str, Any]], end: str, budget: int) -> str:
    """The items while they fit, then "...": room for ", ..." is kept back at each item, so
    the whole never exceeds ``budget`` however deep or wide the value is."""
    shown: list[str] = []
    used = len(start) + len(end)
    for prefix, item in items:
        gap = len(SEPARATOR) if shown else 0
        room = budget - used - gap - len(SEPARATOR + MORE)
        if room < len(prefix) + SMALLEST:
            shown.append(MORE)
            break
        text = prefix + _render(item, room - len(prefix))
        shown.append(text)
        used += gap + len(text)
    return start + SEPARATOR.join(shown) + end


def _scalar(value: Any, limit: int) -> str:
    """A scalar of at most ``limit`` characters, quoted when plain text would read back as
    something else."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, int | float) or (_PLAIN.match(text) and not _NOT_STRINGS.match(text)):
        return text if len(text) <= limit else text[: limit - len(MORE)] + MORE
    return _quoted(text, limit)


def _quoted(text: str, limit: int) -> str:
    """YAML double-quoted text; when it is too long, whole characters are cut, never half an
    escape."""
    room = limit - len('""')
    # each character takes one or two: only the first ``room`` can ever be shown
    escaped = [char.replace("\\", "\\\\").replace('"', '\\"') for char in text[: room + 1]]
    if len(text) <= room and sum(len(char) for char in escaped) <= room:
        return '"' + "".join(escaped) + '"'
    kept: list[str] = []
    used = len(MORE)
    for char in escaped:
        if used + len(char) > room:
            break
        kept.append(char)
        used += len(char)
    return '"' + "".join(kept) + MORE + '"'
