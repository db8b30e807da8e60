"""Reading the manifests: files named or found by walking directories, and standard input.

Input is untrusted (a pull request's tree), so only regular files are read, each at most
MAX_FILE_BYTES: a FIFO would block, a link to /dev/zero would never end.  Symbolic links are
followed only where they lead inside the tree.  What cannot be read becomes an
UnreadablePath saying why (RP012), never an exception.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

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


def read_sources(paths: Sequence[str]) -> list[object]:
    """Read every input; paths that cannot be read become UnreadablePath records."""
    from rolloutplan.collect import UnreadablePath

    sources: list[object] = []
    seen: set[str] = set()
    for given in paths:
        if given == "-":
            sources.append(_read_stdin())
            continue
        files, problems = _expand(Path(given))
        sources += [UnreadablePath(name, reason) for name, reason in problems]
        for name in files:
            if name not in seen:
                seen.add(name)
                sources.append(_read_file(name))
    return sources


def _read_stdin() -> object:
    from rolloutplan.collect import UnreadablePath

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return UnreadablePath(STDIN_NAME, _TOO_LARGE)
    return SourceText(STDIN_NAME, data)


def _read_file(name: str) -> object:
    """A regular file's bytes; anything else (a FIFO would block, /dev/zero never ends, a
    larger file than MAX_FILE_BYTES) is an UnreadablePath saying what it is."""
    from rolloutplan.collect import UnreadablePath

    try:
        problem = _not_readable(os.stat(name))  # devices and FIFOs are never even opened
        if problem is None:
            with open(name, "rb", opener=_open_nonblocking) as file:
                # the same check on what was opened: it may have been replaced since
                problem = _not_readable(os.fstat(file.fileno()))
                data = file.read(MAX_FILE_BYTES + 1) if problem is None else b""
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


def _open_nonblocking(name: str, flags: int) -> int:
    return os.open(name, flags | _OPEN_FLAGS)


def _not_readable(info: os.stat_result) -> str | None:
    """Why a file with this status is not read, or None for a regular file within the limit."""
    if not stat.S_ISREG(info.st_mode):
        kind = _NOT_REGULAR.get(stat.S_IFMT(info.st_mode), "a special file")
        return f"not a regular file but {kind}; not read"
    return _TOO_LARGE if info.st_size > MAX_FILE_BYTES else None


def _expand(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The manifest files under ``path`` as POSIX paths in path order, and (path, why) for
    what could not be read.  Hidden directories (.git, .github, ...) are skipped while
    walking; a file named explicitly is always read.  Strings, not Paths: a large tree has
    thousands of files."""
    top = path.as_posix()
    if not path.is_dir():
        if path.exists() or path.is_symlink():
            return [top], []
        return [], [(top, "no such file or directory")]
    found, problems = _walk(top)
    found.sort(key=lambda name: name.split("/"))  # as Paths sort: part by part
    if not found and not problems:
        problems.append((top, "directory holds no *.yaml, *.yml or *.json files"))
    return found, problems


def _walk(top: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every manifest file under the directory ``top``.  A symbolic link is followed when it
    leads inside ``top`` or the working directory: a pull request can commit one to
    /dev/zero, /proc or /.  Each directory is read once however many links lead to it, so
    loops end; directories reached by a link are read after all the others."""
    inside = (os.path.realpath(top), os.path.realpath(os.curdir))
    visited: set[tuple[int, int]] = set()
    found: list[str] = []
    problems: list[tuple[str, str]] = []
    folders, linked = [top], []
    while folders or linked:
        folder = folders.pop() if folders else linked.pop(0)
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
        for entry in entries:
            name = prefix + entry.name
            is_dir = entry.is_dir()
            if not (is_dir or entry.name.endswith(MANIFEST_SUFFIXES)):
                continue
            if is_dir and entry.name.startswith("."):
                continue
            if entry.is_symlink() and not _leads_inside(name, inside):
                problems.append((name, "a symbolic link leading outside the directory "
                                 "walked and the working directory; not followed"))  # fmt: skip
            elif is_dir:
                (linked if entry.is_symlink() else folders).append(name)
            else:
                found.append(name)
    return found, problems


def _leads_inside(link: str, tops: tuple[str, ...]) -> bool:
    target = os.path.realpath(link)
    return any(target == top or target.startswith(top.rstrip("/") + "/") for top in tops)


def is_file_source(source: object) -> bool:
    """A file read from disk (not standard input, nor a path that could not be read)."""
    return isinstance(source, SourceText) and source.path != STDIN_NAME
