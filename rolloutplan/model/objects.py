"""Typed, frozen Kubernetes objects: Deployment, ReplicaSet, Service and their parts.  The
objects beside them that shape a rollout (HorizontalPodAutoscaler, ResourceQuota,
LimitRange, PodDisruptionBudget, Node, RuntimeClass) and a pod's scheduling terms are in
``model.cluster``, which only inputs that have them import.

Values carry the API server's defaults already applied (see ``load.parse``), so the
planner never has to guess: ``replicas`` is 1 when the manifest omits it, and so on.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.pickling import compact_pickling

if TYPE_CHECKING:
    from rolloutplan.model.cluster import (
        AntiAffinityTerm,
        Neighbour,
        Node,
        NodeSelectorTerm,
        RuntimeClass,
        SpreadConstraint,
        Toleration,
    )

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class IntOrPercent:
    """An int-or-string such as maxSurge: an absolute number, or ``"25%"``."""

    value: int
    is_percent: bool = False

    @classmethod
    def parse(cls, raw: int | str) -> IntOrPercent:
        if isinstance(raw, int):
            return cls(raw)
        text = raw
        if not text.endswith("%") or not text[:-1].lstrip("-").isdigit():
            raise ValueError(f"{raw!r} is neither an integer nor a percentage like '25%'")
        return cls(int(text[:-1]), is_percent=True)

    def scaled(self, total: int, *, round_up: bool) -> int:
        """The absolute value against ``total`` (intstr.GetScaledValueFromIntOrPercent)."""
        if not self.is_percent:
            return self.value
        exact = self.value * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)

    def __str__(self) -> str:
        return f"{self.value}%" if self.is_percent else str(self.value)


class SelectorOperator(enum.Enum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True, slots=True)
class SelectorRequirement:
    """One of a selector's matchExpressions: key, operator and values."""

    key: str
    operator: SelectorOperator
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.operator is SelectorOperator.EXISTS:
            return present
        if self.operator is SelectorOperator.DOES_NOT_EXIST:
            return not present
        inside = present and labels[self.key] in self.values
        return inside if self.operator is SelectorOperator.IN else not inside


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A metav1.LabelSelector; an empty selector matches everything."""

    match_labels: Labels = ()
    match_expressions: tuple[SelectorRequirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Labels | Mapping[str, str]) -> bool:
        label_map = dict(labels)
        return all(label_map.get(k) == v for k, v in self.match_labels) and all(
            requirement.matches(label_map) for requirement in self.match_expressions
        )


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A port a container declares."""

    container_port: int
    name: str | None = None
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class Probe:
    """A readiness, liveness or startup probe: its handler, port and timing."""

    handler: str  # httpGet, tcpSocket, exec or grpc
    port: int | str | None = None
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3
    digest: str = ""  # of the whole probe (path, command, host...): tells any change apart


@dataclass(frozen=True, slots=True)
class Container:
    """A container of a pod template: what rollouts, probes and Services depend on."""

    name: str
    image: str
    ports: tuple[ContainerPort, ...] = ()
    readiness_probe: Probe | None = None
    liveness_probe: Probe | None = None
    startup_probe: Probe | None = None
    has_pre_stop: bool = False
    pre_stop_sleep_seconds: int | None = None  # when the preStop hook is a plain sleep
    requests: Labels = ()  # resources.requests, e.g. (("cpu", "100m"), ("memory", "64Mi"))
    limits: Labels = ()  # resources.limits, as written
    # each env var's name and a digest of its value or valueFrom (never the value: it may be
    # a secret, and typed objects are kept in the result cache)
    env: Labels = ()
    # a digest of command, args, env, envFrom and workingDir: what the program is told to do
    # (with image and ports, what tells two versions apart for their clients)
    invocation: str = ""
    # an init container with restartPolicy Always: a sidecar, running beside the containers
    sidecar: bool = False


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A pod template; ``fingerprint`` identifies it up to the pod-template-hash label, the
    way the controller decides which ReplicaSet is the new one (EqualIgnoreHash)."""

    labels: Labels
    containers: tuple[Container, ...]
    init_containers: tuple[Container, ...] = ()
    restart_policy: str = "Always"
    termination_grace_period_seconds: int = 30
    fingerprint: str = ""
    # its required pod anti-affinity terms: no two pods a term matches share a domain of
    # its topology key
    anti_affinity: tuple[AntiAffinityTerm, ...] = ()
    # its topologySpreadConstraints with whenUnsatisfiable DoNotSchedule
    spread: tuple[SpreadConstraint, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    node_selector: Labels = ()
    priority_class_name: str = ""
    # a pod (anti-)affinity term, required or preferred, reaches other namespaces
    # (namespaces or namespaceSelector): what quota scope CrossNamespacePodAffinity selects
    cross_namespace_affinity: bool = False
    runtime_class_name: str = ""
    # the pod sets pod-level resources (spec.resources, PodLevelResources), which the plan's
    # requests and quota charges do not count
    pod_level_resources: bool = False
    # requiredDuringSchedulingIgnoredDuringExecution of its node affinity: the terms, ORed
    # (None: no required node affinity)
    node_affinity: tuple[NodeSelectorTerm, ...] | None = None
    # spec.nodeName: the pods bypass the scheduler and run on that node (the kubelet admits
    # them there, refusing only for NoExecute taints, affinity or room)
    node_name: str = ""


class StrategyType(enum.Enum):
    ROLLING_UPDATE = "RollingUpdate"
    RECREATE = "Recreate"


@dataclass(frozen=True, slots=True)
class DeploymentStrategy:
    """A Deployment's update strategy, defaulted as the API server does."""

    type: StrategyType = StrategyType.ROLLING_UPDATE
    max_surge: IntOrPercent | None = IntOrPercent(25, is_percent=True)
    max_unavailable: IntOrPercent | None = IntOrPercent(25, is_percent=True)


@dataclass(frozen=True, slots=True)
class Deployment:
    """An apps/v1 Deployment, defaulted as the API server does."""

    ref: ObjectRef
    replicas: int
    selector: LabelSelector
    template: PodTemplate
    strategy: DeploymentStrategy
    min_ready_seconds: int = 0
    revision_history_limit: int = 10
    progress_deadline_seconds: int = 600
    paused: bool = False
    # the spec.replicas `kubectl apply` sends (None: none): as written in the manifest or,
    # for an object read from a cluster, in its last-applied-configuration annotation
    applied_replicas: int | None = None

    @property
    def claim(self) -> SelectorClaim:
        return SelectorClaim(self.ref, self.selector, self.template.labels)


@dataclass(frozen=True, slots=True)
class ReplicaSet:
    """A ReplicaSet; the live-state fields are set when it comes from ``kubectl get -o yaml``."""

    ref: ObjectRef
    replicas: int
    selector: LabelSelector
    template: PodTemplate
    min_ready_seconds: int = 0
    labels: Labels = ()
    annotations: Labels = ()
    owner: tuple[str, str] | None = None  # (kind, name) of the controlling owner
    created: str = ""  # metadata.creationTimestamp (RFC 3339 sorts as text)
    status_replicas: int | None = None
    available_replicas: int | None = None


@dataclass(frozen=True, slots=True)
class ServicePort:
    """A port of a Service: where it listens and which pod port it sends to."""

    port: int
    target_port: int | str
    name: str | None = None
    protocol: str = "TCP"
    node_port: int | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """A v1 Service: its type, selector and ports."""

    ref: ObjectRef
    type: str = "ClusterIP"
    selector: Labels | None = None  # None: no selector (endpoints managed by hand)
    ports: tuple[ServicePort, ...] = ()
    cluster_ip: str | None = None
    external_name: str | None = None


@dataclass(frozen=True, slots=True)
class PodSource:
    """Pods some object creates, as a Service sees them: their labels and declared ports.

    Any kind with a pod template counts (StatefulSet, DaemonSet, Job, CronJob,
    ReplicationController ...), and a bare Pod, so that real repositories raise no false
    "selects no pods" alarm.  A custom resource whose operator creates pods (Prometheus,
    Alertmanager, an Elasticsearch cluster ...) counts too, but is not ``complete``: the
    operator adds labels and containers of its own, so the labels known here are only
    some of its pods' labels, and its ports are not known."""

    ref: ObjectRef
    labels: Labels
    ports: tuple[ContainerPort, ...]
    owner: ObjectRef | None = None  # the controlling owner, e.g. a ReplicaSet's Deployment
    complete: bool = True
    # labels the controller adds to each pod with values the manifest does not fix
    # (a StatefulSet's statefulset.kubernetes.io/pod-name, a Deployment's pod-template-hash)
    controller_keys: tuple[str, ...] = ()
    # port numbers the template shows the app using without declaring them: probes, env
    # values (PORT=8080, :8080), command and args (--port=8080, -p 8080)
    mentioned_ports: tuple[int, ...] = ()

    @property
    def workload(self) -> ObjectRef:
        """Who the pods belong to, as a person thinks of it."""
        return self.owner or self.ref


class SelectorClaim(NamedTuple):
    """The pods a Deployment claims (its selector) and the labels it gives its own pods:
    all that comparing Deployments' selectors needs (RP307)."""

    ref: ObjectRef
    selector: LabelSelector
    labels: Labels


Workload = Deployment | ReplicaSet
# every object a file may hold once typed (an annotation only: the kinds of model.cluster
# are imported when an input has one, not at every start)
KubeObject: TypeAlias = "Deployment | ReplicaSet | Service | Neighbour | Node | RuntimeClass"


compact_pickling(
    IntOrPercent,
    SelectorRequirement,
    LabelSelector,
    ContainerPort,
    Probe,
    Container,
    PodTemplate,
    DeploymentStrategy,
    Deployment,
    ReplicaSet,
    ServicePort,
    Service,
    PodSource,
)
