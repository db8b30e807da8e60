"""Which pods each Service selects, and what each of its ports reaches in them (pure).

Mirrors the endpoints controller: a Service selects the pods of its namespace whose labels
match its selector; a named targetPort is looked up by name and protocol in each pod's
container ports (no match: that pod gets no endpoint for the port); a numeric targetPort is
used as it is, declared or not.

What the given files can prove about a Service that selects nothing: the pods of the
files' built-in workloads are known (their templates, plus the labels their controllers
add); a custom resource's pods are not (its operator adds labels), nor are pods deployed
from elsewhere (another repository, a chart, the platform).  So "no endpoints" is an error
(RP401) only when a workload in the files was clearly made for the Service (it has the
Service's name, or differs from the selector by a typo in one label value) and its labels
now contradict the selector, and no custom resource could be the pods' source.  Otherwise
the finding says where the pods might be: in another namespace (RP408), or in a custom
resource, or elsewhere (RP409, info), or nothing is said when the files give no hint.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rolloutplan.analysis.naming import NAMED, listed
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import Labels, PodSource, Service, ServicePort


@dataclass(frozen=True, slots=True)
class PortTarget:
    """One Service port in one selected workload: the container port it reaches, if any."""

    workload: ObjectRef
    port: int | None  # None: this workload's pods get no endpoint for the port


@dataclass(frozen=True, slots=True)
class PortReach:
    service_port: ServicePort
    targets: tuple[PortTarget, ...]


@dataclass(frozen=True, slots=True)
class ServiceReach:
    service: Service
    selected: tuple[ObjectRef, ...]  # workloads (pod sources) whose pods it selects
    ports: tuple[PortReach, ...]
    violations: tuple[Violation, ...]

    @property
    def has_selector(self) -> bool:
        return bool(self.service.selector)


def analyse(services: Sequence[Service], sources: Sequence[PodSource]) -> tuple[ServiceReach, ...]:
    """One result per Service, in the order given.  Pod sources are unique by object (the
    last definition of an object wins, as it would in a cluster)."""
    pods = _PodIndex(list({pod.ref: pod for pod in sources}.values()))
    selections = [_selectable(service, pods) for service in services]
    claimed = {pod.ref for selected in selections for pod in selected or ()}
    reaches = [
        _reach(service, selected, pods, claimed)
        for service, selected in zip(services, selections, strict=True)
    ]
    collisions = _node_port_collisions(services)
    if not collisions:
        return tuple(reaches)
    return tuple(
        ServiceReach(
            r.service, r.selected, r.ports, r.violations + collisions.get(r.service.ref, ())
        )
        for r in reaches
    )


class _PodIndex:
    """Pod sources by namespace and label, so that each Service looks at a few, not all."""

    def __init__(self, pods: list[PodSource]) -> None:
        self.pods = pods
        self.by_label: dict[tuple[str, str, str], list[PodSource]] = {}
        self.by_added_key: dict[tuple[str, str], list[PodSource]] = {}  # controller keys
        self.custom: dict[str, list[PodSource]] = {}  # incomplete sources by namespace
        for pod in pods:
            namespace = pod.ref.namespace
            for key, value in pod.labels:
                self.by_label.setdefault((namespace, key, value), []).append(pod)
            for key in pod.controller_keys:
                self.by_added_key.setdefault((namespace, key), []).append(pod)
            if not pod.complete:
                self.custom.setdefault(namespace, []).append(pod)

    # What only a Service that selects nothing needs, built on first use: most select some.

    @functools.cached_property
    def position(self) -> dict[ObjectRef, int]:
        """Each source's place in the order of workloads, computed once: comparing numbers
        is what keeps ties among thousands of candidates cheap."""
        return {pod.ref: place for place, pod in enumerate(_in_order(self.pods))}

    @functools.cached_property
    def by_key(self) -> dict[tuple[str, str], list[PodSource]]:
        """Complete sources by namespace and label key, in the order of workloads."""
        found: dict[tuple[str, str], list[PodSource]] = {}
        for pod in self.pods:
            if pod.complete:
                for key, _ in pod.labels:
                    found.setdefault((pod.ref.namespace, key), []).append(pod)
        for listed_by_key in found.values():
            listed_by_key.sort(key=lambda pod: self.position[pod.ref])
        return found

    @functools.cached_property
    def by_base(self) -> dict[tuple[str, str], list[PodSource]]:
        """Complete sources by namespace and name without suffixes such as -deployment."""
        found: dict[tuple[str, str], list[PodSource]] = {}
        for pod in self.pods:
            if pod.complete:
                found.setdefault((pod.ref.namespace, _base(pod.workload.name)), []).append(pod)
        return found

    @functools.cached_property
    def values(self) -> dict[tuple[str, str, int], dict[str, frozenset[str]]]:
        """The values complete sources give each key (with their letters), by namespace,
        key and length."""
        found: dict[tuple[str, str, int], dict[str, frozenset[str]]] = {}
        for pod in self.pods:
            if pod.complete:
                for key, value in pod.labels:
                    values = found.setdefault((pod.ref.namespace, key, len(value)), {})
                    if value not in values:
                        values[value] = frozenset(value)
        return found

    @functools.cached_property
    def anywhere(self) -> dict[tuple[str, str], list[PodSource]]:
        """Sources by label, in every namespace."""
        found: dict[tuple[str, str], list[PodSource]] = {}
        for pod in self.pods:
            for label in pod.labels:
                found.setdefault(label, []).append(pod)
        return found

    def selected_by(self, service: Service) -> list[PodSource]:
        namespace = service.ref.namespace
        rarest = min(
            (
                (self.by_label.get((namespace, key, value), []),
                 self.by_added_key.get((namespace, key), []))
                for key, value in service.selector or ()
            ),
            key=lambda lists: len(lists[0]) + len(lists[1]),
        )  # fmt: skip
        labelled, added = rarest
        if not added:  # the usual case: most Services select one workload, in order already
            found = [pod for pod in labelled if selects(service, pod)]
            return found if len(found) < 2 else _in_order(found)
        return _in_order(pod for pod in itertools.chain(labelled, added) if selects(service, pod))

    def near(self, service: Service) -> list[PodSource]:
        """The complete sources in the Service's namespace with one of its selector's keys
        that ``_closest`` could pick among them all: those named like the Service if any,
        else those sharing the most selector labels, else the first few by workload.  Each
        is found through the index: thousands may share a key such as
        app.kubernetes.io/name, and a Service that selects nothing looks at a few."""
        namespace = service.ref.namespace
        keys = {key for key, _ in service.selector or ()}
        named = [
            pod
            for pod in self.by_base.get((namespace, _base(service.ref.name)), [])
            if keys.intersection(key for key, _ in pod.labels)
        ]
        if named:
            return named
        shared: dict[ObjectRef, int] = {}
        sources: dict[ObjectRef, PodSource] = {}
        for key, value in service.selector or ():
            for pod in self.by_label.get((namespace, key, value), []):
                if pod.complete:
                    shared[pod.ref] = shared.get(pod.ref, 0) + 1
                    sources[pod.ref] = pod
        if shared:
            most = max(shared.values())
            return [sources[ref] for ref, count in shared.items() if count == most]
        lists = [self.by_key.get((namespace, key), []) for key in sorted(keys)]
        merged = heapq.merge(*lists, key=lambda pod: self.position[pod.ref])
        first = {pod.ref: pod for pod in itertools.islice(merged, _COMPARED * len(lists))}
        return heapq.nsmallest(_COMPARED, first.values(), key=lambda pod: self.position[pod.ref])

    def made_for(self, service: Service, claimed: set[ObjectRef]) -> list[PodSource]:
        """The workloads that prove the Service's selector wrong (see ``_made_for``): only
        those with its name, or with a label value a typo away, need a look."""
        namespace = service.ref.namespace
        found = list(self.by_base.get((namespace, _base(service.ref.name)), []))
        for key, wanted in service.selector or ():
            letters = frozenset(wanted)
            for length in range(len(wanted) - 2, len(wanted) + 3):
                for value, its in self.values.get((namespace, key, length), {}).items():
                    # two edits change four letters at most: a quick no for most values
                    close = len(letters ^ its) <= 4 or value.lower() == wanted.lower()
                    if close and value != wanted and _typo(wanted, value):
                        found += self.by_label[(namespace, key, value)]
        return [pod for pod in _in_order(found) if _made_for(service, pod, claimed)]

    def elsewhere(self, service: Service) -> list[PodSource]:
        """Sources in other namespaces that the selector would match."""
        candidates = min(
            (self.anywhere.get(label, []) for label in service.selector or ()), key=len
        )
        return sorted(
            (
                pod
                for pod in candidates
                if pod.ref.namespace != service.ref.namespace and _matches(service, pod)
            ),
            key=lambda pod: (pod.ref.namespace, pod.workload, pod.ref),
        )

    def customs(self, service: Service) -> list[PodSource]:
        return self.custom.get(service.ref.namespace, [])


def _in_order(pods: Iterable[PodSource]) -> list[PodSource]:
    """Each source once, by workload: results must not depend on the order of the files."""
    return sorted({pod.ref: pod for pod in pods}.values(), key=_workload_order)


def _workload_order(pod: PodSource) -> tuple[str, ...]:
    """(workload, ref) as strings: tuples of strings compare in C, dataclasses do not."""
    workload, ref = pod.workload, pod.ref
    return (workload.kind, workload.namespace, workload.name, ref.kind, ref.namespace, ref.name)


def selects(service: Service, pod: PodSource) -> bool:
    """The endpoints controller's match: same namespace, every selector label present (or
    added to each pod by its controller, such as a StatefulSet's pod-name label)."""
    if not service.selector or pod.ref.namespace != service.ref.namespace:
        return False
    return _matches(service, pod)


def _matches(service: Service, pod: PodSource) -> bool:
    labels = dict(pod.labels)
    return all(
        labels.get(key) == value or (key not in labels and key in pod.controller_keys)
        for key, value in service.selector or ()
    )


def _selectable(service: Service, pods: _PodIndex) -> list[PodSource] | None:
    """The sources whose pods the Service selects; None when it selects none by design
    (a DNS alias, or endpoints managed by hand)."""
    if service.type == "ExternalName" or not service.selector:
        return None
    return pods.selected_by(service)


def _reach(
    service: Service, selected: list[PodSource] | None, pods: _PodIndex, claimed: set[ObjectRef]
) -> ServiceReach:
    if selected is None:
        return ServiceReach(service, (), (), ())
    violations: list[Violation] = []
    if not selected:
        selected = _operator_made(service, pods.customs(service))
        if not selected:
            violations += _selects_nothing(service, pods, claimed)
        workloads = sorted({pod.workload for pod in selected})
    else:
        workloads = sorted({pod.workload for pod in selected})
        violations += _several_workloads(workloads)
    known = [pod for pod in selected if pod.complete]  # an operator's ports are not known
    ports = []
    for index, service_port in enumerate(service.ports):
        targets = tuple(_target(service_port, pod) for pod in known)
        ports.append(PortReach(service_port, targets))
        violations += _port_violations(index, service_port, known, targets)
    return ServiceReach(service, tuple(workloads), tuple(ports), tuple(violations))


def _several_workloads(workloads: list[ObjectRef]) -> list[Violation]:
    """RP406 for a Service whose pods come from several workloads (sorted)."""
    if len(workloads) < 2:
        return []
    names = listed([f"{w.kind} {w.name}" for w in workloads[:NAMED]], len(workloads))
    return [Violation(
        "RP406",
        f"selects the pods of {len(workloads)} workloads ({names}): traffic is spread "
        "across all of them (intended for canaries, a mistake otherwise)",
        ("spec", "selector"),
    )]  # fmt: skip


# --- a selector that matches no pod template -------------------------------------------


def _operator_made(service: Service, customs: list[PodSource]) -> list[PodSource]:
    """Custom resources whose operator surely makes the selected pods: the selector names
    the resource (``alertmanager: main`` for Alertmanager main) and its known pod labels,
    if any, are among the selector's, none contradicting it."""
    return [
        pod
        for pod in _in_order(customs)
        if _names(service, pod)
        and not _contradicted(service, pod.labels)
        and (not pod.labels or _shared(service, pod.labels))
    ]


def _selects_nothing(service: Service, pods: _PodIndex, claimed: set[ObjectRef]) -> list[Violation]:
    made_for = pods.made_for(service, claimed)
    possible = [pod for pod in pods.customs(service) if _could_make(service, pod)]
    if made_for and not possible:
        return [_proven(service, _closest(service, made_for, pods.position))]
    elsewhere = pods.elsewhere(service)
    if elsewhere:
        return [_other_namespace(service, elsewhere)]
    near = pods.near(service)
    if possible or near:
        return [_unproven(service, possible, near, pods.position)]
    return []  # nothing in the files hints at these pods: they are deployed from elsewhere


def _contradicted(service: Service, labels: Labels) -> list[tuple[str, str, str]]:
    """(key, the selector's value, the pod's value) for each selector label the pods carry
    with another value."""
    has = dict(labels)
    return [
        (key, value, has[key])
        for key, value in service.selector or ()
        if key in has and has[key] != value
    ]


def _shared(service: Service, labels: Labels) -> set[tuple[str, str]]:
    return set(service.selector or ()) & set(labels)


def _names(service: Service, pod: PodSource) -> bool:
    """Whether a selector value is the resource's name or its kind (``prometheus: k8s``
    for Prometheus k8s, ``app.kubernetes.io/name: alertmanager`` for an Alertmanager)."""
    values = {value for _, value in service.selector or ()}
    return pod.ref.name in values or pod.ref.kind.lower() in values


def _could_make(service: Service, pod: PodSource) -> bool:
    """A custom resource whose operator might label its pods so that the selector matches."""
    if _contradicted(service, pod.labels):
        return False
    return bool(_shared(service, pod.labels)) or _names(service, pod)


def _made_for(service: Service, pod: PodSource, claimed: set[ObjectRef]) -> bool:
    """Proof that the workload was made for this Service and no longer matches it: its
    template contradicts the selector (a label only missing may be added at run time, as
    Patroni adds ``role: master``), and it has the Service's name, or the one label in
    conflict differs by a typo and no other Service selects the workload."""
    wrong = _contradicted(service, pod.labels)
    if not wrong:
        return False
    if _same_app(service, pod):
        return True
    return len(wrong) == 1 and pod.ref not in claimed and _typo(*wrong[0][1:])


# Name parts that say what an object is, not which app: web-svc, web-headless and
# web-deployment are all web.
_KIND_SUFFIXES = frozenset({
    "-svc", "-service", "-headless", "-hl", "-deployment", "-deploy", "-statefulset", "-sts",
    "-daemonset", "-ds", "-rc", "-controller", "-pod", "-job", "-cronjob",
})  # fmt: skip
# Name parts that say how a Service exposes an app: web-internal is likely web's, but it may
# well select other pods (an exporter's, an internal tier's), so these only rank candidates
# and never prove a Service made for a workload.
_EXPOSURE_SUFFIXES = frozenset({
    "-internal", "-external", "-public", "-private", "-lb", "-loadbalancer", "-nodeport",
    "-clusterip", "-metrics", "-http", "-https", "-grpc",
})  # fmt: skip
_ALL_SUFFIXES = _KIND_SUFFIXES | _EXPOSURE_SUFFIXES
_NAME_PREFIXES = frozenset({"svc-", "service-"})


def _same_app(service: Service, pod: PodSource) -> bool:
    return _stem(service.ref.name, _KIND_SUFFIXES) == _stem(pod.workload.name, _KIND_SUFFIXES)


def _base(name: str) -> str:
    """The name without the parts that say what an object is or how it is exposed; the
    same for two names that ``_same_app`` finds equal, and for more."""
    return _stem(name, _ALL_SUFFIXES)


@functools.lru_cache(maxsize=65536)
def _stem(name: str, suffixes: frozenset[str]) -> str:
    name = name.lower()
    first, _, rest = name.partition("-")
    if rest and f"{first}-" in _NAME_PREFIXES:
        name = rest
    stem, _, last = name.rpartition("-")
    while stem and f"-{last}" in suffixes:
        name = stem
        stem, _, last = name.rpartition("-")
    return name


def _typo(wanted: str, found: str) -> bool:
    """Whether two label values differ as a typo does: case only, or one or two letters
    (one for values of up to seven characters, only swapped neighbours up to four, two only
    after the same first letter); values that differ only in digits (v1, v2) name different
    things, and words that differ at the start are more likely a pair (internal, external)."""
    if wanted.lower() == found.lower():
        return True
    if len(set(wanted) ^ set(found)) > 4:  # each edit changes two letters at most: quick no
        return False
    if _without_digits(wanted) == _without_digits(found):
        return False
    distance = _edit_distance(wanted, found)
    longest = max(len(wanted), len(found))
    if longest <= 4:
        return distance == 1 and sorted(wanted) == sorted(found)
    if distance == 2:
        return longest > 7 and wanted[0].lower() == found[0].lower()
    return distance == 1


def _without_digits(text: str) -> str:
    return "".join(char for char in text if not char.isdigit())


def _edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours (optimal string
    alignment): ``htpp`` is one from ``http``."""
    previous: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            cost = char != other
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if previous is not None and i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], previous[j - 2] + 1)
        previous, row = row, current
    return row[-1]


_COMPARED = 50  # at most this many names are compared for similarity


def _closest(service: Service, pods: list[PodSource], position: dict[ObjectRef, int]) -> PodSource:
    """The candidate workload closest to the Service: its own name, then its name with a
    suffix such as -svc, then the most selector labels shared, then the most similar name;
    then by kind and name (``position``), so that ties always resolve the same way."""
    import difflib  # only to name the workload a Service most likely meant: rarely needed

    wanted = set(service.selector or ())
    base = _base(service.ref.name)

    def rank(pod: PodSource) -> tuple[int, int]:
        name = pod.workload.name
        named = 0 if name == service.ref.name else 1 if _base(name) == base else 2
        return named, -len(wanted.intersection(pod.labels))

    ranks = [(rank(pod), pod) for pod in pods]
    best = min(r for r, _ in ranks)
    tied = [pod for r, pod in ranks if r == best]
    if len(tied) > _COMPARED:  # name similarity costs more: then the first by kind and name
        tied = heapq.nsmallest(_COMPARED, tied, key=lambda pod: position[pod.ref])
    return min(
        tied,
        key=lambda pod: (
            -difflib.SequenceMatcher(None, service.ref.name, pod.workload.name).ratio(),
            position[pod.ref],
        ),
    )


def _selector_text(service: Service) -> str:
    return ", ".join(f"{k}={v}" for k, v in service.selector or ())


def _gaps(service: Service, pod: PodSource) -> str:
    has = dict(pod.labels)
    return ", ".join(
        f"{key}={has[key]} not {key}={value}" if key in has else f"no {key} label"
        for key, value in sorted(set(service.selector or ()) - set(pod.labels))
    )


def _proven(service: Service, closest: PodSource) -> Violation:
    return Violation(
        "RP401",
        f"selector {_selector_text(service)} matches no pod template in namespace "
        f"{service.ref.namespace} in the given files: the Service would have no endpoints "
        f"(closest: {closest.workload.kind} {closest.workload.name}, {_gaps(service, closest)})",
        ("spec", "selector"),
    )


def _other_namespace(service: Service, elsewhere: list[PodSource]) -> Violation:
    namespaces = sorted({pod.ref.namespace for pod in elsewhere})
    workloads = sorted({pod.workload for pod in elsewhere}, key=lambda w: (w.namespace, w))
    names = [f"{w.kind} {w.namespace}/{w.name}" for w in workloads[:NAMED]]
    where = listed(namespaces[:NAMED], len(namespaces))
    return Violation(
        "RP408",
        f"selector {_selector_text(service)} matches no pod template in namespace "
        f"{service.ref.namespace}, only {listed(names, len(workloads))} in namespace "
        f"{where}: a Service selects pods of its own namespace only (a missing "
        "metadata.namespace, or the wrong --namespace?)",
        ("spec", "selector"),
    )


def _unproven(
    service: Service,
    possible: list[PodSource],
    near: list[PodSource],
    position: dict[ObjectRef, int],
) -> Violation:
    if possible:
        refs = sorted({pod.ref for pod in possible})
        names = listed([f"{r.kind} {r.name}" for r in refs[:NAMED]], len(refs))
        source = f"its pods may be made by the operator of {names}, which adds labels of its own"
    else:
        source = f"its pods may come from {_origin(service)}"
    message = (
        f"selector {_selector_text(service)} matches no pod template in namespace "
        f"{service.ref.namespace} in the given files: {source}"
    )
    if near:
        closest = _closest(service, near, position)
        message += (
            f" (closest in the files: {closest.workload.kind} {closest.workload.name}, "
            f"{_gaps(service, closest)})"
        )
    return Violation("RP409", message, ("spec", "selector"))


_CHART_KEYS = frozenset({"helm.sh/chart", "chart", "heritage", "release"})


def _origin(service: Service) -> str:
    """Where pods selected by these labels are usually made, from the label keys."""
    selector = dict(service.selector or ())
    if _CHART_KEYS & selector.keys() or selector.get("app.kubernetes.io/managed-by") == "Helm":
        return "a Helm chart not in the given files"
    prefixes = sorted(
        {
            key.split("/", 1)[0]
            for key in selector
            if "/" in key and not key.split("/", 1)[0].endswith(("kubernetes.io", "k8s.io"))
        }
    )
    if prefixes:
        return f"an operator (the selector uses {listed(prefixes[:NAMED], len(prefixes))} labels)"
    return "another repository, a chart or an operator"


# --- ports ---------------------------------------------------------------------------------


def _target(service_port: ServicePort, pod: PodSource) -> PortTarget:
    target = service_port.target_port
    if isinstance(target, int):
        return PortTarget(pod.ref, target)
    for port in pod.ports:
        if port.name == target and port.protocol == service_port.protocol:
            return PortTarget(pod.ref, port.container_port)
    return PortTarget(pod.ref, None)


def _port_violations(
    index: int,
    service_port: ServicePort,
    selected: Sequence[PodSource],
    targets: Sequence[PortTarget],
) -> list[Violation]:
    """RP402-RP404 for one Service port: one finding per rule and reason, naming a few of
    the workloads it applies to (a Service may select hundreds)."""
    field = ("spec", "ports", index, "targetPort")
    found: dict[tuple[str, str], list[str]] = {}
    for pod, reached in zip(selected, targets, strict=True):
        problem = _port_problem(service_port, pod, reached.port)
        if problem is not None:
            found.setdefault(problem, []).append(f"{pod.ref.kind} {pod.ref.name}")
    violations = []
    for (rule, why), who in found.items():
        if len(who) == 1:
            subject = who[0]
        else:
            subject = f"{len(who)} workloads ({listed(who[:NAMED], len(who))}) each"
        violations.append(Violation(rule, f"{subject} {why}", field))
    return violations


def _port_problem(
    service_port: ServicePort, pod: PodSource, port: int | None
) -> tuple[str, str] | None:
    """The rule and the reason (after the workload's name) for a selected workload's port."""
    target = service_port.target_port
    if port is None:
        other = [p for p in pod.ports if p.name == target]
        why = (
            f"declares {target!r} as {other[0].protocol}, not {service_port.protocol}"
            if other
            else f"declares no container port named {target!r}{_did_you_mean(str(target), pod)}"
        )
        return "RP402", f"{why}: its pods get no endpoint for this port"
    declared = [p for p in pod.ports if p.container_port == port]
    if isinstance(target, int) and not declared:
        if port in pod.mentioned_ports:
            return None  # a probe, env or args show the app listening there
        return "RP403", (
            f"declares no container port {target}: traffic reaches it only if the app listens "
            "there anyway"
        )
    if declared and all(p.protocol != service_port.protocol for p in declared):
        return "RP404", (
            f"declares port {port} as {declared[0].protocol}, but the Service port is "
            f"{service_port.protocol}"
        )
    return None


def _did_you_mean(target: str, pod: PodSource) -> str:
    """`` (did you mean "http"?)`` for a declared port name that differs from the target
    by case or at most two edits."""
    names = sorted({p.name for p in pod.ports if p.name and p.name != target})
    most = 1 if len(target) <= 4 else 2
    close = [
        (0 if name.lower() == target.lower() else _edit_distance(name, target), name)
        for name in names
    ]
    close = [(distance, name) for distance, name in close if distance <= most]
    return f' (did you mean "{min(close)[1]}"?)' if close else ""


def _node_port_collisions(services: Sequence[Service]) -> dict[ObjectRef, tuple[Violation, ...]]:
    """nodePorts are cluster-wide: two Services cannot allocate the same one."""
    owners: dict[tuple[int, str], list[tuple[ObjectRef, int]]] = {}
    for service in services:
        if service.type not in ("NodePort", "LoadBalancer"):
            continue
        for index, port in enumerate(service.ports):
            if port.node_port:
                owners.setdefault((port.node_port, port.protocol), []).append((service.ref, index))
    found: dict[ObjectRef, list[Violation]] = {}
    for (node_port, protocol), users in sorted(owners.items()):
        refs = sorted({ref for ref, _ in users})
        if len(refs) < 2:
            continue
        for ref, index in users:
            first = [f"{o.namespace}/{o.name}" for o in refs[: NAMED + 1] if o != ref][:NAMED]
            found.setdefault(ref, []).append(Violation(
                "RP405",
                f"nodePort {node_port}/{protocol} is also requested by "
                f"{listed(first, len(refs) - 1)}: the second Service to be created is rejected",
                ("spec", "ports", index, "nodePort"),
            ))  # fmt: skip
    return {ref: tuple(v) for ref, v in found.items()}
