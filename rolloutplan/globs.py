"""Glob patterns, gitignore-like, matched part by part against paths (pure but for the
working directory, which relative paths are taken from).  Used for ``--exclude`` /
``exclude:`` and for ``units:`` in the config."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Sequence


def path_matcher(globs: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path matches one of ``globs`` as a named path matches an exclude: the path
    from the working directory, or a directory above it (``units:`` in the config)."""
    matcher = compiled(tuple(globs))
    return lambda path: matcher.match_named(parts_from_cwd(path), False) is not None


class Globs:
    """Glob patterns, gitignore-like.  ``*`` matches any characters but ``/``, ``?`` one,
    ``[abc]`` / ``[!abc]`` one of a set; ``**`` as a whole part matches any number of parts;
    a trailing ``/`` matches directories only.  A pattern without ``/`` is matched against
    names (at any depth); one with ``/`` against the whole path, relative to the walked
    directory and to the working directory (a leading ``/`` or ``./`` is ignored).  Patterns
    come from the config file, which may be a pull request's: fnmatch's translation does not
    backtrack catastrophically, and paths are matched part by part."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        # name patterns in order: pattern, literal name or glob, dir only; the globs are
        # compiled one by one only when a name matches their union (the defaults: 12 globs
        # and 19 names, checked for every named file; see _name_pattern)
        self._names: list[tuple[str, str | _LazyGlob, bool]] = []
        self._paths: list[tuple[str, tuple[_Part, ...], bool]] = []  # pattern, parts, dir only
        literal: set[str] = set()
        globs: list[str] = []
        for pattern in patterns:
            dir_only = pattern.endswith("/")
            body = pattern.rstrip("/").removeprefix("./").lstrip("/")
            if "/" in body:
                self._paths.append((pattern, tuple(map(_part, body.split("/"))), dir_only))
            elif body and not _is_glob(body):
                self._names.append((pattern, body, dir_only))
                literal.add(body)
            elif body:
                regex = fnmatch.translate(body)
                self._names.append((pattern, _LazyGlob(regex), dir_only))
                globs.append(regex)
        self._literal_names = frozenset(literal)
        # one regex for every glob of names: a walk asks it once per entry
        self._any_glob = _LazyGlob("|".join(f"(?:{regex})" for regex in globs) or "(?!)")

    def match(
        self, within: tuple[str, ...], is_dir: bool, top_from_cwd: tuple[str, ...]
    ) -> str | None:
        """The pattern leaving out a walked entry (its parts below the walked directory),
        or None.  The directories above it were matched when they were walked."""
        found = self._name_pattern(within[-1], is_dir)
        if found is not None:
            return found
        for pattern, parts, dir_only in self._paths:
            if dir_only and not is_dir:
                continue
            if _parts_match(parts, within) or (
                top_from_cwd and _parts_match(parts, (*top_from_cwd, *within))
            ):
                return pattern
        return None

    def match_named(self, parts: tuple[str, ...], is_dir: bool) -> str | None:
        """The pattern leaving out a named path (its parts from the working directory): the
        path itself, or a directory above it up to the working directory."""
        for end in range(len(parts), 0, -1):
            if parts[end - 1] == "..":
                break  # above the working directory: its names are not the project's
            directory = end < len(parts) or is_dir
            found = self._name_pattern(parts[end - 1], directory)
            if found is not None:
                return found
            for pattern, pattern_parts, dir_only in self._paths:
                if (directory or not dir_only) and _parts_match(pattern_parts, parts[:end]):
                    return pattern
        return None

    def _name_pattern(self, name: str, is_dir: bool) -> str | None:
        if name not in self._literal_names and not self._any_glob.match(name):
            return None
        for pattern, glob, dir_only in self._names:
            if (is_dir or not dir_only) and _fits(glob, name):
                return pattern
        return None


class _LazyGlob:
    """A regex compiled when it is first matched."""

    __slots__ = ("_compiled", "_pattern")

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def match(self, name: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern)
        return self._compiled.match(name)


@functools.cache
def compiled(patterns: tuple[str, ...]) -> Globs:
    """The patterns compiled once per run (a walk and each named path ask them)."""
    return Globs(patterns)


_Part = str | re.Pattern[str] | None  # a literal name, a glob, or None for **


def _part(glob: str) -> _Part:
    if glob == "**":
        return None
    if not _is_glob(glob):
        return glob
    return re.compile(fnmatch.translate(glob))


def _is_glob(text: str) -> bool:
    """Whether fnmatch gives ``text`` a meaning other than the literal name."""
    return any(c in text for c in "*?[")


def _parts_match(pattern: tuple[_Part, ...], parts: tuple[str, ...]) -> bool:
    """Whether path ``parts`` match the pattern's parts, ``**`` standing for any number of
    parts; at most len(pattern) x len(parts) steps."""
    if None not in pattern and len(pattern) != len(parts):
        return False
    reachable = {0}  # how many of the path's parts the pattern so far can have matched
    for part in pattern:
        if part is None:
            reachable = set(range(min(reachable), len(parts) + 1))
        else:
            reachable = {i + 1 for i in reachable if i < len(parts) and _fits(part, parts[i])}
        if not reachable:
            return False
    return len(parts) in reachable


def _fits(part: str | re.Pattern[str] | _LazyGlob, name: str) -> bool:
    return part == name if isinstance(part, str) else part.match(name) is not None


def parts_from_cwd(path: str) -> tuple[str, ...]:
    """``path`` relative to the working directory, as parts ('..' for a path outside it)."""
    relative = os.path.normpath(path)
    if os.path.isabs(relative):
        try:
            relative = os.path.relpath(relative)
        except ValueError:  # another drive (Windows)
            return tuple(p for p in relative.split(os.sep) if p)
    return () if relative == os.curdir else tuple(relative.split(os.sep))
