"""A run's results: what checking files yields (a Tally per file, merged in file order),
and the stored form of one file's results, for the result cache and for worker processes.

The stored form is data, never a pickle (see ``model.pickling.DataCodec``): JSON of the
results, in which only the classes listed in ``STORED_CLASSES`` can appear, each rebuilt by
calling its constructor.  A blob ``thaw`` cannot read raises ValueError (or TypeError,
RecursionError): the caller checks the file again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from rolloutplan.load.text import decode
from rolloutplan.model import objects as model
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.objects import KubeObject, PodSource, SelectorClaim, Service
from rolloutplan.model.pickling import DataCodec, compact_pickling
from rolloutplan.model.source import Document, Location, MapKey, SourceText

if TYPE_CHECKING:
    from rolloutplan.analysis.reachability import ServiceReach

INTERNAL_ERROR = "RP000"


@dataclass(frozen=True, slots=True)
class Suppressed:
    finding: Finding
    reason: str


class ObjectList(Sequence[KubeObject]):
    """Typed objects in file order.  Those read back from the result cache stay stored
    until something reads them: a lint run needs only the Services, pod sources and
    selector claims, which are kept beside them, so it never does (except for JUnit)."""

    def __init__(self, objects: Iterable[KubeObject] = ()) -> None:
        self._parts: list[list[KubeObject] | bytes] = [list(objects)]

    @classmethod
    def frozen(cls, blob: bytes) -> ObjectList:
        """Objects stored by ``freeze``: decoded when first read."""
        found = cls()
        found._parts = [blob]
        return found

    def append(self, obj: KubeObject) -> None:
        if isinstance(self._parts[-1], bytes):
            self._parts.append([])
        self._parts[-1].append(obj)  # type: ignore[union-attr]

    def extend(self, other: ObjectList) -> None:
        self._parts += [part if isinstance(part, bytes) else list(part) for part in other._parts]

    def _all(self) -> list[KubeObject]:
        if len(self._parts) != 1 or isinstance(self._parts[0], bytes):
            flat = [
                obj
                for part in self._parts
                for obj in (_thaw_objects(part) if isinstance(part, bytes) else part)
            ]
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
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    objects: ObjectList = field(default_factory=ObjectList)
    claims: list[SelectorClaim] = field(default_factory=list)  # the valid Deployments'
    declared_deployments: list[ObjectRef] = field(default_factory=list)  # valid or not
    documents: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # objects by kind (plain dicts
    skipped: dict[str, int] = field(default_factory=dict)  # load faster than Counters)
    pod_sources: list[PodSource] = field(default_factory=list)
    services: list[tuple[Service, Document]] = field(default_factory=list)
    deployment_documents: dict[ObjectRef, Document] = field(default_factory=dict)
    reaches: tuple[ServiceReach, ...] = ()
    from_cache: int = 0  # files whose results came from the result cache

    def merge(self, other: Tally) -> None:
        """Add the results of the files after ours."""
        self.findings += other.findings
        self.suppressed += other.suppressed
        self.objects.extend(other.objects)
        self.claims += other.claims
        self.declared_deployments += other.declared_deployments
        self.documents += other.documents
        for kind, count in other.checked.items():
            self.checked[kind] = self.checked.get(kind, 0) + count
        for kind, count in other.skipped.items():
            self.skipped[kind] = self.skipped.get(kind, 0) + count
        self.pod_sources += other.pod_sources
        self.services += other.services
        self.deployment_documents.update(other.deployment_documents)


def storable(tally: Tally) -> bool:
    """An internal error (RP000) may be passing (memory, recursion): check the file again."""
    return not any(finding.rule_id == INTERNAL_ERROR for finding in tally.findings)


# Every class a stored result may hold; nothing else can be read back.
STORED_CLASSES: tuple[type, ...] = (
    Finding, Severity, Location, ObjectRef, MapKey, Suppressed, Document, SelectorClaim,
    PodSource, Service, model.ServicePort, model.Deployment, model.ReplicaSet,
    model.LabelSelector, model.SelectorRequirement, model.SelectorOperator, model.PodTemplate,
    model.Container, model.ContainerPort, model.Probe, model.DeploymentStrategy,
    model.StrategyType, model.IntOrPercent,
)  # fmt: skip
_CODEC = DataCodec(STORED_CLASSES)
_SEPARATOR = b"\n"  # between the results and the typed objects; never inside compact JSON


def freeze(tally: Tally) -> bytes:
    """A file's results as bytes, without the file's text (``thaw`` restores it).
    TypeError or ValueError for results that cannot be stored."""
    head = {name: getattr(tally, name) for name in _STORED_FIELDS}
    head["services"] = [(service, replace(doc, text="")) for service, doc in tally.services]
    head["deployment_documents"] = {
        ref: replace(doc, text="") for ref, doc in tally.deployment_documents.items()
    }
    return _CODEC.dumps(head) + _SEPARATOR + _CODEC.dumps(list(tally.objects))


def thaw(blob: bytes, source: object) -> Tally:
    """The results ``freeze`` gave ``blob`` for; the typed objects are decoded when read."""
    head, separator, objects = blob.partition(_SEPARATOR)
    values = _CODEC.loads(head)
    if not separator or type(values) is not dict or values.keys() != _STORED_FIELDS:
        raise ValueError("not a file's results")
    for name, valid in _VALID.items():
        if not valid(values[name]):
            raise ValueError(f"not a file's results: {name}")
    tally = Tally(objects=ObjectList.frozen(objects), **values)
    if isinstance(source, SourceText) and (tally.services or tally.deployment_documents):
        text = decode(source.data)
        if isinstance(text, str):
            documents = [doc for _, doc in tally.services]
            for document in (*documents, *tally.deployment_documents.values()):
                # just decoded, seen by no one yet: set in place, faster than replace()
                object.__setattr__(document, "text", text)
    return tally


def _thaw_objects(blob: bytes) -> list[KubeObject]:
    objects = _CODEC.loads(blob)
    if not _list_of(objects, (model.Deployment, model.ReplicaSet, Service)):
        raise ValueError("not a file's typed objects")
    return objects  # type: ignore[no-any-return]


def _list_of(value: Any, kinds: type | tuple[type, ...]) -> bool:
    allowed = set(kinds) if isinstance(kinds, tuple) else {kinds}
    return type(value) is list and set(map(type, value)) <= allowed


def _counts(value: Any) -> bool:
    return type(value) is dict and all(type(k) is str and type(n) is int for k, n in value.items())


def _service_pairs(value: Any) -> bool:
    return type(value) is list and all(
        type(pair) is tuple
        and len(pair) == 2
        and isinstance(pair[0], Service)
        and isinstance(pair[1], Document)
        for pair in value
    )


def _deployment_documents(value: Any) -> bool:
    return type(value) is dict and all(
        isinstance(ref, ObjectRef) and isinstance(doc, Document) for ref, doc in value.items()
    )


# The fields a file's results are stored with (the typed objects apart; the cross-file
# results and the count of files from the cache are the run's, not a file's), and checks of
# what each of them must be when read back.
_STORED_FIELDS = {f.name for f in fields(Tally)} - {"objects", "reaches", "from_cache"}
_VALID: dict[str, Callable[[Any], bool]] = {
    "findings": lambda v: _list_of(v, Finding),
    "suppressed": lambda v: _list_of(v, Suppressed),
    "claims": lambda v: _list_of(v, SelectorClaim),
    "documents": lambda v: type(v) is int,
    "checked": _counts,
    "skipped": _counts,
    "pod_sources": lambda v: _list_of(v, PodSource),
    "services": _service_pairs,
    "deployment_documents": _deployment_documents,
}
assert _VALID.keys() <= _STORED_FIELDS, "a check for a field Tally no longer has"


compact_pickling(Suppressed)
