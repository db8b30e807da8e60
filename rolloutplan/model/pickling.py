"""Frozen dataclasses as (class, field values): compact pickles for results that cross to
our own worker processes, and a data-only form for results kept on disk.

A slotted dataclass pickles by default through Python-level ``__getstate__``/``__setstate__``
that set one field at a time; a class and a tuple of its fields load about twice as fast,
which matters when worker processes send back thousands of typed objects (``--jobs``).

A pickle can run any code when loaded, so nothing read from disk is ever unpickled: a
``DataCodec`` turns values into plain JSON data and back.  Only the classes it was given
can come back, each rebuilt by calling the class with its field values; an unknown tag or
the wrong number of fields raises ``ValueError``.
"""

from __future__ import annotations

import enum
import json
import operator
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from typing import Any


def compact_pickling(*classes: type) -> None:
    """Give each frozen dataclass (all of whose fields are ``__init__`` arguments) a
    ``__reduce__`` that rebuilds it by calling the class with its field values."""
    for cls in classes:
        names = [f.name for f in fields(cls)]
        if not all(f.init for f in fields(cls)):
            raise TypeError(f"{cls.__name__} has fields __init__ does not take")
        cls.__reduce__ = _reducer(operator.attrgetter(*names), single=len(names) == 1)  # type: ignore[method-assign]


def _reducer(get: operator.attrgetter[Any], *, single: bool) -> Any:
    if single:  # attrgetter of one name returns the value, not a tuple
        return lambda self: (type(self), (get(self),))
    return lambda self: (type(self), get(self))


# JSON's own values, and lists as JSON arrays; every other value is a JSON object of one
# member, a tag and what it holds: {"(": [1, 2]} is a tuple,
# {"ObjectRef": ["Service", "default", "web"]} a given class.  The JSON parser (C) hands
# each object to ``_rebuild`` as it completes it, innermost first: no walk in Python.
_ATOMS = frozenset({str, int, float, bool, type(None)})
_TUPLE = "("

Encoder = Callable[[Any], dict[str, Any]]


class DataCodec:
    """Values made of JSON's atoms, lists, tuples and the given classes (frozen dataclasses
    and enums), to JSON bytes and back."""

    def __init__(self, classes: Iterable[type]) -> None:
        self._encoders: dict[type, Encoder] = {}
        # tag -> (class, number of fields); 0 fields: built from one value (an enum)
        self._classes: dict[str, tuple[type, int]] = {}
        self._parser = json.JSONDecoder(object_hook=self._rebuild)
        for cls in classes:
            tag = cls.__name__
            if tag in self._classes or tag == _TUPLE:
                raise ValueError(f"two classes are tagged {tag!r}")
            self._encoders[cls], self._classes[tag] = _class_codec(cls, tag, self.encode)

    def dumps(self, value: Any) -> bytes:
        """JSON bytes (ASCII); TypeError for a value of a class not given, ValueError for
        one JSON cannot hold (an integer of more than 4,300 digits)."""
        return json.dumps(self.encode(value), separators=(",", ":"), check_circular=False).encode()

    def loads(self, blob: bytes) -> Any:
        """The value ``dumps`` gave ``blob`` for; ValueError (or TypeError, RecursionError)
        for anything else."""
        return self._parser.decode(blob.decode())

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if kind in _ATOMS:
            return value
        if kind is list:
            return list(map(self.encode, value))
        if kind is tuple:
            return {_TUPLE: list(map(self.encode, value))}
        encoder = self._encoders.get(kind)
        if encoder is None:
            raise TypeError(f"cannot store a {kind.__name__}")
        return encoder(value)

    def _rebuild(self, member: dict[str, Any]) -> Any:
        (tag, held), *more = member.items()
        if tag == _TUPLE and type(held) is list and not more:
            return tuple(held)
        entry = self._classes.get(tag)
        if entry is None or more:
            raise ValueError(f"not a stored value: {tag!r}")
        cls, size = entry
        if size and type(held) is list and len(held) == size:
            return cls(*held)
        if not size and type(held) in _ATOMS:
            return cls(held)
        raise ValueError(f"not a stored {tag}")


def _class_codec(
    cls: type, tag: str, encode: Callable[[Any], Any]
) -> tuple[Encoder, tuple[type, int]]:
    if issubclass(cls, enum.Enum):
        return (lambda v: {tag: v.value}), (cls, 0)
    if is_dataclass(cls):
        if not all(f.init for f in fields(cls)):
            raise TypeError(f"{cls.__name__} has fields __init__ does not take")
        names = [f.name for f in fields(cls)]
    else:
        raise TypeError(f"{cls.__name__} is neither a dataclass nor an enum")
    get = operator.attrgetter(*names)
    if len(names) == 1:  # attrgetter of one name returns the value, not a tuple
        return (lambda v: {tag: [encode(get(v))]}), (cls, 1)
    return (lambda v: {tag: list(map(encode, get(v)))}), (cls, len(names))
