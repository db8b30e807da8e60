"""Which pods each Service selects, and what each of its ports reaches in them (pure).

Mirrors the endpoints controller: a Service selects the pods of its namespace whose labels
match its selector; a named targetPort is looked up by name and protocol in each pod's
container ports (no match: that pod gets no endpoint for the port); a numeric targetPort is
used as it is, declared or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rolloutplan.analysis.naming import NAMED, listed
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import PodSource, Service, ServicePort


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
    reaches = [_reach(service, pods) for service in services]
    collisions = _node_port_collisions(services)
    return tuple(
        ServiceReach(
            r.service, r.selected, r.ports, r.violations + collisions.get(r.service.ref, ())
        )
        for r in reaches
    )


class _PodIndex:
    """Pod sources by namespace and label, so that each Service looks at a few, not all."""

    def __init__(self, pods: list[PodSource]) -> None:
        self.by_label: dict[tuple[str, str, str], list[PodSource]] = {}
        self.by_key: dict[tuple[str, str], list[PodSource]] = {}
        for pod in pods:
            for key, value in pod.labels:
                self.by_label.setdefault((pod.ref.namespace, key, value), []).append(pod)
                self.by_key.setdefault((pod.ref.namespace, key), []).append(pod)

    def selected_by(self, service: Service) -> list[PodSource]:
        namespace = service.ref.namespace
        candidates = min(
            (self.by_label.get((namespace, key, value), []) for key, value in service.selector),
            key=len,
        )  # the rarest of the selector's labels
        return [pod for pod in candidates if selects(service, pod)]

    def sharing_a_key(self, service: Service) -> list[PodSource]:
        found: dict[ObjectRef, PodSource] = {}
        for key, _ in service.selector or ():
            for pod in self.by_key.get((service.ref.namespace, key), []):
                found[pod.ref] = pod
        return list(found.values())


def selects(service: Service, pod: PodSource) -> bool:
    """The endpoints controller's match: same namespace, every selector label present."""
    if not service.selector or pod.ref.namespace != service.ref.namespace:
        return False
    labels = dict(pod.labels)
    return all(labels.get(key) == value for key, value in service.selector)


def _reach(service: Service, pods: _PodIndex) -> ServiceReach:
    if service.type == "ExternalName" or not service.selector:
        return ServiceReach(service, (), (), ())  # DNS alias, or endpoints managed by hand
    selected = pods.selected_by(service)
    violations: list[Violation] = []
    if not selected:
        violations += _selects_nothing(service, pods.sharing_a_key(service))
    workloads = sorted({pod.workload for pod in selected})
    if len(workloads) > 1:
        names = listed([f"{w.kind} {w.name}" for w in workloads[:NAMED]], len(workloads))
        violations.append(Violation(
            "RP406",
            f"selects the pods of {len(workloads)} workloads ({names}): traffic is spread "
            "across all of them (intended for canaries, a mistake otherwise)",
            ("spec", "selector"),
        ))  # fmt: skip
    ports = []
    for index, service_port in enumerate(service.ports):
        targets = tuple(_target(service_port, pod) for pod in selected)
        ports.append(PortReach(service_port, targets))
        violations += _port_violations(index, service_port, selected, targets)
    return ServiceReach(service, tuple(workloads), tuple(ports), tuple(violations))


def _selects_nothing(service: Service, candidates: list[PodSource]) -> list[Violation]:
    """RP401, when a pod template in the namespace carries one of the selector's label keys
    (``candidates``).

    With none, the Service's pods are deployed from elsewhere (another repository, a chart,
    the platform): the given files cannot tell, so nothing is reported.
    """
    selector = dict(service.selector or ())
    if not candidates:
        return []
    closest = max(candidates, key=lambda pod: len(set(selector.items()) & set(pod.labels)))
    missing = sorted(set(selector.items()) - set(closest.labels))
    has = dict(closest.labels)
    gaps = ", ".join(
        f"{key}={has[key]} not {key}={value}" if key in has else f"no {key} label"
        for key, value in missing
    )
    labels = ", ".join(f"{k}={v}" for k, v in service.selector or ())
    return [Violation(
        "RP401",
        f"selector {labels} matches no pod template in namespace {service.ref.namespace} in "
        f"the given files: the Service would have no endpoints (closest: "
        f"{closest.workload.kind} {closest.workload.name}, {gaps})",
        ("spec", "selector"),
    )]  # fmt: skip


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
            else f"declares no container port named {target!r}"
        )
        return "RP402", f"{why}: its pods get no endpoint for this port"
    declared = [p for p in pod.ports if p.container_port == port]
    if isinstance(target, int) and not declared:
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
