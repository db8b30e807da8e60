"""Reading manifests as they were at a git revision (IO: runs git; used by the CLI only).

``git show REV:path`` reads a file at the revision without a checkout; ``git diff
--name-status -M REV`` says which files were added, modified, renamed or deleted since.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


class GitError(Exception):
    """git failed (not a repository, unknown revision ...); the CLI exits 2 with it."""


@dataclass(frozen=True, slots=True)
class Change:
    status: str  # A added, M modified, R renamed, D deleted
    path: Path  # the file now (for D: where it was)
    old_path: Path | None  # the file at the base revision (None for A)


@dataclass(frozen=True, slots=True)
class BaseVersion:
    """The base revision's side of a comparison."""

    changes: tuple[Change, ...]
    files: tuple[tuple[str, bytes], ...]  # (display path, content at the base) to compare with

    @property
    def changed_paths(self) -> frozenset[Path]:
        return frozenset(c.path for c in self.changes if c.status != "D")


def read_base(revision: str, paths: list[Path]) -> BaseVersion:
    """The base revision's version of every manifest under ``paths`` (and of those deleted)."""
    root = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    changes = _changes(root, revision)
    wanted = [p.resolve() for p in paths]
    files: list[tuple[str, bytes]] = []
    relevant = []
    for change in changes:
        if not any(_under(change.path, w) or (change.old_path and _under(change.old_path, w))
                   for w in wanted):  # fmt: skip
            continue
        relevant.append(change)
    unchanged = [p for p in _manifests(wanted) if p not in {c.path for c in relevant}]
    for path in unchanged:
        files.append((_display(path), path.read_bytes()))
    for change in relevant:
        if change.old_path is not None:
            content = _git_bytes(root, "show", f"{revision}:{change.old_path.relative_to(root)}")
            files.append((_display(change.old_path), content))
    return BaseVersion(tuple(relevant), tuple(sorted(files)))


def _changes(root: Path, revision: str) -> list[Change]:
    output = _git(root, "diff", "--name-status", "-M", "--no-color", revision, "--", ".")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard")
    changes = []
    for line in output.splitlines():
        parts = line.split("\t")
        status = parts[0][0]
        if status == "R":
            changes.append(Change("R", root / parts[2], root / parts[1]))
        elif status == "A":
            changes.append(Change("A", root / parts[1], None))
        elif status == "D":
            changes.append(Change("D", root / parts[1], root / parts[1]))
        else:
            changes.append(Change("M", root / parts[1], root / parts[1]))
    changes += [Change("A", root / name, None) for name in untracked.splitlines() if name]
    return [c for c in changes if c.path.name.endswith(MANIFEST_SUFFIXES)]


def _manifests(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += [
                p
                for p in path.rglob("*")
                if p.name.endswith(MANIFEST_SUFFIXES)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
        elif path.is_file():
            found.append(path)
    return sorted(found)


def _under(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _git(where: Path, *args: str) -> str:
    return _git_bytes(where, *args).decode("utf-8", errors="replace")


def _git_bytes(where: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=where, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip() or f"git {args[0]} failed"
        if args[:2] == ("rev-parse", "--verify"):
            message = f"unknown revision {args[-1].removesuffix('^{commit}')!r}"
        raise GitError(message)
    return done.stdout
