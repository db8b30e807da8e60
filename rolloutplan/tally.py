"""A run's results: what checking files yields (a Tally per file, merged in file order),
and the stored form of one file's results, for the result cache and for worker processes.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rolloutplan.load.text import decode
from rolloutplan.model.finding import Finding, ObjectRef
from rolloutplan.model.objects import KubeObject, PodSource, SelectorClaim, Service
from rolloutplan.model.pickling import compact_pickling
from rolloutplan.model.source import Document, SourceText

if TYPE_CHECKING:
    from rolloutplan.analysis.reachability import ServiceReach

INTERNAL_ERROR = "RP000"


@dataclass(frozen=True, slots=True)
class Suppressed:
    finding: Finding
    reason: str


class ObjectList(Sequence[KubeObject]):
    """Typed objects in file order.  Those read back from the result cache stay pickled
    until something reads them: a lint run needs only the Services, pod sources and
    selector claims, which are kept beside them, so it never does (except for JUnit)."""

    def __init__(self, objects: Iterable[KubeObject] = ()) -> None:
        self._parts: list[list[KubeObject] | bytes] = [list(objects)]

    @classmethod
    def frozen(cls, blob: bytes) -> ObjectList:
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
                for obj in (pickle.loads(part) if isinstance(part, bytes) else part)
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


def freeze(tally: Tally) -> bytes:
    """A file's results as bytes, without the file's text (``thaw`` restores it)."""
    frozen = replace(
        tally,
        objects=ObjectList.frozen(pickle.dumps(list(tally.objects), pickle.HIGHEST_PROTOCOL)),
        services=[(service, replace(doc, text="")) for service, doc in tally.services],
        deployment_documents={
            ref: replace(doc, text="") for ref, doc in tally.deployment_documents.items()
        },
    )
    return pickle.dumps(frozen, protocol=pickle.HIGHEST_PROTOCOL)


def thaw(blob: bytes, source: object) -> Tally:
    tally: Tally = pickle.loads(blob)
    if not isinstance(tally, Tally):
        raise TypeError("not a file's results")
    if isinstance(source, SourceText) and (tally.services or tally.deployment_documents):
        text = decode(source.data)
        if isinstance(text, str):
            documents = [doc for _, doc in tally.services]
            for document in (*documents, *tally.deployment_documents.values()):
                # just unpickled, seen by no one yet: set in place, faster than replace()
                object.__setattr__(document, "text", text)
    return tally


compact_pickling(Suppressed)
