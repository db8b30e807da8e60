"""Apply units: which input files are applied together, so that copies of one object are
never mixed (pure: paths and object references in, groups of file indexes out).

An object defined in two files (same kind, namespace and name) is two deployments of one
app: an environment, an overlay, a sample.  The directories that separate the copies split
the inputs.  For each group of copies, the deepest directory holding them all is a
*splitting directory*, and each of its entries holding a copy (a subdirectory, or the files
directly in it, taken together) a *branch*; copies inside one branch are split again the
same way.  A branch that holds a splitting directory further down is split too.

Every file then hangs at one point of that tree (its *anchor*): the deepest branch it is in,
or, when it lies in no branch of its deepest splitting directory (a common
``namespace.yaml``), that directory itself.  The units are the branches with no splitting
directory inside; a file belongs to each unit below its anchor *and* below its own
directory (a ``namespace.yaml`` or a Service in a parent directory is shared by every unit
below it; one in a sibling directory such as ``deploy/common/`` is not).  The files that
end in no unit form one more unit per anchor, with the files above them.  With no copies at
all, everything is one unit.

Copies that no directory separates (in one file, or in two files of one directory) end in
one unit: a true duplicate, reported as RP407.  Explicit units (``units:`` in the config
file, one list of globs per unit, matched as excludes match a named path) take the files
they match; a file matched by none falls back to the rule above.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rolloutplan.globs import path_matcher
from rolloutplan.model.finding import ObjectRef

Dir = tuple[str, ...]
T = TypeVar("T")
# the branch of the files directly in a splitting directory: "/" is never a part's name
# ("" is: the first part of an absolute path)
DIRECT = "/"


@dataclass(frozen=True, slots=True)
class Unit:
    """Files applied together: a directory, an explicit ``units:`` glob, or all files."""

    name: str  # e.g. ``deploy/prod``, or ``(all files)`` for the only unit
    files: tuple[int, ...]  # indexes of the inputs, ascending


@dataclass(frozen=True, slots=True)
class Copy:
    """One definition of an object: the file (its index) and which of the file's copies."""

    file: int
    nth: int


@dataclass(frozen=True, slots=True)
class Duplicate:
    """``second`` replaces ``first`` in a unit that applies both."""

    ref: ObjectRef
    first: Copy
    second: Copy


@dataclass(frozen=True, slots=True)
class Units:
    """The apply units of a run, and which units each input file is in."""

    units: tuple[Unit, ...]
    of_file: tuple[tuple[int, ...], ...]  # per input file, the indexes of its units
    duplicates: tuple[Duplicate, ...]


def apply_units(
    paths: Sequence[str],
    refs: Sequence[Iterable[ObjectRef]],
    explicit: Sequence[Sequence[str]] = (),
) -> Units:
    """The units of files ``paths``, whose objects are ``refs`` (one iterable per file, with
    each copy: a file may define an object twice).  ``explicit``: one list of globs per unit."""
    refs = [list(file_refs) for file_refs in refs]
    matchers = [path_matcher(globs) for globs in explicit]
    chosen = [tuple(i for i, matches in enumerate(matchers) if matches(path)) for path in paths]
    automatic = [i for i, units in enumerate(chosen) if not units]
    tree = _Tree.build([_directory(paths[i]) for i in automatic], [refs[i] for i in automatic])
    names = [" ".join(globs) for globs in explicit]
    members: list[list[int]] = [[] for _ in names]
    for file, units in enumerate(chosen):
        for unit in units:
            members[unit].append(file)
    for name, positions in tree.units():
        names.append(name)
        members.append(sorted(automatic[position] for position in positions))
    order = sorted((i for i in range(len(names)) if members[i]), key=lambda i: (names[i], i))
    units = tuple(Unit(names[i], tuple(members[i])) for i in order)
    of_file: list[list[int]] = [[] for _ in paths]
    for index, unit in enumerate(units):
        for file in unit.files:
            of_file[file].append(index)
    return Units(units, tuple(map(tuple, of_file)), _duplicates(paths, refs, chosen))


class PreviousCopies(Generic[T]):
    """The previous copies of one object, each with its file, to find the previous version
    of a copy defined in a given path: the one in the same path, else the one whose path
    ends the same way longest (then whose directory does: a renamed file), the later path
    on a tie.  Indexed by path endings, so that finding one takes steps in the path's
    depth, not in the number of copies (thousands of environments, each compared)."""

    def __init__(self, copies: Iterable[tuple[str, T]]) -> None:
        self.exact: dict[str, T] = {}
        self.by_end: dict[Dir, tuple[list[str], T]] = {}  # path ending -> the later copy
        self.by_directory_end: dict[Dir, tuple[list[str], T]] = {}
        for path, value in copies:
            self.exact[path] = value
            parts = path.split("/")
            for depth in range(len(parts) + 1):
                _keep_later(self.by_end, tuple(parts[len(parts) - depth :]), parts, value)
                if depth < len(parts):
                    end = tuple(parts[len(parts) - 1 - depth : -1])
                    _keep_later(self.by_directory_end, end, parts, value)

    def of(self, path: str) -> T | None:
        """The previous version of the copy in ``path``; None without copies."""
        if path in self.exact:
            return self.exact[path]
        parts = path.split("/")
        for depth in range(len(parts), 0, -1):
            found = self.by_end.get(tuple(parts[len(parts) - depth :]))
            if found is not None:
                return found[1]
        for depth in range(len(parts) - 1, -1, -1):
            found = self.by_directory_end.get(tuple(parts[len(parts) - 1 - depth : -1]))
            if found is not None:
                return found[1]
        return None


def _keep_later(
    table: dict[Dir, tuple[list[str], T]], end: Dir, parts: list[str], value: T
) -> None:
    kept = table.get(end)
    if kept is None or parts > kept[0]:
        table[end] = (parts, value)


def _directory(path: str) -> Dir:
    return tuple(path.split("/")[:-1])


def _name(leaf: Dir) -> str:
    if leaf and leaf[-1] == DIRECT:
        return "/".join(leaf[:-1]) + "/*" if len(leaf) > 1 else "*"
    return "/".join(leaf) or "/"


def _rest_name(anchor: Dir, leaves: bool) -> str:
    if not anchor:
        return "(the other files)" if leaves else "(all files)"
    return f"{_name(anchor)} (the other files)"


class _Tree:
    """Splitting directories, their branches and each automatic file's anchor."""

    def __init__(self) -> None:
        self.branches: dict[Dir, set[str]] = {}  # splitting directory -> branch entries
        self.directories: list[Dir] = []
        self.anchors: list[Dir] = []
        self.leaves: list[Dir] = []

    @classmethod
    def build(cls, directories: list[Dir], refs: list[list[ObjectRef]]) -> _Tree:
        tree = cls()
        holders: dict[ObjectRef, dict[int, None]] = {}
        for file, file_refs in enumerate(refs):
            for ref in file_refs:
                holders.setdefault(ref, {})[file] = None
        for files in holders.values():
            if len(files) > 1:
                tree._split([directories[f] for f in files])
        tree._close()
        tree.directories = directories
        tree.anchors = [tree._anchor(directory) for directory in directories]
        tree._find_leaves()
        return tree

    def _split(self, group: list[Dir]) -> None:
        """Separate the copies in ``group`` (their files' directories), recursively."""
        while True:
            common = _common(group)
            parts: dict[str, list[Dir]] = {}
            for directory in group:
                entry = directory[len(common)] if len(directory) > len(common) else DIRECT
                parts.setdefault(entry, []).append(directory)
            if len(parts) < 2:
                return  # one directory: a true duplicate, for RP407
            self.branches.setdefault(common, set()).update(parts)
            nested = [part for entry, part in parts.items() if entry != DIRECT and len(part) > 1]
            for part in nested[1:]:
                self._split(part)
            if not nested:
                return
            group = nested[0]

    def _close(self) -> None:
        """An entry of a splitting directory that holds another splitting directory is a
        branch as well, so that each file's branches form one chain."""
        for inner in list(self.branches):
            for depth in range(len(inner)):
                outer = inner[:depth]
                if outer in self.branches:
                    self.branches[outer].add(inner[depth])

    def _anchor(self, directory: Dir) -> Dir:
        anchor: Dir = ()
        for depth in range(len(directory) + 1):
            outer = directory[:depth]
            entries = self.branches.get(outer)
            if entries is None:
                continue
            entry = directory[depth] if depth < len(directory) else DIRECT
            anchor = (*outer, entry) if entry in entries else outer
        return anchor

    def _find_leaves(self) -> None:
        inner = {d[:depth] for d in self.branches for depth in range(len(d) + 1)}
        branches = [(*d, entry) for d, entries in self.branches.items() for entry in entries]
        self.leaves = sorted(b for b in branches if b not in inner)

    def units(self) -> list[tuple[str, list[int]]]:
        """Each unit's name and files (positions): a leaf takes the files in it and those
        above it whose anchor leads to it; the files no leaf takes form a unit per anchor."""
        by_directory: dict[Dir, tuple[list[int], list[int]]] = {}
        by_anchor: dict[Dir, list[int]] = {}
        for position, directory in enumerate(self.directories):
            shared, direct = by_directory.setdefault(directory, ([], []))
            anchor = self.anchors[position]
            (direct if anchor == (*directory, DIRECT) else shared).append(position)
            by_anchor.setdefault(anchor, []).append(position)
        taken = [False] * len(self.directories)
        found = []
        for leaf in self.leaves:
            files = sorted({*self._above(leaf, by_directory), *by_anchor.get(leaf, [])})
            for position in files:
                taken[position] = True
            found.append((_name(leaf), files))
        rest: dict[Dir, list[int]] = {}
        for position, anchor in enumerate(self.anchors):
            if not taken[position]:
                rest.setdefault(anchor, []).append(position)
        for anchor, own in sorted(rest.items()):
            files = sorted({*own, *self._above(anchor, by_directory)})
            found.append((_rest_name(anchor, bool(self.leaves)), files))
        return found

    @staticmethod
    def _above(point: Dir, by_directory: dict[Dir, tuple[list[int], list[int]]]) -> list[int]:
        """The files in the directories along ``point`` whose anchor leads to it.  A file's
        anchor is its directory, a directory above it, or the branch of the files directly
        in its directory: so of a directory along ``point``, every file is taken but those
        of that branch, unless ``point`` is that branch.  (Testing each file's anchor would
        take leaves x files steps when a directory holds many files and many branches.)"""
        found: list[int] = []
        for depth in range(len(point) + 1):
            shared, direct = by_directory.get(point[:depth], ([], []))
            found += shared
            if point[depth:] == (DIRECT,):
                found += direct
        return found


def _common(directories: list[Dir]) -> Dir:
    first = min(directories)
    last = max(directories)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def _duplicates(
    paths: Sequence[str], refs: list[list[ObjectRef]], chosen: list[tuple[int, ...]]
) -> tuple[Duplicate, ...]:
    """Copies that end in one unit: for automatic files, those in one directory (the tree
    separates any others); for explicit ones, those of one explicit unit.  Each copy is
    paired with the copy before it in that unit."""
    last: dict[tuple[ObjectRef, object], tuple[int, int]] = {}  # (file, nth): a Copy
    found: dict[Duplicate, None] = {}
    for file, file_refs in enumerate(refs):
        # an automatic file's place: its directory, as the path up to its last "/" (one
        # string, which hashes once; the tuple of parts was hashed again at each look-up)
        head, slash, _ = paths[file].rpartition("/")
        places: tuple[object, ...] = chosen[file] or (head + slash,)
        counts: dict[ObjectRef, int] = {}
        for ref in file_refs:
            nth = counts.get(ref, 0)
            counts[ref] = nth + 1
            for place in places:
                key = (ref, place)
                before = last.get(key)
                if before is not None:  # Copy objects only for the few duplicates
                    found[Duplicate(ref, Copy(*before), Copy(file, nth))] = None
                last[key] = (file, nth)
    return tuple(found)
