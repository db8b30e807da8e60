"""Reading the manifests: files named or found by walking directories, and standard input.

Input is untrusted (a pull request's tree), so only regular files are read, each at most
MAX_FILE_BYTES: a FIFO would block, a link to /dev/zero would never end.  Symbolic links are
followed only where they lead inside the tree.  What cannot be read becomes an
UnreadablePath saying why (RP012), never an exception.

Excludes (``--exclude``, ``exclude:`` in the config, and DEFAULT_EXCLUDES) leave out files
and directories, found by walking or named: pre-commit names every staged file, so an
exclude must apply to named files for the hook to benefit.  What is left out is returned
as an Excluded record, for ``-v`` and the summary, never silently dropped.

With the default excludes, the files a kustomization lists as patches (and its other
files that are not objects: replacements, transformer configurations, generator data) are
left out too: kubectl never applies them, only ``kustomize build`` output.  A kustomization
counts where it lies in the walked directory (or, for a named file, in the file's directory
or one above it up to the working directory), and only the files it lists in or below its
own directory, as kustomize's default load restrictor allows: an absolute path, a ``..``
escape or a URL lists nothing.  Kustomizations are untrusted input too: each is read at
most MAX_KUSTOMIZATION_BYTES with the manifests' YAML loader, and one that cannot be read
is ignored.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolloutplan.globs import Globs, compiled, parts_from_cwd
from rolloutplan.kustomize import KUSTOMIZATIONS, MAX_KUSTOMIZATION_BYTES, listed_files
from rolloutplan.model.source import SourceText

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN_NAME = "<stdin>"
MAX_FILE_BYTES = 64 * 1024 * 1024  # one input; larger is RP012, never read into memory
_TOO_LARGE = f"larger than {MAX_FILE_BYTES // 2**20} MiB, the limit for one input; not read"
_NOT_REGULAR = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}
# a FIFO must not block the open, and a terminal device must not become ours
_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_GROWN_PART = 1 << 20  # bytes read at a time past the size a file had when opened

# Files that are never Kubernetes manifests: the configs of tools that live beside them.
# Left out while walking and when named, unless --no-default-excludes (default-excludes:
# false).  Same syntax as --exclude: a name without "/" matches at any depth.
DEFAULT_EXCLUDES = (
    # pre-commit, CI services and repository tools
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".github/", ".gitlab-ci.yml",
    ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "codecov.yml",
    ".codecov.yml", "mkdocs.yml", ".readthedocs.y*ml", ".yamllint", ".yamllint.y*ml",
    ".golangci.y*ml", ".goreleaser.y*ml", ".rolloutplan.y*ml", "renovate.json",
    # Docker Compose
    "docker-compose*.y*ml", "compose.y*ml", "compose.*.y*ml",
    # kustomize, Helm and Skaffold (a chart's templates/: see CHART_TEMPLATES)
    "kustomization.y*ml", "Kustomization", "Chart.yaml", "Chart.lock", "values*.y*ml",
    "values.schema.json", "skaffold.y*ml",
    # JavaScript and TypeScript projects
    "package.json", "package-lock.json", "tsconfig*.json",
)  # fmt: skip
# A Helm chart's templates are Go templates, manifests only once rendered (`helm template`):
# a directory of this name beside a Chart.yaml is left out with the default excludes.
CHART_TEMPLATES = "a Helm chart's templates (lint the output of `helm template` instead)"


@dataclass(frozen=True, slots=True)
class Excludes:
    """What to leave out: glob patterns (see ``globs.Globs``), and whether DEFAULT_EXCLUDES and
    the chart-templates rule apply too."""

    patterns: tuple[str, ...] = ()
    defaults: bool = True

    def all_patterns(self) -> tuple[str, ...]:
        return (*DEFAULT_EXCLUDES, *self.patterns) if self.defaults else self.patterns


@dataclass(frozen=True, slots=True)
class Excluded:
    """A file or directory left out, the pattern (or rule) that left it out, and whether it
    was named on the command line (those are always mentioned) or found by walking."""

    path: str
    pattern: str
    named: bool
    rule: bool = False  # ``pattern`` is a default rule's reason, not a glob


def read_sources(
    paths: Sequence[str], excludes: Excludes | None = None
) -> tuple[list[object], list[Excluded]]:
    """Read every input; paths that cannot be read become UnreadablePath records.  Also
    what the excludes left out, in path order."""
    from rolloutplan.collect import UnreadablePath

    excludes = Excludes() if excludes is None else excludes
    sources: list[object] = []
    excluded: list[Excluded] = []
    seen: set[str] = set()
    kustomizations: _Cache = {}  # pre-commit names many files of one directory
    for given in paths:
        if given == "-":
            sources.append(_read_stdin())
            continue
        files, problems, left_out, regular = _expand(Path(given), excludes, kustomizations)
        sources += [UnreadablePath(name, reason) for name, reason in problems]
        excluded += left_out
        for name in files:
            if name not in seen:
                seen.add(name)
                sources.append(_read_file(name, name in regular))
    return sources, _once(excluded)


def _once(excluded: list[Excluded]) -> list[Excluded]:
    """Each path once, in path order (a path named twice, or named and also walked: named)."""
    unique: dict[str, Excluded] = {}
    for item in excluded:
        if item.path not in unique or item.named:
            unique[item.path] = item
    return sorted(unique.values(), key=lambda item: item.path.split("/"))


def _read_stdin() -> object:
    from rolloutplan.collect import UnreadablePath

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return UnreadablePath(STDIN_NAME, _TOO_LARGE)
    return SourceText(STDIN_NAME, data)


def _read_file(name: str, regular: bool = False) -> object:
    """A regular file's bytes; anything else (a FIFO would block, /dev/zero never ends, a
    larger file than MAX_FILE_BYTES) is an UnreadablePath saying what it is.  ``regular``:
    the directory listing said so already (no symbolic link), so it is not asked again
    before the file is opened (what was opened is checked all the same)."""
    from rolloutplan.collect import UnreadablePath

    try:
        # devices and FIFOs are never even opened
        problem = None if regular else _not_readable(os.stat(name))
        if problem is None:
            descriptor = os.open(name, os.O_RDONLY | _OPEN_FLAGS | getattr(os, "O_BINARY", 0))
            try:
                # the same check on what was opened: it may have been replaced since
                info = os.fstat(descriptor)
                problem = _not_readable(info)
                data = _read_at_most(descriptor, info.st_size) if problem is None else b""
            finally:
                os.close(descriptor)
            if len(data) > MAX_FILE_BYTES:
                problem = _TOO_LARGE
    except FileNotFoundError:
        what = "a symbolic link to a missing file" if os.path.islink(name) else "no such file"
        return UnreadablePath(name, f"cannot read: {what}")
    except OSError as exc:
        return UnreadablePath(name, f"cannot read: {exc.strerror or exc}")
    if problem is not None:
        return UnreadablePath(name, problem)
    return SourceText(name, data)


def _read_at_most(descriptor: int, size: int) -> bytes:
    """The file's bytes, up to MAX_FILE_BYTES + 1 (it may have grown since ``size`` was
    seen).  Read in parts of the size expected: a read of MAX_FILE_BYTES + 1 allocates that
    much for every file, which made reading a tree three times slower."""
    parts = []
    left = MAX_FILE_BYTES + 1
    wanted = size + 1
    while left > 0:
        part = os.read(descriptor, min(left, wanted))
        if not part:
            break
        parts.append(part)
        left -= len(part)
        wanted = _GROWN_PART  # a file that grows, or says it is empty (/proc)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _open_nonblocking(name: str, flags: int) -> int:
    return os.open(name, flags | _OPEN_FLAGS)


def _not_readable(info: os.stat_result) -> str | None:
    """Why a file with this status is not read, or None for a regular file within the limit."""
    if not stat.S_ISREG(info.st_mode):
        kind = _NOT_REGULAR.get(stat.S_IFMT(info.st_mode), "a special file")
        return f"not a regular file but {kind}; not read"
    return _TOO_LARGE if info.st_size > MAX_FILE_BYTES else None


_Expanded = tuple[list[str], list[tuple[str, str]], list[Excluded], set[str]]


def _expand(path: Path, excludes: Excludes, kustomizations: _Cache) -> _Expanded:
    """The manifest files under ``path`` as POSIX paths in path order, (path, why) for what
    could not be read, what the excludes left out, and the files the directory listing
    showed to be regular files.  Hidden directories (.git, .github, ...) are skipped while
    walking; a file named explicitly is read unless excluded.  Strings, not Paths: a large
    tree has thousands of files."""
    top = path.as_posix()
    is_dir = path.is_dir()
    if not is_dir and not (path.exists() or path.is_symlink()):
        return [], [(top, "no such file or directory")], [], set()
    pattern = _named_exclude(top, is_dir, excludes)
    if pattern is not None:
        rule = pattern == CHART_TEMPLATES
        return [], [], [Excluded(top + "/" if is_dir else top, pattern, True, rule)], set()
    if not is_dir:
        listed = _kustomize_reason(top, None, kustomizations) if excludes.defaults else None
        if listed is not None:
            return [], [], [Excluded(top, listed, named=True, rule=True)], set()
        return [top], [], [], set()
    found, problems, excluded, regular = _walk(top, excludes)
    found.sort(key=lambda name: name.split("/"))  # as Paths sort: part by part
    if not found and not problems and not excluded:
        problems.append((top, "directory holds no *.yaml, *.yml or *.json files"))
    return found, problems, excluded, regular


def _walk(top: str, excludes: Excludes) -> _Expanded:
    """Every manifest file under the directory ``top``, but for what ``excludes`` leave out
    (an excluded directory is not read).  A symbolic link is followed when it leads inside
    ``top`` or the working directory: a pull request can commit one to /dev/zero, /proc or
    /.  Each directory is read once however many links lead to it, so loops end;
    directories reached by a link are read after all the others.  A directory's
    kustomization is read before its entries: what it lists lies in or below it."""
    inside = (os.path.realpath(top), os.path.realpath(os.curdir))
    from_cwd = parts_from_cwd(top)
    matcher = _matcher(excludes)
    visited: set[tuple[int, int]] = set()
    found: list[str] = []
    regular: set[str] = set()  # found files the listing says are regular (no link)
    problems: list[tuple[str, str]] = []
    excluded: list[Excluded] = []
    kustomized = _KustomizeListing()
    # each folder with its parts below ``top``
    folders: list[tuple[str, tuple[str, ...]]] = [(top, ())]
    linked: list[tuple[str, tuple[str, ...]]] = []
    while folders or linked:
        folder, within = folders.pop() if folders else linked.pop(0)
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            problems.append((folder, f"cannot read directory: {exc.strerror or exc}"))
            continue
        prefix = "" if folder == "." else folder + "/"
        names = [entry.name for entry in entries]
        chart = excludes.defaults and "Chart.yaml" in names
        if excludes.defaults and any(name in names for name in KUSTOMIZATIONS):
            kustomized.read(prefix, names, inside)
        for entry, base in zip(entries, names, strict=True):
            is_dir = entry.is_dir()
            if not (is_dir or base.endswith(MANIFEST_SUFFIXES)):
                continue
            if is_dir and base.startswith("."):
                continue
            name = prefix + base
            pattern = (
                CHART_TEMPLATES
                if chart and is_dir and base == "templates"
                else matcher.match((*within, base), is_dir, from_cwd)
            )
            listed = None if is_dir or pattern is not None else kustomized.reason(name)
            if pattern is not None:
                rule = pattern == CHART_TEMPLATES
                excluded.append(Excluded(name + "/" if is_dir else name, pattern, False, rule))
            elif listed is not None:
                excluded.append(Excluded(name, listed, named=False, rule=True))
            elif entry.is_symlink() and not _leads_inside(name, inside):
                problems.append((name, "a symbolic link leading outside the directory "
                                 "walked and the working directory; not followed"))  # fmt: skip
            elif is_dir:
                (linked if entry.is_symlink() else folders).append((name, (*within, base)))
            else:
                found.append(name)
                if entry.is_file(follow_symlinks=False):  # the listing's type: no system call
                    regular.add(name)
    return found, problems, excluded, regular


def exclusion(path: str, excludes: Excludes, roots: Sequence[str]) -> str | None:
    """The pattern that leaves out ``path``, named or found under one of ``roots`` (it
    may be gone from the disk: a file at a git revision), or None."""
    found = _named_exclude(path, False, excludes)
    parts = parts_from_cwd(path)
    below: tuple[str, ...] | None = None  # the outermost root ``path`` lies under
    for root in (r for r in roots if r != "-"):
        top = parts_from_cwd(root)
        within = parts[len(top) :]
        if parts[: len(top)] == top and within:
            below = top if below is None or len(top) < len(below) else below
            if found is None:
                found = _below(within, top, _matcher(excludes))
    if found is None and excludes.defaults:
        levels = None if below is None else len(parts) - len(below)
        found = _kustomize_reason(path, levels)
    return found


def _below(within: tuple[str, ...], top: tuple[str, ...], matcher: Globs) -> str | None:
    """The pattern leaving out a path below a walked directory, or a directory above it."""
    for end in range(1, len(within) + 1):
        found = matcher.match(within[:end], end < len(within), top)
        if found is not None:
            return found
    return None


def _named_exclude(path: str, is_dir: bool, excludes: Excludes) -> str | None:
    """The pattern that leaves out a path named on the command line, if one does: matched
    against the path as given, and each directory above it, relative to the working
    directory."""
    parts = parts_from_cwd(path)
    if not parts:
        return None  # the working directory itself, or the root
    if excludes.defaults and _in_chart_templates(path):
        return CHART_TEMPLATES
    return _matcher(excludes).match_named(parts, is_dir)


def _kustomize_reason(
    path: str, levels: int | None = None, cache: _Cache | None = None
) -> str | None:
    """Why the file ``path`` is left out as one a kustomization lists, or None.  The
    kustomizations read are those in its directory and the ``levels`` - 1 directories
    above it; by default up to the working directory (just its own directory when it lies
    outside the working directory), as for a named file.  ``cache`` keeps what each
    kustomization lists across the files of one run."""
    normal = os.path.normpath(path)
    parts = parts_from_cwd(normal)
    if levels is None:
        levels = 1 if not parts or parts[0] == ".." else len(parts)
    directories = [os.path.dirname(normal)]
    while len(directories) < levels and directories[-1] not in ("", os.sep):
        directories.append(os.path.dirname(directories[-1]))
    inside = (os.path.realpath(directories[-1] or os.curdir), os.path.realpath(os.curdir))
    kustomized = _KustomizeListing(cache)
    for directory in reversed(directories):  # outermost first: the nearest one names it
        prefix = directory.rstrip("/") + "/" if directory else ""
        kustomized.read(prefix, KUSTOMIZATIONS, inside)
    return kustomized.reason(normal.replace(os.sep, "/"))


# kustomization path -> (the files it lists that are not objects, the resources it lists);
# None when it is missing or cannot be read
_Cache = dict[str, tuple[dict[str, str], set[str]] | None]


class _KustomizeListing:
    """The files kustomizations list, by their paths as walked or named, with what each is;
    and the resources they list, which stay checked however else a kustomization lists them.
    """

    def __init__(self, cache: _Cache | None = None) -> None:
        self._cache: _Cache = {} if cache is None else cache
        self._files: dict[str, str] = {}
        self._resources: set[str] = set()

    def read(self, prefix: str, names: Iterable[str], inside: tuple[str, ...]) -> None:
        """Add what the kustomizations of a directory list: those among ``names`` (in
        KUSTOMIZATIONS' order); ``prefix`` is the directory's path with a trailing '/'
        ("" for the working directory).  A link leading outside ``inside`` is not read."""
        for name in (prefix + n for n in KUSTOMIZATIONS if n in names):
            if name not in self._cache:
                self._cache[name] = _listed_by(name, inside)
            listed = self._cache[name]
            if listed is not None:
                files, resources = listed
                self._files.update(
                    {prefix + path: f"{what} listed in {name}" for path, what in files.items()}
                )
                self._resources.update(prefix + path for path in resources)

    def reason(self, name: str) -> str | None:
        return None if name in self._resources else self._files.get(name)


def _listed_by(name: str, inside: tuple[str, ...]) -> tuple[dict[str, str], set[str]] | None:
    if os.path.islink(name) and not _leads_inside(name, inside):
        return None
    data = _read_kustomization(name)
    return None if data is None else listed_files(data)


def _read_kustomization(name: str) -> dict[str, Any] | None:
    """The settings of the kustomization file ``name``; None when it is not a regular file
    of at most MAX_KUSTOMIZATION_BYTES, or not a YAML mapping: it is then ignored."""
    from rolloutplan.load.text import decode
    from rolloutplan.load.yaml_docs import load_documents

    try:
        if not _small_regular(os.stat(name)):  # devices and FIFOs are never even opened
            return None
        with open(name, "rb", opener=_open_nonblocking) as file:
            if not _small_regular(os.fstat(file.fileno())):
                return None
            data = file.read(MAX_KUSTOMIZATION_BYTES + 1)
    except OSError:
        return None
    text = decode(data)
    if not isinstance(text, str) or len(data) > MAX_KUSTOMIZATION_BYTES:
        return None
    loaded = load_documents(text)
    if loaded.problems or len(loaded.documents) != 1:
        return None
    settings = loaded.documents[0].data
    return settings if isinstance(settings, dict) else None


def _small_regular(info: os.stat_result) -> bool:
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_KUSTOMIZATION_BYTES


def _in_chart_templates(path: str) -> bool:
    """Whether ``path`` is, or is inside, a ``templates`` directory beside a Chart.yaml."""
    current = os.path.normpath(path)
    while True:
        parent = os.path.dirname(current)
        chart = os.path.join(parent or os.curdir, "Chart.yaml")
        if os.path.basename(current) == "templates" and os.path.isfile(chart):
            return True
        if not parent or parent == current:
            return False
        current = parent


def _leads_inside(link: str, tops: tuple[str, ...]) -> bool:
    target = os.path.realpath(link)
    return any(target == top or target.startswith(top.rstrip("/") + "/") for top in tops)


def is_file_source(source: object) -> bool:
    """A file read from disk (not standard input, nor a path that could not be read)."""
    return isinstance(source, SourceText) and source.path != STDIN_NAME


def _matcher(excludes: Excludes) -> Globs:
    return compiled(excludes.all_patterns())
