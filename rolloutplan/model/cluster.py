"""Typed, frozen objects beside the workloads that shape a rollout: HorizontalPodAutoscaler,
ResourceQuota, LimitRange, PodDisruptionBudget, Node and RuntimeClass, and a pod
template's scheduling terms (node affinity, pod anti-affinity, topology spread,
tolerations).  Apart from ``model.objects`` because most inputs have none of them: a run
imports this module only when one does (building these classes is a measurable part of
a one-file run's start).

Values carry the API server's defaults already applied (see ``load.parse``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import IntOrPercent, Labels, LabelSelector
from rolloutplan.model.pickling import compact_pickling
from rolloutplan.model.quantity import go_int64


@dataclass(frozen=True, slots=True)
class NodeRequirement:
    """One of a node selector term's matchExpressions (a node label) or matchFields
    (``metadata.name``)."""

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt or Lt
    values: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether the scheduler can parse it (a term with one it cannot matches no node;
        the API server rejects such a pod anyway)."""
        if self.operator in ("In", "NotIn"):
            return bool(self.values)
        if self.operator in ("Exists", "DoesNotExist"):
            return not self.values
        if self.operator in ("Gt", "Lt"):
            return len(self.values) == 1 and go_int64(self.values[0]) is not None
        return False

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator in ("Gt", "Lt"):
            have = go_int64(labels[self.key]) if present else None
            if have is None:
                return False
            want = int(self.values[0])
            return have > want if self.operator == "Gt" else have < want
        inside = present and labels[self.key] in self.values
        return inside if self.operator == "In" else not inside


@dataclass(frozen=True, slots=True)
class NodeSelectorTerm:
    """A nodeSelectorTerm: its matchExpressions and matchFields, ANDed; a term without
    any matches no node."""

    expressions: tuple[NodeRequirement, ...] = ()
    fields: tuple[NodeRequirement, ...] = ()

    def matches(self, labels: dict[str, str], name: str) -> bool:
        if not self.expressions and not self.fields:
            return False
        if not all(r.valid for r in self.expressions) or not all(
            r.key == "metadata.name" and r.operator in ("In", "NotIn") and len(r.values) == 1
            for r in self.fields
        ):
            return False
        node_fields = {"metadata.name": name}
        return all(r.matches(labels) for r in self.expressions) and all(
            r.matches(node_fields) for r in self.fields
        )


@dataclass(frozen=True, slots=True)
class AntiAffinityTerm:
    """A required pod anti-affinity term: no two pods ``selector`` matches in one domain
    of ``topology_key`` (the nodes that share that label's value).  ``match_label_keys``
    and ``mismatch_label_keys`` add the pod's own values of those labels to the selector
    (In, NotIn) when the pod is created; ``namespaces`` and ``namespace_selector`` say whose
    pods it counts (neither: the pod's own namespace)."""

    topology_key: str
    selector: LabelSelector
    match_label_keys: tuple[str, ...] = ()
    mismatch_label_keys: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    namespace_selector: LabelSelector | None = None


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A topologySpreadConstraint with whenUnsatisfiable DoNotSchedule, defaulted."""

    max_skew: int
    topology_key: str
    selector: LabelSelector | None  # None: matches no pod
    min_domains: int = 1
    match_label_keys: tuple[str, ...] = ()
    honor_node_affinity: bool = True  # nodeAffinityPolicy (default Honor)
    honor_node_taints: bool = False  # nodeTaintsPolicy (default Ignore)


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str = ""  # empty with operator Exists: every key
    operator: str = "Equal"
    value: str = ""
    effect: str = ""  # empty: every effect
    seconds: int | None = None  # tolerationSeconds (NoExecute: evicted after that long)

    def tolerates(self, taint: Taint) -> bool:
        """core/v1 ToleratesTaint: the effect (when set), the key (when set) and, for Equal,
        the value must match."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator in ("", "Equal") and self.value == taint.value


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str = ""
    effect: str = ""


@dataclass(frozen=True, slots=True)
class Node:
    """A v1 Node (from live input): what scheduling reads of it."""

    ref: ObjectRef
    labels: Labels = ()
    unschedulable: bool = False
    taints: tuple[Taint, ...] = ()


@dataclass(frozen=True, slots=True)
class RuntimeClass:
    """A node.k8s.io/v1 RuntimeClass (cluster-scoped, not validated): the pod overhead its
    pods are charged besides their containers."""

    ref: ObjectRef
    overhead: Labels = ()  # overhead.podFixed, quantities as written


@dataclass(frozen=True, slots=True)
class ScaleTarget:
    """What an autoscaler scales (its scaleTargetRef)."""

    api_version: str
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class HorizontalPodAutoscaler:
    """An autoscaling/v2 HorizontalPodAutoscaler: its target and bounds, and the replica
    counts of its status when it comes from a cluster (None when it has none)."""

    ref: ObjectRef
    target: ScaleTarget
    min_replicas: int = 1
    max_replicas: int = 1
    current_replicas: int | None = None
    desired_replicas: int | None = None


@dataclass(frozen=True, slots=True)
class ScopeRequirement:
    """One of a quota's scopeSelector matchExpressions."""

    scope_name: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourceQuota:
    """A v1 ResourceQuota: the limits of its namespace (quantities as written) and the pods
    its scopes select; ``used`` and ``status_hard`` are its status when it comes from a
    cluster (the API server admits pods against ``status_hard``, the quota controller's copy
    of ``hard``)."""

    ref: ObjectRef
    hard: Labels = ()
    used: Labels | None = None
    scopes: tuple[str, ...] = ()
    scope_selector: tuple[ScopeRequirement, ...] = ()
    status_hard: Labels | None = None

    @property
    def enforced(self) -> Labels:
        """The limits pods are admitted against: status.hard when the quota comes from a
        cluster (none until the quota controller has synced it), else spec.hard."""
        return self.hard if self.status_hard is None else self.status_hard

    @property
    def unsynced(self) -> bool:
        """Whether the quota, from a cluster, has hard limits in its spec but none in its
        status yet: admission checks nothing against it until the controller syncs it."""
        return self.status_hard == () and bool(self.hard)


@dataclass(frozen=True, slots=True)
class LimitRangeItem:
    """One of a LimitRange's limits, after the server's defaulting (a Container limit's
    default from max, its defaultRequest from default, then min); quantities as written."""

    type: str
    default: Labels = ()
    default_request: Labels = ()
    min: Labels = ()
    max: Labels = ()


@dataclass(frozen=True, slots=True)
class LimitRange:
    """A v1 LimitRange: the defaults and bounds of its namespace's containers and pods."""

    ref: ObjectRef
    limits: tuple[LimitRangeItem, ...] = ()


@dataclass(frozen=True, slots=True)
class PodDisruptionBudget:
    """A policy/v1 PodDisruptionBudget; a missing selector (None) selects no pods, an empty
    one every pod of the namespace."""

    ref: ObjectRef
    selector: LabelSelector | None = None
    min_available: IntOrPercent | None = None
    max_unavailable: IntOrPercent | None = None


Neighbour = HorizontalPodAutoscaler | ResourceQuota | LimitRange | PodDisruptionBudget


compact_pickling(
    ScaleTarget,
    HorizontalPodAutoscaler,
    ScopeRequirement,
    ResourceQuota,
    LimitRangeItem,
    LimitRange,
    PodDisruptionBudget,
    AntiAffinityTerm,
    NodeRequirement,
    NodeSelectorTerm,
    SpreadConstraint,
    Toleration,
    Taint,
    Node,
    RuntimeClass,
)
