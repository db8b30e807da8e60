"""A run's results: what checking files yields (a Tally per file, merged in file order),
and the stored form of one file's results, for the result cache and for worker processes.

The stored form is data, never a pickle: JSON arrays of the results (see ``_unpack``, which
names every class they can rebuild), and JSON of the typed objects in which only the classes
listed in ``stored_classes()`` can appear (see ``model.pickling.DataCodec``); each object is
rebuilt by calling its constructor.  A blob ``thaw`` cannot read raises ValueError (or
RecursionError): the caller checks the file again.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from rolloutplan.load.positions import PositionIndex
from rolloutplan.load.text import decode
from rolloutplan.model import objects as model
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.objects import KubeObject, Labels, PodSource, SelectorClaim, Service
from rolloutplan.model.pickling import DataCodec, compact_pickling
from rolloutplan.model.source import Document, Location, MapKey, SourceText

if TYPE_CHECKING:
    from rolloutplan.analysis.reachability import ServiceReach
    from rolloutplan.units import Units

INTERNAL_ERROR = "RP000"
# a file's results that only the cross-file analyses read: stored apart, decoded when read
TYPED = ("claims", "pod_sources", "services", "deployment_documents")


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding an annotation waived, with the reason it gives."""

    finding: Finding
    reason: str


@dataclass(frozen=True, slots=True)
class _Stored:
    """Objects stored by ``freeze``, and how to get them again when they cannot be read (a
    faulty writer holding the user's key): the file checked again."""

    blob: bytes
    again: Callable[[], Iterable[KubeObject]]

    def objects(self) -> list[KubeObject]:
        try:
            return _thaw_objects(self.blob)
        except (ValueError, TypeError, RecursionError):
            return list(self.again())


class ObjectList(Sequence[KubeObject]):
    """Typed objects in file order.  Those read back from the result cache stay stored
    until something reads them: a lint run needs only the Services, pod sources and
    selector claims, which are kept beside them, so it never does (except for JUnit)."""

    def __init__(self, objects: Iterable[KubeObject] = ()) -> None:
        self._parts: list[list[KubeObject] | bytes | _Stored] = [list(objects)]

    @classmethod
    def frozen(
        cls, blob: bytes, again: Callable[[], Iterable[KubeObject]] | None = None
    ) -> ObjectList:
        """Objects stored by ``freeze``: decoded when first read.  With ``again``, objects
        that cannot be decoded are its objects; without, ValueError."""
        found = cls()
        found._parts = [blob if again is None else _Stored(blob, again)]
        return found

    def append(self, obj: KubeObject) -> None:
        if not isinstance(self._parts[-1], list):
            self._parts.append([])
        self._parts[-1].append(obj)  # type: ignore[union-attr]

    def extend(self, other: ObjectList) -> None:
        self._parts += [part if not isinstance(part, list) else list(part) for part in other._parts]

    def _all(self) -> list[KubeObject]:
        if len(self._parts) != 1 or not isinstance(self._parts[0], list):
            flat = [obj for part in self._parts for obj in _objects_of(part)]
            self._parts = [flat]
        return self._parts[0]  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[KubeObject]:
        return iter(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ObjectList):
            return self._all() == other._all()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list


@dataclass
class Tally:
    """What checking files found: findings, waivers, typed objects and counts."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    objects: ObjectList = field(default_factory=ObjectList)
    claims: list[SelectorClaim] = field(default_factory=list)  # the valid Deployments'
    declared_deployments: list[ObjectRef] = field(default_factory=list)  # valid or not
    # the run's, not stored with a file's results (see collect): where each Deployment is,
    # and the files whose objects could not all be read (a syntax error, bad encoding, ...)
    deployment_files: dict[ObjectRef, str] = field(default_factory=dict)
    unparsed_files: set[str] = field(default_factory=set)
    documents: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # objects by kind (plain dicts
    skipped: dict[str, int] = field(default_factory=dict)  # load faster than Counters)
    pod_sources: list[PodSource] = field(default_factory=list)
    services: list[tuple[Service, Document]] = field(default_factory=list)
    deployment_documents: dict[ObjectRef, Document] = field(default_factory=dict)
    from_cache: int = 0  # files whose results came from the result cache

    def merge(self, other: Tally) -> None:
        """Add the results of the files after ours: findings, waivers, objects and counts.
        What the cross-file analyses read (``TYPED``) stays with each file's results, which
        they take per apply unit: a run served by the cache never decodes it when their
        results are stored too (see collect)."""
        self.findings += other.findings
        self.suppressed += other.suppressed
        self.objects.extend(other.objects)
        self.documents += other.documents
        for kind, count in other.checked.items():
            self.checked[kind] = self.checked.get(kind, 0) + count
        for kind, count in other.skipped.items():
            self.skipped[kind] = self.skipped.get(kind, 0) + count

    def __getattr__(self, name: str) -> Any:
        """A field of ``TYPED`` of results read back from the cache, decoded on first use
        (only attributes not set come here).  ValueError for data ``freeze`` did not write."""
        stored = self.__dict__.pop("_typed", None)
        if stored is None or name not in TYPED:
            if stored is not None:
                self.__dict__["_typed"] = stored
            raise AttributeError(name)
        try:
            self.__dict__.update(_unpack_typed(*stored))
        except (TypeError, IndexError, KeyError, AttributeError, StopIteration) as exc:
            raise ValueError(f"not a file's results: {exc!r}") from None
        return self.__dict__[name]

    def decode_typed(self) -> None:
        """Decode the fields of ``TYPED`` now, if they are stored: ValueError if they
        cannot be read (the caller checks the file again)."""
        if "_typed" in self.__dict__:
            getattr(self, TYPED[0])


def storable(tally: Tally) -> bool:
    """An internal error (RP000) may be passing (memory, recursion): check the file again."""
    return not any(finding.rule_id == INTERNAL_ERROR for finding in tally.findings)


@functools.cache
def stored_classes() -> tuple[type, ...]:
    """Every class a file's typed objects (and a document's waivers) may hold; nothing else
    can be read back.  Imports ``model.cluster``: only runs that store or read objects
    (with a cache or ``--jobs``) pay for building its classes."""
    from rolloutplan.model import cluster

    return (
        ObjectRef, Service, model.ServicePort, model.Deployment,
        model.ReplicaSet, model.LabelSelector, model.SelectorRequirement, model.SelectorOperator,
        model.PodTemplate, model.Container, model.ContainerPort, model.Probe,
        model.DeploymentStrategy, model.StrategyType, model.IntOrPercent,
        cluster.ScaleTarget, cluster.HorizontalPodAutoscaler, cluster.ScopeRequirement,
        cluster.ResourceQuota, cluster.LimitRangeItem, cluster.LimitRange,
        cluster.PodDisruptionBudget, cluster.AntiAffinityTerm, cluster.SpreadConstraint,
        cluster.Toleration, cluster.Taint, cluster.Node, cluster.RuntimeClass,
        cluster.NodeRequirement, cluster.NodeSelectorTerm,
    )  # fmt: skip


@functools.cache
def _codec() -> DataCodec:
    return DataCodec(stored_classes())


_SEPARATOR = b"\n"  # between the parts of a stored result; never inside compact JSON


def freeze(tally: Tally) -> bytes:
    """A file's results as bytes, without the file's text (``thaw`` restores it): the rows
    of its findings and counts, the rows of what the cross-file analyses read (``TYPED``),
    its typed objects, then the position index of each kept document (each its own JSON
    text, decoded only if a finding is located with it: inside the rows, the JSON parser
    would read every one as a string of escaped quotes, half of all it read).
    TypeError or ValueError for results that cannot be stored."""
    packer = _Packer()
    typed = packer.pack_typed(tally)  # first: it adds to the tables the head holds
    head = [*packer.pack(tally), len(packer.positions)]
    parts = [_compact(head), _compact(typed)]
    texts = [text.encode() for text in packer.positions]
    if any(_SEPARATOR in text for text in texts):
        raise ValueError("a position index that is not compact JSON")
    return _SEPARATOR.join([*parts, _codec().dumps(list(tally.objects)), *texts])


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), check_circular=False).encode()


def thaw(
    blob: bytes,
    source: object,
    path: str | None = None,
    again: Callable[[], Iterable[KubeObject]] | None = None,
) -> Tally:
    """The results ``freeze`` gave ``blob`` for; the typed objects, and the fields of
    ``TYPED``, are decoded when read (typed objects that cannot be: ``again``'s, see
    ``ObjectList.frozen``).  With ``path``, every finding and document is in that file (one
    file's results name no other: they may have been stored under another spelling of its
    path)."""
    head, typed, objects, *texts = blob.split(_SEPARATOR)
    try:
        values, paths, refs = _unpack(_json(head.decode()), path, len(texts))
    except (TypeError, IndexError, KeyError, AttributeError, StopIteration) as exc:
        raise ValueError(f"not a file's results: {exc!r}") from None
    tally = Tally(objects=ObjectList.frozen(objects, again), **values)
    for name in TYPED:  # read from ``_typed`` when first asked for (Tally.__getattr__)
        del tally.__dict__[name]
    tally.__dict__["_typed"] = (typed, paths, refs, texts, source)
    return tally


def _unpack_typed(
    blob: bytes, paths: list[str], refs: list[ObjectRef], texts: Sequence[bytes], source: object
) -> dict[str, Any]:
    """The fields of ``TYPED`` from their rows, the documents with the file's text."""
    values = _unpack_rows(_json(blob.decode()), paths, refs, texts)
    services, documents = values["services"], values["deployment_documents"]
    if isinstance(source, SourceText) and (services or documents):
        text = decode(source.data)
        if isinstance(text, str):
            for document in (*(doc for _, doc in services), *documents.values()):
                # just decoded, seen by no one yet: set in place, faster than replace()
                object.__setattr__(document, "text", text)
    return values


# The rest of a file's results are stored as rows of plain JSON arrays, in the order of
# ``_HEAD``: the JSON parser builds those without calling back into Python, and ``_unpack``
# then calls one constructor per object (a tagged JSON object per value, rebuilt by an
# object_hook, made a warm run of the benchmark corpus a quarter slower).  Paths, object
# references and label sets, which repeat, are stored once per file in tables the rows
# point into by index.  Only the classes ``_unpack`` names are built; a document's text is
# not stored.
_HEAD = (
    "paths", "refs", "findings", "suppressed", "declared_deployments", "documents", "checked",
    "skipped", "positions",  # the number of position indexes after the objects
)  # fmt: skip
_TYPED_ROWS = ("labels", *TYPED)  # the second part; its rows point into the head's tables
_SEVERITIES = {severity.value: severity for severity in Severity}
_SCAN = json.JSONDecoder().scan_once  # json.loads around it costs a third more per file


def _json(text: str) -> Any:
    """The JSON value ``text`` holds (and only that); StopIteration or ValueError else."""
    value, end = _SCAN(text, 0)
    if end != len(text):
        raise ValueError("not one JSON value")
    return value


_OPERATORS = {operator.value: operator for operator in model.SelectorOperator}
Row = list[Any]


class _Packer:
    """One file's results as rows, with the tables of values they share."""

    def __init__(self) -> None:
        self.paths: dict[str, int] = {}
        self.refs: dict[ObjectRef, int] = {}
        self.labels: dict[Labels, int] = {}
        self.positions: list[str] = []  # kept position indexes, stored after the rows

    def pack(self, tally: Tally) -> Row:
        rows = [
            [self.finding(f) for f in tally.findings],
            [
                [self.finding(s.finding), _text(s.reason)]
                for s in _exactly(tally.suppressed, Suppressed)
            ],
            [self.ref(ref) for ref in tally.declared_deployments],
            _count(tally.documents),
            _counts(tally.checked),
            _counts(tally.skipped),
        ]
        tables = [
            [_text(path) for path in self.paths],
            [[_text(r.kind), _text(r.namespace), _text(r.name)] for r in self.refs],
        ]
        return tables + rows

    def pack_typed(self, tally: Tally) -> Row:
        rows = [
            [self.claim(claim) for claim in _exactly(tally.claims, SelectorClaim)],
            [self.pod_source(source) for source in _exactly(tally.pod_sources, PodSource)],
            [[self.service(s), self.document(d)] for s, d in tally.services],
            [[self.ref(r), self.document(d)] for r, d in tally.deployment_documents.items()],
        ]
        labels = [[_text(part) for pair in labels for part in pair] for labels in self.labels]
        return [labels, *rows]

    def path(self, path: str) -> int:
        return self.paths.setdefault(path, len(self.paths))

    def ref(self, ref: ObjectRef) -> int:
        if type(ref) is not ObjectRef:
            raise TypeError(f"cannot store a {type(ref).__name__} as an object reference")
        return self.refs.setdefault(ref, len(self.refs))

    def optional_ref(self, ref: ObjectRef | None) -> int | None:
        return None if ref is None else self.ref(ref)

    def label_set(self, labels: Labels) -> int:
        if type(labels) is not tuple or any(type(p) is not tuple or len(p) != 2 for p in labels):
            raise TypeError("cannot store labels that are not pairs")
        return self.labels.setdefault(labels, len(self.labels))

    def finding(self, finding: Finding) -> Row:
        kinds = (type(finding), type(finding.severity), type(finding.location))
        if kinds != (Finding, Severity, Location):
            raise TypeError("not a finding")
        loc = finding.location
        parts = [[str(p)] if type(p) is MapKey else _atom(p, str, int) for p in finding.field]
        return [
            finding.rule_id, finding.severity.value, finding.message, self.path(loc.path),
            loc.line, loc.column, self.optional_ref(finding.obj), parts,
        ]  # fmt: skip

    def document(self, document: Document) -> Row:
        if type(document) is not Document or type(document.start) is not Location:
            raise TypeError("not a document")
        data = document.data or None
        start = document.start
        positions = None
        if isinstance(document.positions, PositionIndex):
            positions = len(self.positions)
            self.positions.append(document.positions.stored_text())
        return [
            self.path(document.path), document.index, document.item, data,
            self.path(start.path), start.line, start.column, positions,
        ]  # fmt: skip

    def claim(self, claim: SelectorClaim) -> Row:
        return [self.ref(claim.ref), self.selector(claim.selector), self.label_set(claim.labels)]

    def selector(self, selector: model.LabelSelector) -> Row:
        if type(selector) is not model.LabelSelector:
            raise TypeError("not a label selector")
        expressions = [
            [_text(e.key), e.operator.value, [_text(v) for v in e.values]]
            for e in _exactly(selector.match_expressions, model.SelectorRequirement)
        ]
        return [self.label_set(selector.match_labels), expressions]

    def pod_source(self, source: PodSource) -> Row:
        ports = [
            [p.container_port, p.name, p.protocol]
            for p in _exactly(source.ports, model.ContainerPort)
        ]
        return [
            self.ref(source.ref), self.label_set(source.labels), ports,
            self.optional_ref(source.owner), _atom(source.complete, bool),
            [_text(key) for key in source.controller_keys],
            [_count(port) for port in source.mentioned_ports],
        ]  # fmt: skip

    def service(self, service: Service) -> Row:
        if type(service) is not Service:
            raise TypeError("not a Service")
        selector = None if service.selector is None else self.label_set(service.selector)
        ports = [
            [p.port, p.target_port, p.name, p.protocol, p.node_port]
            for p in _exactly(service.ports, model.ServicePort)
        ]
        return [
            self.ref(service.ref), service.type, selector, ports, service.cluster_ip,
            service.external_name,
        ]  # fmt: skip


def _exactly(values: Iterable[Any], kind: type) -> Iterable[Any]:
    """``values``, if each is exactly a ``kind`` (JSON would store a subclass as its base)."""
    if any(type(v) is not kind for v in values):
        raise TypeError(f"not all values are {kind.__name__}")
    return values


def _atom(value: Any, *kinds: type) -> Any:
    if type(value) not in kinds:
        raise TypeError(f"cannot store a {type(value).__name__} here")
    return value


def _text(value: Any) -> str:
    return _atom(value, str)  # type: ignore[no-any-return]


def _count(value: Any) -> int:
    return _atom(value, int)  # type: ignore[no-any-return]


def _counts(counts: dict[str, int]) -> dict[str, int]:
    if type(counts) is not dict or not all(
        type(kind) is str and type(count) is int for kind, count in counts.items()
    ):
        raise TypeError("not counts by kind")
    return counts


def _unpack(head: Any, path: str | None, texts: int) -> tuple[dict[str, Any], list[str], list[Any]]:
    """The fields of a file's results from the head's rows, every path ``path`` if given,
    and the tables of paths and references the typed rows point into; TypeError,
    IndexError or KeyError (or ValueError) for data ``_Packer`` did not write, or for
    another number of position indexes than ``texts``."""
    if type(head) is not list or len(head) != len(_HEAD):
        raise ValueError("not a file's results")
    paths, refs, findings, suppressed, declared, documents, checked, skipped, kept = head
    if type(kept) is not int or kept != texts:
        raise ValueError("not the position indexes the rows name")
    if path is not None:
        paths = [path] * len(paths)
    elif not _list_of(paths, str):
        raise ValueError("not a table of paths")
    refs = list(itertools.starmap(ObjectRef, refs))
    _counts(checked), _counts(skipped), _count(documents)
    values = {
        "findings": [_finding(row, paths, refs) for row in findings],
        "suppressed": [
            Suppressed(_finding(row, paths, refs), _text(why)) for row, why in suppressed
        ],
        "declared_deployments": list(map(refs.__getitem__, declared)),
        "documents": documents,
        "checked": checked,
        "skipped": skipped,
    }
    return values, paths, refs


def _unpack_rows(
    rows: Any, paths: list[str], refs: list[ObjectRef], texts: Sequence[bytes]
) -> dict[str, Any]:
    """The fields of ``TYPED`` from their rows and the position indexes stored after them."""
    if type(rows) is not list or len(rows) != len(_TYPED_ROWS):
        raise ValueError("not a file's typed results")
    labels, claims, pod_sources, services, deployment_documents = rows
    kept = [row[-1] for _, row in (*services, *deployment_documents) if row[-1] is not None]
    if kept != list(range(len(texts))):
        raise ValueError("not the position indexes the rows name")
    # each set's keys and values in turn, paired by one iterator (slicing cost 3x more);
    # strict: an odd count is a ValueError
    labels = [tuple(zip(pairs := iter(flat), pairs, strict=True)) for flat in labels]
    return {
        "claims": [
            SelectorClaim(refs[ref], _selector(selector, labels), labels[own])
            for ref, selector, own in claims
        ],
        "pod_sources": [_pod_source(row, refs, labels) for row in pod_sources],
        "services": [
            (_service(service, refs, labels), _document(document, paths, texts))
            for service, document in services
        ],
        "deployment_documents": {
            refs[ref]: _document(document, paths, texts) for ref, document in deployment_documents
        },
    }


def _finding(row: Row, paths: list[str], refs: list[ObjectRef]) -> Finding:
    rule, severity, message, path, line, column, obj, parts = row
    field = tuple(MapKey(_text(*p)) if type(p) is list else p for p in parts)
    where = Location(paths[path], line, column)
    return Finding(
        rule, _SEVERITIES[severity], message, where, None if obj is None else refs[obj], field
    )


def _document(row: Row, paths: list[str], texts: Sequence[bytes]) -> Document:
    path, index, item, data, start_path, line, column, positions = row
    waivers = {} if data is None else data
    if type(waivers) is not dict:
        raise ValueError("not a document's data")
    where = Location(paths[start_path], line, column)
    kept = None if positions is None else PositionIndex.stored(texts[positions].decode())
    return Document(paths[path], index, item, waivers, where, "", kept)


def _selector(row: Row, labels: list[Labels]) -> model.LabelSelector:
    own, expressions = row
    if not expressions:  # most selectors: a generator costs more than the rest
        return model.LabelSelector(labels[own], ())
    requirements = tuple(
        model.SelectorRequirement(_text(key), _OPERATORS[operator], tuple(map(_text, values)))
        for key, operator, values in expressions
    )
    return model.LabelSelector(labels[own], requirements)


def _pod_source(row: Row, refs: list[ObjectRef], labels: list[Labels]) -> PodSource:
    ref, own, ports, owner, complete, controller_keys, mentioned_ports = row
    # every item checked: a damaged entry that still carries the seal is a miss, never a
    # wrong result or a failure later in the run
    return PodSource(
        refs[ref], labels[own], tuple(itertools.starmap(model.ContainerPort, ports)),
        None if owner is None else refs[owner], _atom(complete, bool),
        tuple(map(_text, controller_keys)), tuple(map(_count, mentioned_ports)),
    )  # fmt: skip


def _service(row: Row, refs: list[ObjectRef], labels: list[Labels]) -> Service:
    ref, kind, selector, ports, cluster_ip, external_name = row
    return Service(
        refs[ref], kind, None if selector is None else labels[selector],
        tuple(itertools.starmap(model.ServicePort, ports)), cluster_ip, external_name,
    )  # fmt: skip


@functools.cache
def _typed_kinds() -> tuple[type, ...]:
    from rolloutplan.model import cluster

    return (
        model.Deployment, model.ReplicaSet, Service, cluster.HorizontalPodAutoscaler,
        cluster.ResourceQuota, cluster.LimitRange, cluster.PodDisruptionBudget, cluster.Node,
        cluster.RuntimeClass,
    )  # fmt: skip


def _objects_of(part: list[KubeObject] | bytes | _Stored) -> list[KubeObject]:
    if isinstance(part, list):
        return part
    return _thaw_objects(part) if isinstance(part, bytes) else part.objects()


def _thaw_objects(blob: bytes) -> list[KubeObject]:
    objects = _codec().loads(blob)
    if not _list_of(objects, _typed_kinds()):
        raise ValueError("not a file's typed objects")
    return objects  # type: ignore[no-any-return]


def _list_of(value: Any, kinds: type | tuple[type, ...]) -> bool:
    allowed = set(kinds) if isinstance(kinds, tuple) else {kinds}
    return type(value) is list and set(map(type, value)) <= allowed


# What the cross-file stage of a run adds (see collect): its findings and waivers, stored as
# a file's results are; then the apply units and each Service's reach (with its file's
# index), stored as typed data and decoded only when read (a lint run reads neither).
Rows = list[tuple[int, "ServiceReach"]]
CrossResults = tuple[list[Finding], list[Suppressed], "Units | Callable[[], Units]", Any]


@functools.cache
def _cross_codec() -> DataCodec:
    from rolloutplan import units
    from rolloutplan.analysis import reachability
    from rolloutplan.model.finding import Violation

    return DataCodec(
        (
            *stored_classes(), reachability.ServiceReach, reachability.PortReach,
            reachability.PortTarget, Violation, units.Units, units.Unit, units.Copy,
            units.Duplicate,
        )
    )  # fmt: skip


def freeze_cross(results: tuple[list[Finding], list[Suppressed], Units, Rows]) -> bytes:
    """The cross-file stage's results as bytes; TypeError or ValueError for results that
    cannot be stored."""
    findings, suppressed, units, rows = results
    codec = _cross_codec()
    typed = [codec.dumps(units), codec.dumps([[_count(f), reach] for f, reach in rows])]
    return _SEPARATOR.join([*typed, freeze(Tally(findings=findings, suppressed=suppressed))])


def thaw_cross(blob: bytes, files: int) -> CrossResults:
    """The results ``freeze_cross`` gave ``blob`` for, of a run of ``files`` files, the
    units and rows as functions that decode them; ValueError for anything else (and from
    those functions: the entries are sealed, so only a faulty writer can make one)."""
    units, rows, rest = blob.split(_SEPARATOR, 2)
    tally = thaw(rest, None)
    return (
        tally.findings,
        tally.suppressed,
        functools.partial(_units, units, files),
        functools.partial(_rows, rows, files),
    )


def _units(blob: bytes, files: int) -> Units:
    from rolloutplan.units import Units

    units = _cross_codec().loads(blob)
    try:
        if type(units) is not Units or len(units.of_file) != files:
            raise ValueError("not the apply units of this run")
        in_units = [file for unit in units.units for file in unit.files]
        copies = [copy for d in units.duplicates for copy in (d.first, d.second)]
        numbers = [number for own in units.of_file for number in own]
        all(_index(file, files) for file in (*in_units, *(copy.file for copy in copies)))
        all(_index(number, len(units.units)) for number in numbers)
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"not the apply units of this run: {exc!r}") from None
    return units


def _rows(blob: bytes, files: int) -> Rows:
    rows = _cross_codec().loads(blob)
    try:
        return [(file, reach) for file, reach in rows if _index(file, files)]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not the rows of this run: {exc!r}") from None


def _index(value: Any, size: int) -> bool:
    if type(value) is not int or not 0 <= value < size:
        raise ValueError("an index out of range")
    return True


# The fields a file's results are stored with (the typed objects apart; the cross-file
# results and the count of files from the cache are the run's, not a file's).
_RUNS_OWN = {"objects", "from_cache", "deployment_files", "unparsed_files"}
_STORED = {*_HEAD[2:-1], *_TYPED_ROWS[1:]}
assert {f.name for f in fields(Tally)} - _RUNS_OWN == _STORED, "not Tally's fields"


compact_pickling(Suppressed)
