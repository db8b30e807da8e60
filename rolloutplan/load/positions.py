"""Where a document's fields are written, kept from the parse that read it.

While a file is checked, its findings are located against the nodes libyaml composed for
it (``yaml_docs.NodePositions``).  A document kept for findings added later (the
cross-file analyses, waivers) keeps a ``PositionIndex`` instead: the positions of the
fields such findings can point at, read from the same nodes, small enough to keep for
every document of a run and to store in the result cache.  ``locate_in`` answers from
either exactly as ``yaml_docs.locate`` answers from the text; a path that neither covers
is located by composing the text again, and counted in ``STATS`` (tests keep it at zero).

No YAML library is imported here: a run served by the result cache locates its cross-file
findings without loading the YAML reader.
"""

from __future__ import annotations

import json
import operator
from typing import Any

from rolloutplan.model.source import Document, FieldPath

STATS = {"fallbacks": 0}  # findings located by composing the text again

# A node of the index is an int, a scalar's position, or a list [position, kind, children]
# for a collection.  Positions are 1-based, packed as line << LINE_SHIFT | column (short
# in the cache's JSON); a document with a longer line keeps no index (see ``pack``).
LINE_SHIFT = 16
MAX_COLUMN = (1 << LINE_SHIFT) - 1
MAPPING = 0  # children: {key: [key position, node]}, every key
SOME_KEYS = 1  # children: {key: [key position, node] or None when absent}, only those kept
SEQUENCE = 2  # children: [node, ...], every item
SOME_ITEMS = 3  # children: {str(index): node or None when absent}, only those kept
UNKNOWN = 4  # children: None, the collection's content was not kept
_KINDS = frozenset({MAPPING, SOME_KEYS, SEQUENCE, SOME_ITEMS, UNKNOWN})
Located = tuple[int, int, FieldPath]

# json.dumps(root, separators=(",", ":")) builds its C encoder at each call, which cost more
# than encoding a small index: the same encoder, built once (an index holds no cycle, and
# only ints, strings, lists, objects and nulls)
_ENCODE = (
    None
    if json.encoder.c_make_encoder is None
    else json.encoder.c_make_encoder(
        None, None, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
)


def pack(line: int, column: int) -> int:
    """A 1-based (line, column) as one int; ValueError beyond MAX_COLUMN."""
    if column > MAX_COLUMN:
        raise ValueError("column beyond MAX_COLUMN")
    return line << LINE_SHIFT | column


def _unpack(position: int) -> tuple[int, int]:
    return position >> LINE_SHIFT, position & ((1 << LINE_SHIFT) - 1)


def _check(root: Any) -> None:
    if type(root) is not int and not (type(root) is list and len(root) == 3 and root[1] in _KINDS):
        raise ValueError("not a position index")


def _start(node: Any) -> int:
    return node if type(node) is int else node[0]  # type: ignore[no-any-return]


class PositionIndex:
    """The positions of some fields of one YAML document: its root and, under the kept
    paths, every key, item and scalar (``yaml_docs.NodePositions.kept`` builds it).  The
    root is plain data (JSON's ints, lists and objects), as stored in the result cache."""

    __slots__ = ("_root", "_stored")

    def __init__(self, root: Any) -> None:
        _check(root)
        self._root = root
        self._stored: str | None = None

    @classmethod
    def stored(cls, text: str) -> PositionIndex:
        """An index as the result cache holds it (``stored_text``), decoded only when a
        finding is located with it: most kept documents never are, and decoding every
        index of a warm run cost more than the rest of reading its results."""
        if type(text) is not str:
            raise ValueError("not a stored position index")
        index = cls.__new__(cls)
        index._root = None
        index._stored = text
        return index

    @property
    def root(self) -> Any:
        if self._stored is not None:
            try:
                root = json.loads(self._stored)
                _check(root)
            except ValueError:  # sealed entries hold what we wrote: only a bug gets here
                root = [0, UNKNOWN, None]
            self._root, self._stored = root, None
        return self._root

    def stored_text(self) -> str:
        """The index as one JSON text, for the result cache."""
        if self._stored is not None:
            return self._stored
        if _ENCODE is None:  # pragma: no cover - CPython always has the C encoder
            return json.dumps(self._root, separators=(",", ":"))
        return "".join(_ENCODE(self._root, 0))

    def __reduce__(self) -> tuple[type[PositionIndex], tuple[Any]]:
        return (PositionIndex, (self.root,))

    def __repr__(self) -> str:
        return f"PositionIndex({self.root!r})"

    def locate(self, path: FieldPath, at_key: bool = False) -> Located | None:
        """As ``yaml_docs.locate``; None when the index does not know (a field outside
        the kept paths)."""
        node = self.root
        if type(node) is list and node[1] == UNKNOWN:
            return None  # nothing kept (a line too long to pack)
        key = _start(node)
        found = 0
        for part in path:
            if type(node) is int:
                break  # a scalar has no fields
            _, kind, children = node
            if kind in (MAPPING, SOME_KEYS):
                entry = children.get(str(part), False)
                if entry is False:
                    if kind == SOME_KEYS:
                        return None
                    break
                if entry is None:
                    break
                key, node = entry
            elif kind == SEQUENCE:
                if not isinstance(part, int) or not 0 <= part < len(children):
                    break
                node = children[part]
                key = _start(node)
            elif kind == SOME_ITEMS:
                if not isinstance(part, int):
                    break
                node = children.get(str(operator.index(part)), False)
                if node is False:
                    return None
                if node is None:
                    break
                key = _start(node)
            else:
                return None
            found += 1
        if found and found == len(path) and type(node) is int and not at_key:
            key = node
        return (*_unpack(key), tuple(path[:found]))


def locate_in(document: Document, path: FieldPath, *, at_key: bool = False) -> Located:
    """1-based (line, column) of ``path`` (from the YAML document's root) in ``document``,
    and the part of the path that exists: see ``yaml_docs.locate``."""
    positions = document.positions
    if positions is not None:
        located = positions.locate(path, at_key)
        if located is not None:
            return located  # type: ignore[no-any-return]
    STATS["fallbacks"] += 1
    from rolloutplan.load.yaml_docs import locate

    return locate(document.text, document.index, path, at_key=at_key)
