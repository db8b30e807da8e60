"""Pickling frozen dataclasses as (class, field values), for results that cross processes.

A slotted dataclass pickles by default through Python-level ``__getstate__``/``__setstate__``
that set one field at a time; a class and a tuple of its fields load about twice as fast,
which matters when worker processes send back thousands of typed objects (``--jobs``).
"""

from __future__ import annotations

import operator
from dataclasses import fields
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
