"""Reads sources into findings, typed objects and what the cross-file analyses need.

The sources are bytes already read: no file is opened here.  Each file is decoded, split
into documents, checked (type meta, schema, API-server validation, single-object risks)
and typed; then Services are resolved against every pod template, and Deployments'
selectors compared.  A file's results depend on nothing but the file, the settings and the
previous manifests, so they may come from the result cache the caller passes in
``Config.cache``; ``batch`` may check files in worker processes.  Those are the only effects.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rolloutplan import batch, suppressions
from rolloutplan.analysis import reachability, risks
from rolloutplan.config import RuleSelection
from rolloutplan.load.objects import check_type_meta, expand_lists, object_ref
from rolloutplan.load.pods import pod_source
from rolloutplan.load.positions import locate_in
from rolloutplan.load.text import TextProblem, decode
from rolloutplan.model.finding import Finding, ObjectRef, Severity, Violation
from rolloutplan.model.objects import (
    Deployment,
    ReplicaSet,
    Service,
)
from rolloutplan.model.pickling import compact_pickling
from rolloutplan.model.source import Document, FieldPath, Location, Positions, SourceText
from rolloutplan.rules import REGISTRY
from rolloutplan.tally import (
    INTERNAL_ERROR,
    CrossResults,
    ObjectList,
    Suppressed,
    Tally,
    freeze,
    freeze_cross,
    storable,
    thaw,
    thaw_cross,
)
from rolloutplan.units import Copy, PreviousCopies, Units, apply_units

if TYPE_CHECKING:
    from rolloutplan.analysis.reachability import ServiceReach
    from rolloutplan.cache import ResultCache

IMMUTABLE_FIELD = "RP205"
DUPLICATE = "RP407"
PREVIOUS_INVALID = "RP238"
# a file with one of these may hold objects that were not read
WHOLE_FILE = frozenset({"RP000", "RP001", "RP003", "RP008", "RP009", "RP012"})
CHECKED_KINDS = {
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Service": "v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "ResourceQuota": "v1",
    "LimitRange": "v1",
    "PodDisruptionBudget": "policy/v1",
}
# other versions of checked kinds that every supported cluster still serves: skipped as
# unchecked, not reported as unserved (RP013)
SERVED_UNCHECKED = frozenset({("autoscaling/v1", "HorizontalPodAutoscaler")})
# The rules of the stages that a selection without them skips (tests/test_selection.py
# compares them with the rule ids the analyses can return)
DEPLOYMENT_RISKS = frozenset({"RP301", "RP302", "RP303", "RP304", "RP305", "RP306"})
BARE_REPLICA_SET_RISK = "RP315"
OVERLAPPING_SELECTORS = "RP307"
NEIGHBOUR_RISKS = frozenset({"RP317", "RP318", "RP319", "RP323"})
# the kinds RP317-RP319 and RP323 look at beside Deployments: a unit with neither is not
# read for them
NEIGHBOUR_KINDS = ("HorizontalPodAutoscaler", "PodDisruptionBudget")
REACHABILITY = frozenset({"RP401", "RP402", "RP403", "RP404", "RP405", "RP406", "RP408", "RP409"})
STDIN_NAME = "<stdin>"  # inputs.STDIN_NAME: no file to resolve
# The skipped count (by kind) of documents that are not Kubernetes objects (no apiVersion,
# no kind: a docker-compose file, CI config, Helm values): no object's kind is empty (RP005)
NOT_OBJECTS = ""


@dataclass(frozen=True, slots=True)
class Config:
    kubernetes_version: str
    strict_kinds: bool = False
    default_namespace: str = "default"
    rules: RuleSelection = field(default_factory=RuleSelection)
    suppressions: bool = True  # honour rolloutplan.io/ignore-<rule-name> annotations
    node_port_range: tuple[int, int] = (30000, 32767)  # the cluster's --service-node-port-range
    # called with (files done, files in all) after each file; the CLI shows it on a terminal
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)
    jobs: int = 1  # processes for large inputs: this one and jobs - 1 workers (--jobs)
    cache: ResultCache | None = field(default=None, compare=False)  # None: --no-cache
    units: tuple[tuple[str, ...], ...] = ()  # explicit apply units: globs each (`units:`)


@dataclass(frozen=True, slots=True)
class UnreadablePath:
    """A path the CLI could not read; it becomes an RP012 finding."""

    path: str
    reason: str


ObjectKey = tuple[str, str, str, str]  # apiVersion, kind, namespace, name


@dataclass(frozen=True, slots=True)
class PreviousIndex:
    """The previous manifests' documents by key, then by file (the last copy in a file
    counts), checked against the schema only when a checked object is compared with one (a
    cache hit never is)."""

    documents: dict[ObjectKey, PreviousCopies[Document]] = field(default_factory=dict)

    def lookup(
        self, key: ObjectKey, path: str, config: Config
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The previous version of the copy in ``path`` to compare with (see
        ``PreviousCopies``: staging's copy is never compared with prod's), or None and why
        it cannot be."""
        copies = self.documents.get(key)
        document = None if copies is None else copies.of(path)
        if document is None:
            return None, None
        why = _unusable(document, config)
        return (document.data, None) if why is None else (None, why)


def collect(
    sources: Sequence[SourceText | UnreadablePath],
    config: Config,
    previous: Sequence[SourceText | UnreadablePath] | None,
    *,
    service_table: bool = False,
) -> Collected:
    """Every file's results and the cross-file findings.  Only the selected rules' findings
    are located, and a stage none of whose rules is selected is skipped; what each Service
    reaches is worked out when one of its rules is selected or ``service_table`` asks."""
    sources = in_path_order(sources)
    index = _index(in_path_order(previous), config) if previous else PreviousIndex()
    file_config = replace(config, progress=None, jobs=1, cache=None)
    full = _fingerprint(config.cache, config, previous) if config.cache else b""
    as_given = bool(previous)
    check = functools.partial(_check_source, config=file_config, index=index)
    key = _EntryKey(_selection_fingerprint(full, config.rules), as_given=as_given)
    job = batch.Job(
        check=check,
        freeze=freeze,
        thaw=functools.partial(_thaw_as_given, again=_Again(check, key, config.cache)),
        key=key,
        storable=storable,
        size=_size,
        fallback=_EntryKey(full, as_given=as_given) if config.rules.disabled else None,
    )
    parts, from_cache = batch.run(
        sources, job, jobs=config.jobs, store=config.cache, progress=config.progress
    )
    memo = _memo_key(config, full, sources, job.key, service_table=service_table)
    stored = _stored_cross(config.cache, memo, len(sources))
    if stored is None:  # the analyses read what each file's results hold
        from_cache -= _decoded(sources, parts, job, config.cache)
    tally = Tally(from_cache=from_cache)
    for source, part in zip(sources, parts, strict=True):
        tally.merge(part)
        for ref in part.declared_deployments:
            tally.deployment_files[ref] = source.path
        if part.findings and any(finding.rule_id in WHOLE_FILE for finding in part.findings):
            tally.unparsed_files.add(source.path)
    for source in previous or ():  # a --previous path that is missing: checks are lost
        if isinstance(source, UnreadablePath):
            where = Location(source.path, 0, 0)
            tally.findings.append(_finding("RP012", f"--previous: {source.reason}", where))
    paths = tuple(source.path for source in sources)
    if stored is not None:
        findings, waived, units, rows = stored
        tally.findings += findings
        tally.suppressed += waived
        collected = Collected(tally, paths, tuple(parts), units, rows)
        collected.again = functools.partial(
            _analysed_again, collected, sources, job, config, service_table=service_table
        )
        return collected
    units = apply_units(paths, [_refs(part) for part in parts], config.units)
    collected = Collected(tally, paths, tuple(parts), units)
    findings_before, waived_before = len(tally.findings), len(tally.suppressed)
    if config.rules.any_enabled({DUPLICATE}):
        _duplicate_findings(sources, collected, config)
    rows = _cross_file(collected, config, sources, service_table=service_table)
    if memo is not None and config.cache is not None and all(map(storable, parts)):
        added = (tally.findings[findings_before:], tally.suppressed[waived_before:], units, rows)
        with contextlib.suppress(Exception):  # results the stored form cannot hold: not kept
            config.cache.put_many([(memo, freeze_cross(added))])
    return collected


# Inputs from which the cross-file stage's results are kept in the cache: for fewer files,
# writing them costs more than the analyses they save
MEMO_FROM_FILES = 8


def _memo_key(
    config: Config,
    fingerprint: bytes,
    sources: Sequence[SourceText | UnreadablePath],
    keys: Callable[[SourceText | UnreadablePath], str | None],
    *,
    service_table: bool,
) -> str | None:
    """The store key of the cross-file stage's results: they depend on every file's results
    (its entry key, which covers its bytes, the settings, the selection and the previous
    manifests) and path as given (findings name it), the unreadable paths, the apply units
    configured and whether every Service's reach is wanted.  None without a cache."""
    if config.cache is None or len(sources) < MEMO_FROM_FILES:
        return None
    import hashlib  # only with a cache (see _fingerprint)

    settings = [sorted(config.rules.disabled), config.units, service_table]
    digest = hashlib.sha256(fingerprint)
    for part in _memo_parts(sources, keys, json.dumps(settings).encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f"cross-file results\0{digest.hexdigest()}"


def _memo_parts(
    sources: Sequence[SourceText | UnreadablePath],
    keys: Callable[[SourceText | UnreadablePath], str | None],
    settings: bytes,
) -> Iterable[bytes]:
    yield b"cross-file results"
    yield settings
    for source in sources:
        yield source.path.encode("utf-8", "surrogatepass")
        if isinstance(source, UnreadablePath):
            yield b"unreadable " + source.reason.encode("utf-8", "surrogatepass")
        else:
            yield f"file {keys(source)}".encode()


def _stored_cross(cache: ResultCache | None, memo: str | None, files: int) -> CrossResults | None:
    if cache is None or memo is None:
        return None
    blob = cache.get_many([memo]).get(memo)
    if blob is None:
        return None
    try:
        return thaw_cross(blob, files)
    except Exception:  # a broken write or another version: the analyses run again
        return None


def _analysed_again(
    collected: Collected,
    sources: Sequence[SourceText | UnreadablePath],
    job: batch.Job[Any, Tally],
    config: Config,
    *,
    service_table: bool,
) -> tuple[Units, list[tuple[int, ServiceReach]]]:
    """The apply units and each Service's reach, worked out from the files' results."""
    parts = list(collected.parts)
    _decoded(sources, parts, job, config.cache)
    collected.parts = tuple(parts)
    units = apply_units(collected.paths, [_refs(part) for part in parts], config.units)
    scratch = Collected(Tally(), collected.paths, collected.parts, units)
    return units, _cross_file(scratch, config, sources, service_table=service_table)


def _decoded(
    sources: Sequence[SourceText | UnreadablePath],
    parts: list[Tally],
    job: batch.Job[Any, Tally],
    store: ResultCache | None,
) -> int:
    """Decode what the analyses read from each file's stored results; a file whose results
    cannot be read is checked again (and stored again), as a miss would be.  How many were."""
    again = []
    for number, part in enumerate(parts):
        try:
            part.decode_typed()
        except (ValueError, RecursionError):
            parts[number] = job.check(sources[number])
            again.append(number)
    entries = []
    for number in again:
        key = job.key(sources[number])
        if key is not None and job.storable(parts[number]):
            with contextlib.suppress(Exception):
                entries.append((key, job.freeze(parts[number])))
    if entries and store is not None:
        store.put_many(entries)
    return len(again)


class Collected:
    """A run's results, with each file's own (in path order), the apply units and each
    Service's reach.  Those two may come from the cache, decoded when first read (a lint
    run served by the cache reads neither)."""

    __slots__ = ("_rows", "_units", "again", "parts", "paths", "tally")

    def __init__(
        self,
        tally: Tally,
        paths: tuple[str, ...],
        parts: tuple[Tally, ...],  # each file's results, as checked or read from the cache
        units: Units | Callable[[], Units],
        rows: Callable[[], list[tuple[int, ServiceReach]]] | None = None,
    ) -> None:
        self.tally, self.paths, self.parts = tally, paths, parts
        self._units = units
        self._rows: Sequence[ServiceInFile] | Callable[[], list[tuple[int, ServiceReach]]] = (
            () if rows is None else rows
        )
        # the units and rows worked out from the files' results, when the stored ones
        # cannot be read (sealed, so only a faulty writer makes such an entry)
        self.again: Callable[[], tuple[Units, list[tuple[int, ServiceReach]]]] | None = None

    @property
    def units(self) -> Units:
        if callable(self._units):
            try:
                self._units = self._units()
            except (ValueError, RecursionError):
                self._units = self._analysed_again()[0]
        return self._units

    def _analysed_again(self) -> tuple[Units, list[tuple[int, ServiceReach]]]:
        if self.again is None:
            raise ValueError("no way to analyse the files again")
        units, rows = self.again()
        self._units, self._rows = units, self._in_files(rows)
        return units, rows

    @property
    def service_rows(self) -> Sequence[ServiceInFile]:
        """Each Service copy's reach, in file order (when the run resolved Services); from
        the cache, decoded when first read (only the Service table and ``check`` do)."""
        if callable(self._rows):
            self._rows = _StoredRows(self.paths, self._rows, self._analysed_again)
        return self._rows

    def set_rows(self, rows: list[tuple[int, ServiceReach]]) -> None:
        self._rows = self._in_files(rows)

    def _in_files(self, rows: list[tuple[int, ServiceReach]]) -> tuple[ServiceInFile, ...]:
        return tuple(ServiceInFile(self.paths[file], reach) for file, reach in rows)


class _StoredRows(Sequence["ServiceInFile"]):
    """Service rows read back from the cache, decoded when first read."""

    def __init__(
        self,
        paths: tuple[str, ...],
        rows: Callable[[], list[tuple[int, ServiceReach]]],
        again: Callable[[], tuple[Units, list[tuple[int, ServiceReach]]]],
    ) -> None:
        self._paths = paths
        self._rows: Callable[[], list[tuple[int, ServiceReach]]] | None = rows
        self._again = again
        self._all: tuple[ServiceInFile, ...] = ()

    def _decoded(self) -> tuple[ServiceInFile, ...]:
        if self._rows is not None:
            try:
                rows = self._rows()
            except (ValueError, RecursionError):
                rows = self._again()[1]
            self._all = tuple(ServiceInFile(self._paths[f], reach) for f, reach in rows)
            self._rows = None
        return self._all

    def __len__(self) -> int:
        return len(self._decoded())

    def __getitem__(self, index: Any) -> Any:
        return self._decoded()[index]

    def __eq__(self, other: object) -> bool:
        return tuple(self._decoded()) == (tuple(other) if isinstance(other, Sequence) else other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ServiceInFile:
    """What a Service reaches, and the file it is defined in (a row of `services`)."""

    path: str
    reach: ServiceReach


def _refs(part: Tally) -> list[ObjectRef]:
    """The objects a file's results know of, each copy once (a Deployment is a pod source
    and a declared Deployment)."""
    pods = [source.ref for source in part.pod_sources if source.ref.kind != "Deployment"]
    return [*part.declared_deployments, *(s.ref for s, _ in part.services), *pods]


class CrossFindings:
    """Violations found per apply unit on each copy of an object (a file and a reference),
    reported once per copy: a copy shared by several units is checked in each, and a
    violation that not every one of them shows names the (first) unit it comes from."""

    def __init__(self, units: Units) -> None:
        self.units = units
        self.copies: dict[tuple[int, ObjectRef], tuple[Document, dict[int, list[Violation]]]] = {}

    def add(
        self, file: int, ref: ObjectRef, document: Document, unit: int, found: Iterable[Violation]
    ) -> None:
        _, by_unit = self.copies.setdefault((file, ref), (document, {}))
        by_unit.setdefault(unit, []).extend(found)

    def report(self, config: Config, tally: Tally) -> None:
        """Add the findings.  A copy with none is skipped: its waivers' own problems (RP014)
        were found with the file's results already."""
        for file, ref in sorted(
            key for key, (_, found) in self.copies.items() if any(found.values())
        ):
            document, by_unit = self.copies[(file, ref)]
            add_findings(document, ref, self._once(by_unit), config, tally)

    def _once(self, by_unit: dict[int, list[Violation]]) -> list[Violation]:
        if len(by_unit) == 1:
            return list(dict.fromkeys(next(iter(by_unit.values()))))
        keyed: dict[int, dict[tuple[str, Any, int], Violation]] = {}
        for unit in sorted(by_unit):
            counts: dict[tuple[str, Any], int] = {}
            for violation in dict.fromkeys(by_unit[unit]):
                key = (violation.rule_id, violation.field)
                counts[key] = counts.get(key, 0) + 1
                keyed.setdefault(unit, {})[(*key, counts[key])] = violation
        kept: dict[tuple[str, Any, int], Violation] = {}
        for unit in sorted(keyed):
            for key, violation in keyed[unit].items():
                if key in kept:
                    continue
                if any(keyed.get(other, {}).get(key) != violation for other in by_unit):
                    where = f" (in the apply unit {self.units.units[unit].name})"
                    violation = replace(violation, message=violation.message + where)
                kept[key] = violation
        return list(kept.values())


def _cross_file(
    collected: Collected,
    config: Config,
    sources: Sequence[SourceText | UnreadablePath],
    *,
    service_table: bool,
) -> list[tuple[int, ServiceReach]]:
    """Resolve Services, compare selectors and relate Deployments to their autoscalers and
    disruption budgets within each apply unit (each when wanted).  Each Service's reach,
    with its file (its index)."""
    tally = collected.tally
    found = CrossFindings(collected.units)
    reaches: dict[tuple[int, ObjectRef], ServiceReach] = {}
    resolve = service_table or config.rules.any_enabled(REACHABILITY)
    overlaps = config.rules.any_enabled({OVERLAPPING_SELECTORS})
    neighbours = config.rules.any_enabled(NEIGHBOUR_RISKS)
    documents = _ParsedDocuments(sources, config)
    for number in range(len(collected.units.units)):
        if resolve:
            _reach_unit(collected, number, found, reaches)
        if overlaps:
            _overlaps_in_unit(collected, number, found)
        if neighbours:
            _neighbours_in_unit(collected, number, found, documents)
    found.report(config, tally)
    rows = sorted(reaches.items(), key=lambda item: item[0][0])  # file order, then as given
    found_rows = [(file, reach) for (file, _), reach in rows]
    collected.set_rows(found_rows)
    return found_rows


def _reach_unit(
    collected: Collected,
    number: int,
    found: CrossFindings,
    reaches: dict[tuple[int, ObjectRef], ServiceReach],
) -> None:
    """What each Service of an apply unit selects and reaches, and its findings."""
    parts, unit = collected.parts, collected.units.units[number]
    services = {s.ref: (f, s, d) for f in unit.files for s, d in parts[f].services}
    pods = [pod for f in unit.files for pod in parts[f].pod_sources]
    analysed = reachability.analyse([s for _, s, _ in services.values()], pods)
    for (file, service, document), reach in zip(services.values(), analysed, strict=True):
        key = (file, service.ref)
        if key not in reaches or (reach.selected and not reaches[key].selected):
            reaches[key] = reach  # a shared Service's row: a unit where it selects pods
        found.add(file, service.ref, document, number, reach.violations)


def _overlaps_in_unit(collected: Collected, number: int, found: CrossFindings) -> None:
    """RP307 on each Deployment of an apply unit whose selector overlaps another's."""
    parts, unit = collected.parts, collected.units.units[number]
    claims = [claim for f in unit.files for claim in parts[f].claims]
    documents = {r: (f, d) for f in unit.files for r, d in parts[f].deployment_documents.items()}
    for ref, violations in risks.overlapping_selectors(claims).items():
        file, document = documents[ref]
        found.add(file, ref, document, number, violations)


def _neighbours_in_unit(
    collected: Collected, number: int, found: CrossFindings, documents: _ParsedDocuments
) -> None:
    """RP317-RP319, RP323 in an apply unit with an autoscaler or a disruption budget: on each
    Deployment (its kept document) and budget (its file read again: budgets are rare)."""
    parts, unit = collected.parts, collected.units.units[number]
    if not any(parts[f].checked.get(kind) for f in unit.files for kind in NEIGHBOUR_KINDS):
        return
    from rolloutplan.analysis.neighbours import neighbour_risks
    from rolloutplan.model.cluster import HorizontalPodAutoscaler, PodDisruptionBudget

    last: dict[ObjectRef, tuple[int, Any]] = {}  # each object's last copy, as applied
    for file in unit.files:
        for obj in parts[file].objects:
            if isinstance(obj, Deployment | HorizontalPodAutoscaler | PodDisruptionBudget):
                last.pop(obj.ref, None)
                last[obj.ref] = (file, obj)
    typed = [obj for _, obj in last.values()]
    pods = [pod for f in unit.files for pod in parts[f].pod_sources]
    risks_found = neighbour_risks(
        [o for o in typed if isinstance(o, Deployment)],
        [o for o in typed if isinstance(o, HorizontalPodAutoscaler)],
        [o for o in typed if isinstance(o, PodDisruptionBudget)],
        pods,
    )
    for ref, violations in risks_found.items():
        file = last[ref][0]
        kept = parts[file].deployment_documents.get(ref) if ref.kind == "Deployment" else None
        document = kept or documents.last(file, ref)
        if document is not None:
            found.add(file, ref, document, number, violations)


class _ParsedDocuments:
    """The documents of files read again for findings on objects whose documents are not
    kept with a file's results, each file read once."""

    def __init__(self, sources: Sequence[SourceText | UnreadablePath], config: Config) -> None:
        self.sources, self.config = sources, config
        self.files: dict[int, dict[ObjectRef, list[Document]]] = {}

    def last(self, file: int, ref: ObjectRef) -> Document | None:
        if file not in self.files:
            self.files[file] = documents_by_ref(
                self.sources[file], self.config, every_position=True
            )
        copies = self.files[file].get(ref)
        return copies[-1] if copies else None


def _duplicate_findings(
    sources: Sequence[SourceText | UnreadablePath], collected: Collected, config: Config
) -> None:
    """RP407 on each copy of an object that replaces another in the same apply unit, at the
    start of its document: the documents kept with the results know where they start, so
    a run served by the cache reads no YAML for it (except for kinds kept without one)."""
    kept: dict[int, dict[ObjectRef, list[Document]]] = {}
    parsed: dict[int, dict[ObjectRef, list[Document]]] = {}

    def copy_of(copy: Copy, ref: ObjectRef) -> Document | None:
        if copy.file not in kept:
            kept[copy.file] = _kept_documents(collected.parts[copy.file])
        found = kept[copy.file].get(ref, [])
        if copy.nth < len(found):
            return found[copy.nth]
        if copy.file not in parsed:
            parsed[copy.file] = documents_by_ref(sources[copy.file], config)
        found = parsed[copy.file].get(ref, [])
        return found[copy.nth] if copy.nth < len(found) else None

    tally = collected.tally
    for duplicate in collected.units.duplicates:
        ref = duplicate.ref
        first, second = copy_of(duplicate.first, ref), copy_of(duplicate.second, ref)
        if first is None or second is None:
            continue
        message = (
            f"{ref} is defined again here (also at {first.path}:{first.start.line}): applied "
            "together, this copy silently replaces that one on `kubectl apply`"
        )
        findings = [_finding(DUPLICATE, message, second.start, ref)]
        if config.suppressions:
            findings = _suppress(second, ref, findings, tally, config.rules)
        tally.findings.extend(findings)


def _kept_documents(part: Tally) -> dict[ObjectRef, list[Document]]:
    """The documents a file's results kept, of each copy in file order: every Service's, and
    a Deployment's when the file defines it once (only the last copy's is kept)."""
    found: dict[ObjectRef, list[Document]] = {}
    for service, document in part.services:
        found.setdefault(service.ref, []).append(document)
    declared = Counter(part.declared_deployments)
    for ref, document in part.deployment_documents.items():
        if declared[ref] == 1:
            found[ref] = [document]
    return found


def documents_by_ref(
    source: SourceText | UnreadablePath, config: Config, *, every_position: bool = False
) -> dict[ObjectRef, list[Document]]:
    """A file's objects by reference, in file order (read again: only for duplicates and
    findings on objects whose documents are not kept); with the positions of LATER_FIELDS
    only, unless ``every_position``."""
    from rolloutplan.load.yaml_docs import load_documents

    found: dict[ObjectRef, list[Document]] = {}
    if isinstance(source, UnreadablePath):
        return found
    text = decode(source.data)
    if isinstance(text, TextProblem):
        return found
    for raw in load_documents(text, positions=True).documents:
        for document in expand_lists(source.path, text, raw):
            if isinstance(document.data, dict) and not check_type_meta(document):
                ref = object_ref(document.data, config.default_namespace)
                if not every_position:
                    document = replace(document, positions=_later_positions(document))
                found.setdefault(ref, []).append(document)
    return found


def in_path_order(
    sources: Sequence[SourceText | UnreadablePath],
) -> list[SourceText | UnreadablePath]:
    """Sources sorted by path, part by part: the results must not depend on the order the
    paths were given in (an object defined in two files: the later path's copy counts)."""
    return sorted(sources, key=lambda source: source.path.split("/"))


def _check_source(
    source: SourceText | UnreadablePath, config: Config, index: PreviousIndex
) -> Tally:
    """One file's results, independent of every other file's."""
    tally = Tally()
    if isinstance(source, UnreadablePath):
        tally.findings.append(_finding("RP012", source.reason, Location(source.path, 0, 0)))
    else:
        _check_file_guarded(source, config, index, tally)
    return tally


def _size(source: SourceText | UnreadablePath) -> int:
    return len(source.data) if isinstance(source, SourceText) else 0


def _fingerprint(
    cache: ResultCache, config: Config, previous: Sequence[SourceText | UnreadablePath] | None
) -> bytes:
    """What, besides the file itself, its results depend on (the rule selection is added
    by ``_selection_fingerprint``).  Computed only with a cache.
    Every part is length-prefixed, so that no two different inputs give the same bytes
    (paths are encoded with their lone surrogates: a file name that is not UTF-8)."""
    settings = [
        config.kubernetes_version,
        config.strict_kinds,
        config.default_namespace,
        config.suppressions,
        list(config.node_port_range),
    ]
    parts = [b"rolloutplan results", cache.salt.encode(), json.dumps(settings).encode()]
    for source in previous or ():
        path = source.path.encode("utf-8", "surrogatepass")
        if isinstance(source, SourceText):
            parts += [b"file", path, source.data]
        else:
            parts += [b"unreadable", path, source.reason.encode("utf-8", "surrogatepass")]
    import hashlib  # only with a cache: importing it loads OpenSSL

    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _selection_fingerprint(fingerprint: bytes, selection: RuleSelection) -> bytes:
    """``fingerprint`` for results of the rules ``selection`` keeps: the others' findings
    are not located (see ``_placed``), so such results serve only this set of rules.  With
    every rule, the fingerprint itself: those results serve any selection (as a fallback)."""
    if not selection.disabled or not fingerprint:
        return fingerprint
    import hashlib

    digest = hashlib.sha256(fingerprint)
    digest.update(json.dumps(sorted(selection.disabled)).encode())
    return digest.digest()


class _EntryKey:
    """A file's store key: its resolved path and bytes, after the fingerprint (fixed size)
    and the path's length.  The directory is resolved (``dir``, ``./dir``, ``/abs/dir`` and
    a symbolic link to it are one directory): the results do not depend on how the path is
    spelled, which ``_thaw_as_given`` puts back.  With previous manifests they do (the copy
    compared with is found by path), so the path as given is part of the key then."""

    def __init__(self, fingerprint: bytes, *, as_given: bool) -> None:
        self.fingerprint = fingerprint
        self.as_given = as_given
        self.directories: dict[str, str] = {}  # as given -> resolved, once per directory
        # by source (the run's, alive throughout): the cross-file stage's key reads them all
        self.known: dict[int, str] = {}

    def __call__(self, source: SourceText | UnreadablePath) -> str | None:
        if isinstance(source, UnreadablePath):
            return None
        known = self.known.get(id(source))
        if known is None:
            known = self.known[id(source)] = self._computed(source)
        return known

    def _computed(self, source: SourceText) -> str:
        path = self._resolved(source.path)
        if self.as_given:
            path = f"{path}\0{source.path}"
        encoded = path.encode("utf-8", "surrogatepass")
        digest = _sha256(self.fingerprint)
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
        digest.update(source.data)
        return digest.hexdigest()

    def _resolved(self, path: str) -> str:
        if path == STDIN_NAME:
            return path
        directory, _, name = path.rpartition("/")
        return f"{self._directory(directory)}/{name}"

    def _directory(self, directory: str) -> str:
        """``os.path.realpath(directory)``, from its parent's when it has one here: the
        files of a tree share their directories' parents, and realpath looks at every
        component of the path again (six system calls a directory instead of one)."""
        below: list[str] = []  # the directories from ``directory`` up, until one is known
        while directory not in self.directories:
            below.append(directory)
            parent, slash, name = directory.rpartition("/")
            if not (slash and parent) or name in ("", ".", ".."):
                self.directories[directory] = _real(directory)
                below.pop()
                break
            directory = parent
        resolved = self.directories[directory]
        for inner in reversed(below):
            found = _child(resolved, inner.rpartition("/")[2])
            resolved = _real(inner) if found is None else found
            self.directories[inner] = resolved
        return resolved


def _sha256(data: bytes) -> Any:
    import hashlib

    return hashlib.sha256(data)


def _real(directory: str) -> str:
    try:
        return os.path.realpath(directory or ".")
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return directory


def _child(resolved: str, name: str) -> str | None:
    """The real path of ``name`` in the directory whose real path is ``resolved``, when it
    is not a symbolic link (as realpath finds it); None when that cannot be told here."""
    joined = resolved + name if resolved.endswith("/") else f"{resolved}/{name}"
    try:
        if stat.S_ISLNK(os.lstat(joined).st_mode):
            return None
    except OSError:
        return joined  # realpath keeps a component it cannot look at as it is
    except ValueError:  # a NUL in the path
        return None
    return joined


def _thaw_as_given(blob: bytes, source: SourceText | UnreadablePath, again: _Again) -> Tally:
    """A stored file's results, naming the file as given this time: they may have been
    stored under another spelling of its path (see ``_EntryKey``)."""
    path = source.path if isinstance(source, SourceText) else None
    return thaw(blob, source, path, functools.partial(again, source))


@dataclass(frozen=True)
class _Again:
    """A stored file's typed objects when they cannot be decoded (sealed with the user's
    key, so only a faulty writer makes such an entry; they are decoded only when read, after
    the rest of the results were taken): the file checked again, and its results stored
    again, as a miss would be."""

    check: Callable[[SourceText | UnreadablePath], Tally]
    key: Callable[[SourceText | UnreadablePath], str | None]
    store: ResultCache | None

    def __call__(self, source: SourceText | UnreadablePath) -> ObjectList:
        fresh = self.check(source)
        key = self.key(source)
        if key is not None and self.store is not None and storable(fresh):
            with contextlib.suppress(Exception):
                self.store.put_many([(key, freeze(fresh))])
        return fresh.objects


def _check_file_guarded(
    source: SourceText, config: Config, index: PreviousIndex, tally: Tally
) -> None:
    """A bug of ours must not hide the other files' results, nor print a traceback."""
    try:
        _check_file(source, config, index, tally)
    except Exception as exc:
        message = (
            f"internal error while checking this file ({type(exc).__name__}: {exc}); "
            "please report it"
        )
        tally.findings.append(_finding(INTERNAL_ERROR, message, Location(source.path, 0, 0)))


def _check_file(source: SourceText, config: Config, index: PreviousIndex, tally: Tally) -> None:
    text = decode(source.data)
    if isinstance(text, TextProblem):
        where = Location(source.path, text.line, text.column)
        tally.findings.append(_finding("RP003", text.message, where))
        return
    from rolloutplan.load.yaml_docs import load_documents

    loaded = load_documents(text, positions=True)
    for problem in loaded.problems:
        where = Location(source.path, problem.line, problem.column)
        tally.findings.append(_finding(problem.rule_id, problem.message, where))
    documents = [doc for raw in loaded.documents for doc in expand_lists(source.path, text, raw)]
    if not documents and not loaded.problems and config.strict_kinds:
        tally.findings.append(
            _finding("RP011", "file holds no Kubernetes objects", Location(source.path, 1, 1))
        )
    for document in documents:
        tally.documents += 1
        _check_document(document, config, index, tally)


def _check_document(document: Document, config: Config, index: PreviousIndex, tally: Tally) -> None:
    # imported here: a run whose files all come from the cache never loads the validators
    from rolloutplan.load import parse
    from rolloutplan.validate import apiserver, schemas

    violations = check_type_meta(document)
    if violations:
        if not config.strict_kinds and _not_an_object(document):
            tally.skipped[NOT_OBJECTS] = tally.skipped.get(NOT_OBJECTS, 0) + 1
        else:
            tally.findings.extend(_placed(document, None, violations, config.rules))
        return
    data = document.data
    ref = object_ref(data, config.default_namespace)
    if ref.kind == "Deployment":
        tally.declared_deployments.append(ref)
    source = pod_source(data, ref)
    if source is not None:
        tally.pod_sources.append(source)
    wanted_api = CHECKED_KINDS.get(ref.kind)
    if wanted_api is None or (data["apiVersion"], ref.kind) in SERVED_UNCHECKED:
        tally.skipped[ref.kind] = tally.skipped.get(ref.kind, 0) + 1
        if ref.kind == "Node" and data["apiVersion"] == "v1":
            # not checked (still counted as skipped), but plans read where pods can run
            tally.objects.append(parse.node(data, ref))
        elif ref.kind == "RuntimeClass" and data["apiVersion"] == "node.k8s.io/v1":
            # not checked either; a quota charges its pods' overhead
            tally.objects.append(parse.runtime_class(data, ref))
        if config.strict_kinds:
            message = f"kind {ref.kind} ({data['apiVersion']}) is not checked by rolloutplan"
            violation = Violation("RP010", message, ("kind",))
            tally.findings.extend(_placed(document, ref, [violation], config.rules))
        return
    if data["apiVersion"] != wanted_api:
        message = (
            f"{ref.kind} is not served as {data['apiVersion']} by any supported Kubernetes "
            f"version; use apiVersion: {wanted_api}"
        )
        violations = [Violation("RP013", message, ("apiVersion",))]
    else:
        violations = schemas.validate(data, config.kubernetes_version, document)
        if not violations:
            key = _key(data, ref)
            old, why = index.lookup(key, document.path, config)
            violations = [] if why is None else [Violation(PREVIOUS_INVALID, why, ("metadata",))]
            ports = config.node_port_range
            version = config.kubernetes_version
            violations += (
                apiserver.validate_create(data, ports, version)
                if old is None
                else apiserver.validate_update(old, data, ports, version)
            )
    tally.checked[ref.kind] = tally.checked.get(ref.kind, 0) + 1
    add_findings(document, ref, violations, config, tally)
    if any(
        REGISTRY.severity(v.rule_id) is Severity.ERROR and v.rule_id != IMMUTABLE_FIELD
        for v in violations
    ):
        return  # the API server rejects it: nothing to type, nothing to plan
    # an update refused for an immutable field is still a valid object: plan shows the refusal
    typed = parse.parse_object(data, ref)
    if typed is not None:
        tally.objects.append(typed)
        if isinstance(typed, Service):
            tally.services.append((typed, _for_later_findings(document)))
        elif isinstance(typed, Deployment):
            tally.claims.append(typed.claim)
            tally.deployment_documents[ref] = _for_later_findings(document)
            if config.rules.any_enabled(DEPLOYMENT_RISKS):
                add_findings(document, ref, risks.deployment_risks(typed), config, tally)
        elif (
            isinstance(typed, ReplicaSet)
            and typed.owner is None
            and config.rules.any_enabled({BARE_REPLICA_SET_RISK})
        ):
            old, _ = index.lookup(_key(data, ref), document.path, config)
            changed = old is not None and _template(old) != _template(data)
            add_findings(document, ref, risks.bare_replica_set_risks(changed), config, tally)


def _not_an_object(document: Document) -> bool:
    """A document that does not try to be a Kubernetes object: a mapping with neither
    apiVersion nor kind, or a list none of whose items has one (an Ansible playbook).  A
    ``kind: List`` item must be an object; a scalar document stays RP004."""
    data = document.data
    if document.item is not None:
        return False
    if isinstance(data, list):
        return not any(isinstance(item, dict) and _type_meta(item) for item in data)
    return isinstance(data, dict) and not _type_meta(data)


def _type_meta(data: dict[str, Any]) -> bool:
    return any(data.get(key) not in (None, "") for key in ("apiVersion", "kind"))


def _for_later_findings(document: Document) -> Document:
    """The document with only what findings added after checking need (the positions of the
    fields they point at, and its waivers): these are kept for the whole run, sent back by
    workers and stored in the result cache."""
    data = suppressions.waiver_view(document.data)
    kept = _later_positions(document)
    # dataclasses.replace, without its look at every field
    return Document(
        document.path, document.index, document.item, data, document.start, document.text, kept
    )


# The fields that findings added after a file is checked point at (RP307, RP401-RP409, and
# the waivers' RP014): their positions are kept with the document.  A finding elsewhere
# would compose the file again (counted: tests/load/test_positions.py keeps that at zero).
LATER_FIELDS: tuple[FieldPath, ...] = (
    ("spec", "selector"),
    ("spec", "ports"),
    ("metadata", "annotations"),
)


def _later_positions(document: Document) -> Positions | None:
    """The positions of LATER_FIELDS in the document, kept from its parse."""
    from rolloutplan.load.yaml_docs import NodePositions

    positions = document.positions
    if not isinstance(positions, NodePositions):
        return positions
    return positions.kept([(*document.prefix, *later) for later in LATER_FIELDS])


def add_findings(
    document: Document,
    ref: ObjectRef,
    violations: list[Violation],
    config: Config,
    tally: Tally,
) -> None:
    findings = _placed(document, ref, violations, config.rules)
    if config.suppressions:
        findings = _suppress(document, ref, findings, tally, config.rules)
    tally.findings.extend(findings)


def _placed(
    document: Document,
    ref: ObjectRef | None,
    violations: Iterable[Violation],
    selection: RuleSelection,
) -> list[Finding]:
    """The findings of ``violations``, in order.  Only the selected rules' are located
    (locating may read the file again); the others, which no output shows but which still
    count (the errors the API server rejects an object for, named in its plan), are placed
    at the document's start."""
    left_out = selection.disabled
    if not left_out:
        return _located(document, ref, violations)
    violations = list(violations)
    located = iter(_located(document, ref, [v for v in violations if v.rule_id not in left_out]))
    return [
        _finding(v.rule_id, v.message, document.start, ref, v.field)
        if v.rule_id in left_out
        else next(located)
        for v in violations
    ]


def selected(findings: list[Finding], selection: RuleSelection) -> tuple[Finding, ...]:
    """The enabled rules' findings, at their configured severity, sorted."""
    kept = {
        replace(f, severity=selection.severity_of(f.rule_id))
        for f in findings
        if selection.enabled(f.rule_id)
    }  # a set: the same finding at the same place twice (one object defined twice) is noise
    return tuple(sorted(kept, key=Finding.sort_key))


def _suppress(
    document: Document,
    ref: ObjectRef,
    findings: list[Finding],
    tally: Tally,
    selection: RuleSelection,
) -> list[Finding]:
    """Move findings that the object's rolloutplan.io/ignore-<rule> annotations waive."""
    waivers, problems = suppressions.read(document.data)
    kept = _placed(document, ref, problems, selection)
    for finding in findings:
        reason = waivers.get(finding.rule_id)
        if reason is None:
            kept.append(finding)
        else:
            tally.suppressed.append(Suppressed(finding, reason))
    return kept


def _template(data: dict[str, Any]) -> Any:
    spec = data.get("spec")
    return spec.get("template") if isinstance(spec, dict) else None


def _key(data: dict[str, Any], ref: ObjectRef) -> ObjectKey:
    return (str(data.get("apiVersion")), ref.kind, ref.namespace, ref.name)


def _index(sources: Sequence[SourceText | UnreadablePath], config: Config) -> PreviousIndex:
    """The readable objects of the previous manifests, by apiVersion, kind, namespace, name,
    and file."""
    from rolloutplan.load.yaml_docs import load_documents

    found: dict[ObjectKey, dict[str, Document]] = {}
    for source in sources:
        if isinstance(source, UnreadablePath):
            continue
        text = decode(source.data)
        if isinstance(text, TextProblem):
            continue
        for raw in load_documents(text).documents:
            for document in expand_lists(source.path, text, raw):
                data = document.data
                if isinstance(data, dict) and not check_type_meta(document):
                    key = _key(data, object_ref(data, config.default_namespace))
                    found.setdefault(key, {})[source.path] = document
    return PreviousIndex({key: PreviousCopies(by_file.items()) for key, by_file in found.items()})


def _unusable(document: Document, config: Config) -> str | None:
    """Why a previous object of a checked kind cannot be compared with, if the schema
    rejects it (the server holds only valid objects: the file is not what is running)."""
    from rolloutplan.validate import schemas

    data = document.data
    if CHECKED_KINDS.get(data["kind"]) != data["apiVersion"]:
        return None
    violations = schemas.validate(data, config.kubernetes_version, document)
    if not violations:
        return None
    first = _located(document, None, violations[:1])[0]
    where = f"{first.location.path}:{first.location.line}"
    field_text = f"{first.field_text}: " if first.field else ""
    return (
        f"the previous version ({where}) is not a valid {data['kind']} ({field_text}"
        f"{first.message}), so this object is checked as new, without the update checks "
        "(immutable fields)"
    )


def _located(
    document: Document, ref: ObjectRef | None, violations: Iterable[Violation]
) -> list[Finding]:
    findings = []
    for violation in violations:
        path = (*document.prefix, *violation.field)
        line, column, _ = locate_in(document, path, at_key=violation.at_key)
        where = Location(document.path, line, column)
        findings.append(_finding(violation.rule_id, violation.message, where, ref, violation.field))
    return findings


def _finding(
    rule_id: str,
    message: str,
    where: Location,
    ref: ObjectRef | None = None,
    field_path: tuple[str | int, ...] = (),
) -> Finding:
    return Finding(rule_id, REGISTRY.severity(rule_id), message, where, ref, field_path)


compact_pickling(UnreadablePath)
