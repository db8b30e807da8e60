"""Findings compared across two versions of the manifests (``check --base``): each finding's
stable identity, which survives edits that only move it (line numbers are not part of it)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rolloutplan.analysis.naming import NAMED, listed
from rolloutplan.model.finding import Finding, ObjectRef, Violation

if TYPE_CHECKING:
    from rolloutplan.collect import ServiceInFile

_NUMBER = re.compile(r"\d+")

Identity = tuple[object, ...]


def identity(finding: Finding, path: str | None = None) -> Identity:
    """Rule, object, field path and file (``path`` overrides the finding's own, e.g. a
    renamed file's name now).  A finding about no object (a file that does not parse) is
    told apart by its message, with the numbers in it (line, column) left out."""
    obj = finding.obj
    where = finding.location.path if path is None else path
    if obj is None:
        return (finding.rule_id, where, finding.field, _NUMBER.sub("#", finding.message))
    return (finding.rule_id, where, finding.field, obj.kind, obj.namespace, obj.name)


def fingerprint(finding: Finding) -> str:
    """A stable hexadecimal digest of the finding's identity (SARIF partialFingerprints)."""
    text = json.dumps(identity(finding), ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The head's findings sorted into those the change introduces and those already there
    at the base, and the base's findings the change removes."""

    introduced: tuple[Finding, ...]  # in the head's order
    unchanged: tuple[Finding, ...]  # head findings with a partner at the base
    fixed: tuple[Finding, ...]  # base findings with no partner at the head, in the base's order


def compare(
    head: Sequence[Finding], base: Sequence[Finding], renamed: Mapping[str, str] | None = None
) -> Comparison:
    """Pair each head finding with a base finding of the same identity, each base finding
    used once (two equal ones now and one before: one is new); ``renamed`` maps a base file's
    name to its name now.  The findings about an object left over on both sides are then
    paired by identity without the file: an object moved to another file keeps its findings."""
    renamed = renamed or {}
    by_file = _Pool(identity(f, renamed.get(f.location.path)) for f in base)
    partner = [by_file.take(identity(f)) for f in head]
    taken = {number for number in partner if number is not None}
    rest = [number for number in range(len(base)) if number not in taken]
    by_object = _Pool(_object_identity(base[number]) for number in rest)
    for position, finding in enumerate(head):
        if partner[position] is None:
            moved = by_object.take(_object_identity(finding))
            partner[position] = None if moved is None else rest[moved]
    taken = {number for number in partner if number is not None}
    pairs = list(zip(head, partner, strict=True))
    return Comparison(
        introduced=tuple(f for f, number in pairs if number is None),
        unchanged=tuple(f for f, number in pairs if number is not None),
        fixed=tuple(f for number, f in enumerate(base) if number not in taken),
    )


def _object_identity(finding: Finding) -> Identity | None:
    """A finding about an object, wherever the object is defined; None for one about no
    object (it is about its file)."""
    obj = finding.obj
    if obj is None:
        return None
    return (finding.rule_id, finding.field, obj.kind, obj.namespace, obj.name)


class _Pool:
    """Positions by identity, each taken once, the first one first."""

    def __init__(self, keys: Iterable[Identity | None]) -> None:
        self.waiting: dict[Identity, deque[int]] = {}
        for position, key in enumerate(keys):
            if key is not None:
                self.waiting.setdefault(key, deque()).append(position)

    def take(self, key: Identity | None) -> int | None:
        positions = None if key is None else self.waiting.get(key)
        return positions.popleft() if positions else None


def renamed_files(
    base_names: Iterable[str], moves: Mapping[Path, Path], head_names: Iterable[str]
) -> dict[str, str]:
    """Each base file name whose file has another name now, mapped to that name as the
    head's sources spell it.  ``moves`` maps a changed file's path at the base to its path
    now (the same for a modified one).  The base names are relative to the working directory
    and the head's as typed (relative, ``./``, or absolute): both are compared resolved."""
    now = {Path(name).resolve(): name for name in head_names}
    resolved = {old.resolve(): new.resolve() for old, new in moves.items()}
    names = {}
    for name in base_names:
        new = resolved.get(Path(name).resolve())
        head = None if new is None else now.get(new)
        if head is not None and head != name:
            names[name] = head
    return names


def lost_services(
    head: Iterable[ServiceInFile],
    base: Iterable[ServiceInFile],
    deleted: Iterable[ObjectRef],
    reported: Iterable[Finding],
) -> list[tuple[str, ObjectRef, Violation]]:
    """RP401 on each Service copy that selects no pod now but selected some at the base:
    the change took them away (deleted their Deployment, relabelled its template), which
    proves the Service was made for them even when nothing in its name says so.  Copies
    already reported as selecting nothing (RP401) are left as they are."""
    selected: dict[ObjectRef, set[ObjectRef]] = {}
    for row in base:
        selected.setdefault(row.reach.service.ref, set()).update(row.reach.selected)
    gone = set(deleted)
    known = {(f.location.path, f.obj) for f in reported if f.rule_id == "RP401"}
    lost = []
    for row in head:
        service = row.reach.service
        before = sorted(selected.get(service.ref, ()))
        if row.reach.selected or not service.selector or not before:
            continue
        if (row.path, service.ref) in known:
            continue
        workloads = listed(
            [f"{w.kind} {w.name}" + (" (deleted by this change)" if w in gone else "")
             for w in before[:NAMED]],
            len(before),
        )  # fmt: skip
        selector = ", ".join(f"{key}={value}" for key, value in service.selector)
        message = (
            f"selector {selector} matches no pod template in namespace {service.ref.namespace} "
            f"in the given files any more: at the base revision it selected the pods of "
            f"{workloads}; the Service would have no endpoints"
        )
        lost.append((row.path, service.ref, Violation("RP401", message, ("spec", "selector"))))
    return lost
