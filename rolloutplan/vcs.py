"""Reading manifests as they were at a git revision (IO: runs git; used by the CLI only).

``git diff --raw -z -M REV`` says which files were added, modified, renamed or deleted since
(NUL-separated: any file name survives), and ``git cat-file blob REV:path`` reads a file at
the revision without a checkout.  Files that did not change are not read here: their base
version is the one the CLI already read.

The repository is untrusted (a pull request's clone, or someone else's checkout), and its
``.git/config`` could name programs for git to run.  Every call runs with settings that turn
those off (fsmonitor, filter drivers, external diff and textconv, pagers, fetching missing
objects), so rolloutplan's git calls only ever read.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rolloutplan.inputs import MANIFEST_SUFFIXES

_SYMLINK_MODE, _SUBMODULE_MODE = "120000", "160000"
_NULL_MODE = "000000"
_FILTER_OFF = (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))

# config that may run a program, overridden for every call (GIT_CONFIG_COUNT beats the
# repository's own config, and takes keys and values apart: no quoting to get wrong)
_SAFE_CONFIG = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("diff.external", ""),
    ("protocol.allow", "never"),  # a promisor remote would fetch missing objects (ssh ...)
    ("log.showSignature", "false"),
)


class GitError(Exception):
    """git failed (not a repository, unknown revision ...); the CLI exits 2 with it."""


@dataclass(frozen=True, slots=True)
class Change:
    status: str  # A added, M modified, R renamed, D deleted
    path: Path  # the file now (for D: where it was)
    old_path: Path | None  # the file at the base revision (None for A)
    old_mode: str = _NULL_MODE  # git's mode of the file at the base (120000: a symlink)


@dataclass(frozen=True, slots=True)
class BaseVersion:
    """The base revision's side of a comparison: the changed files' base contents; the
    unchanged files' base version is the file as it is now."""

    changes: tuple[Change, ...]
    files: tuple[tuple[str, bytes], ...]  # (display path, content at the base)
    notes: tuple[str, ...] = ()  # base files that could not be compared, and why

    @property
    def changed_paths(self) -> frozenset[Path]:
        return frozenset(c.path for c in self.changes if c.status != "D")


def read_base(revision: str, paths: list[Path]) -> BaseVersion:
    """The base revision's version of every changed manifest under ``paths`` (and of those
    deleted), from the repository that holds them (the working directory's without paths)."""
    if revision.startswith("-"):
        raise GitError(f"{revision!r} is not a revision")  # nor an option for git
    env = _environment()
    root = repository_of(paths, env)
    env = _without_filters(root, env)
    commit = _verify(root, env, revision)
    try:
        return _base_version(root, env, revision, commit, paths)
    except GitError as exc:
        raise _missing_objects(exc, root, env, revision) from None


def _base_version(
    root: Path, env: dict[str, str], revision: str, commit: str, paths: list[Path]
) -> BaseVersion:
    wanted = [(given, given.resolve()) for given in paths]
    relevant = [
        change
        for change in _changes(root, env, commit)
        if any(_under(change.path, w) or (change.old_path and _under(change.old_path, w))
               for _, w in wanted)
    ]  # fmt: skip
    files: list[tuple[str, bytes]] = []
    notes: list[str] = []
    for change in relevant:
        if change.old_path is None or change.old_mode == _SUBMODULE_MODE:
            continue
        name = _display(change.old_path, wanted)
        if change.old_mode == _SYMLINK_MODE:
            notes.append(f"{name} was a symbolic link at {revision}; not compared")
            continue
        spec = f"{commit}:{change.old_path.relative_to(root).as_posix()}"
        files.append((name, _git(root, env, "cat-file", "blob", spec)))
    return BaseVersion(tuple(relevant), tuple(sorted(files)), tuple(notes))


def repository_of(paths: list[Path], env: dict[str, str] | None = None) -> Path:
    """The top directory of the one repository that holds every path (the working
    directory's when there are none); paths in no repository, or in several, are an error
    naming them."""
    env = _environment() if env is None else env
    asked: dict[Path, Path] = {}  # directory -> top: pre-commit names many files of one
    tops: dict[Path, list[Path]] = {}
    for given in paths or [Path.cwd()]:
        start = _existing_directory(given)
        if start not in asked:
            asked[start] = _top_of(start, given, env)
        tops.setdefault(asked[start], []).append(given)
    if len(tops) > 1:
        listed = "; ".join(
            f"{', '.join(p.as_posix() for p in found[:3])}{' ...' if len(found) > 3 else ''} "
            f"in {top.as_posix()}"
            for top, found in tops.items()
        )
        raise GitError(f"the paths are in different git repositories ({listed}): "
                       "check each repository in a run of its own")  # fmt: skip
    return next(iter(tops))


def _existing_directory(given: Path) -> Path:
    """``given`` if a directory, else the nearest directory above it (a deleted file's)."""
    start = given.resolve()
    while not start.is_dir() and start != start.parent:
        start = start.parent
    return start


def _top_of(start: Path, given: Path, env: dict[str, str]) -> Path:
    try:
        found = _git(start, env, "rev-parse", "--show-toplevel")
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise GitError(f"{given.as_posix()} is not in a git repository") from None
        raise GitError(f"{given.as_posix()}: {exc}") from None
    return Path(os.fsdecode(found).rstrip("\n"))


def _verify(root: Path, env: dict[str, str], revision: str) -> str:
    """The commit ``revision`` names; an unknown one is an error, with the fix when the
    clone is shallow (actions/checkout fetches one commit unless told otherwise)."""
    try:
        found = _git(root, env, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        message = f"unknown revision {revision!r}"
        if _is_shallow(root, env):
            message += f"; this is a shallow clone, which may not hold it: {_FETCH_HISTORY}"
        raise GitError(message) from None
    return found.decode("ascii").strip()


_FETCH_HISTORY = (
    "fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow, or "
    "git fetch --deepen=N for N more commits)"
)


def _missing_objects(exc: GitError, root: Path, env: dict[str, str], revision: str) -> GitError:
    """A git failure after the revision resolved: in a shallow or partial clone, an object
    it lacks, and the error says how to fetch it (nothing is ever fetched here)."""
    if _is_shallow(root, env):
        return GitError(f"{exc}; this shallow clone lacks objects of {revision!r}: "
                        f"{_FETCH_HISTORY}")  # fmt: skip
    if _is_partial(root, env):
        return GitError(
            f"{exc}; this partial clone (--filter) lacks objects of {revision!r}, and "
            "rolloutplan fetches nothing: clone without --filter (actions/checkout: no "
            "filter, fetch-depth: 0)"
        )
    return exc


def _is_shallow(root: Path, env: dict[str, str]) -> bool:
    answer = _git(root, env, "rev-parse", "--is-shallow-repository", check=False)
    return answer.strip() == b"true"


def _is_partial(root: Path, env: dict[str, str]) -> bool:
    """A clone made with --filter: git records the remote that can fetch what it lacks."""
    found = _git(root, env, "config", "-z", "--get-regexp", r"^remote\..*\.promisor$|"
                 r"^extensions\.partialclone$", check=False)  # fmt: skip
    return bool(found)


def _changes(root: Path, env: dict[str, str], commit: str) -> list[Change]:
    output = _git(root, env, "diff", "--raw", "-z", "-M", "--no-color", "--no-ext-diff",
                  "--no-textconv", "--no-relative", commit, "--", ".")  # fmt: skip
    untracked = _git(root, env, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    changes = _parse_raw(root, output.split(b"\0"))
    changes += [
        Change("A", root / os.fsdecode(name), None) for name in untracked.split(b"\0") if name
    ]
    return [c for c in changes if c.path.name.endswith(MANIFEST_SUFFIXES)]


def _parse_raw(root: Path, fields: list[bytes]) -> list[Change]:
    """``:oldmode newmode oldsha newsha STATUS`` then one path, or two for R and C."""
    changes = []
    position = 0
    while position < len(fields) and fields[position].startswith(b":"):
        old_mode, _, _, _, status = os.fsdecode(fields[position][1:]).split(" ")
        first = root / os.fsdecode(fields[position + 1])
        if status[0] in "RC":
            second = root / os.fsdecode(fields[position + 2])
            position += 3
            if status[0] == "R":
                changes.append(Change("R", second, first, old_mode))
            else:  # a copy: its source is unchanged, the copy is new
                changes.append(Change("A", second, None))
            continue
        position += 2
        if status[0] == "A":
            changes.append(Change("A", first, None))
        elif status[0] == "D":
            changes.append(Change("D", first, first, old_mode))
        else:  # M, T (type change), U (unmerged)
            changes.append(Change("M", first, first, old_mode))
    return changes


def _under(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def _display(path: Path, wanted: list[tuple[Path, Path]]) -> str:
    """A base file's name as the head's files are named: relative to the working directory
    when under it, else under the path given that holds it, as it was given (absolute, or
    relative with ``..``)."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    for given, resolved in wanted:
        if _under(path, resolved):
            return (given / path.relative_to(resolved)).as_posix()
    return path.as_posix()


def _environment() -> dict[str, str]:
    """The caller's environment, without git's system config and with every setting that
    runs a program off; settings the caller gave with GIT_CONFIG_COUNT are kept."""
    env = dict(os.environ)
    env.pop("GIT_EXTERNAL_DIFF", None)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # read only: no refreshed index written back
        GIT_NO_LAZY_FETCH="1",
        GIT_PAGER="cat",
    )
    return _with_config(env, _SAFE_CONFIG)


def _with_config(env: dict[str, str], settings: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``env`` plus config settings, which beat the repository's own."""
    given = env.get("GIT_CONFIG_COUNT", "")
    count = int(given) if given.isdigit() else 0
    env = dict(env)
    for key, value in settings:
        env[f"GIT_CONFIG_KEY_{count}"] = key
        env[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
    env["GIT_CONFIG_COUNT"] = str(count)
    return env


def _without_filters(root: Path, env: dict[str, str]) -> dict[str, str]:
    """Filter drivers (``filter.<name>.clean``) run programs on working-tree files when git
    compares them; their names are the repository's, so each one configured is emptied."""
    keys = os.fsdecode(_git(root, env, "config", "-z", "--name-only", "--get-regexp",
                            r"^filter\.", check=False))  # fmt: skip
    drivers = sorted({key.rsplit(".", 1)[0] for key in keys.split("\0") if key.count(".") >= 2})
    return _with_config(
        env,
        ((f"{driver}.{key}", value) for driver in drivers for key, value in _FILTER_OFF),
    )


def _git(where: Path, env: dict[str, str], *args: str, check: bool = True) -> bytes:
    try:
        done = subprocess.run(
            ["git", "--no-pager", *args], cwd=where, capture_output=True, check=False, env=env
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if check and done.returncode != 0:
        raise GitError(_git_message(done.stderr) or f"git {args[0]} failed")
    return done.stdout


def _git_message(stderr: bytes) -> str:
    """git's error, one line: its warnings (``lazy fetching disabled``) are our doing."""
    lines = stderr.decode("utf-8", errors="replace").splitlines()
    kept = [line.strip() for line in lines if line.strip() and not line.startswith("warning:")]
    return "; ".join(kept)
