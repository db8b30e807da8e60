"""Remembering what a pure function gave for values that manifests repeat ("100m", "128Mi",
"--port"), within one run and in bounded memory: only calls whose arguments are all short
texts, integers or floats are kept (not bools: ``typed`` keeps 1 and 1.0 apart, and True
would be a second 1); any other call is computed every time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")
LONGEST = 64  # characters of a text that is kept


def remembered(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        cached = functools.lru_cache(maxsize=maxsize, typed=True)(function)

        @functools.wraps(function)
        def call(*args: Any) -> R:
            for arg in args:
                kind = arg.__class__
                if kind is str:
                    if len(arg) > LONGEST:
                        return function(*args)
                elif kind is not int and kind is not float:
                    return function(*args)
            return cached(*args)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
