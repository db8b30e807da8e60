"""Where a rollout starts: what changed, and which ReplicaSets exist with how many pods."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence

from rolloutplan.model.objects import Deployment, ReplicaSet
from rolloutplan.model.quantity import go_int32
from rolloutplan.planner.budget import Budget, deployment_budget
from rolloutplan.planner.controller import Cluster, ReplicaSetState

HASH_LABEL = "pod-template-hash"
DESIRED_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_ANNOTATION = "deployment.kubernetes.io/max-replicas"


class Change(enum.Enum):
    ROLLOUT = "rollout"
    SCALE = "scale"
    SCALE_THEN_ROLLOUT = "scale-then-rollout"
    NONE = "no-change"
    REFUSED = "refused"
    NEW = "new"


def classify(deployment: Deployment, previous: Deployment | None) -> Change:
    """What the API server and controller make of ``previous`` becoming ``deployment``."""
    if previous is None:
        return Change.NEW
    if previous.selector != deployment.selector:
        return Change.REFUSED  # spec.selector is immutable in apps/v1
    template_changed = previous.template.fingerprint != deployment.template.fingerprint
    scaled = previous.replicas != deployment.replicas
    if template_changed:
        return Change.SCALE_THEN_ROLLOUT if scaled else Change.ROLLOUT
    return Change.SCALE if scaled else Change.NONE


def previous_revision(deployment: Deployment, budget: Budget) -> Cluster:
    """The default start: the previous template runs at full strength, fully available."""
    return Cluster((_steady(f"{deployment.ref.name}-<previous>", deployment.replicas, budget),))


def from_previous(deployment: Deployment, previous: Deployment, change: Change) -> Cluster:
    """The ReplicaSets as the previous manifest left them, settled and available."""
    current = _steady(
        f"{previous.ref.name}-<current>", previous.replicas, deployment_budget(previous)
    )
    if change in (Change.ROLLOUT, Change.SCALE_THEN_ROLLOUT):
        return Cluster((current,))
    return Cluster((), current)


def current(deployment: Deployment, live: Sequence[ReplicaSet]) -> Cluster:
    """What keeps running when an update is refused, all of it old pods: the live
    ReplicaSets as they are, or else ``deployment`` (the current version) at full strength."""
    if live:
        return Cluster(tuple(_live_state(rs, rank) for rank, rs in enumerate(by_creation(live))))
    name = f"{deployment.ref.name}-<current>"
    return Cluster((_steady(name, deployment.replicas, deployment_budget(deployment)),))


def new_replica_set_name(deployment: Deployment) -> str:
    return f"{deployment.ref.name}-<new>"


def _steady(name: str, replicas: int, budget: Budget) -> ReplicaSetState:
    return ReplicaSetState(name, replicas, replicas, replicas, replicas, budget.max_pods)


_Entry = tuple[int, ReplicaSet]  # (position in the inputs, ReplicaSet)


class ReplicaSetIndex:
    """The ReplicaSets of the inputs, indexed once, so that finding a Deployment's costs
    about as much as the ReplicaSets it may own (a List of thousands stays linear)."""

    def __init__(self, replica_sets: Sequence[ReplicaSet]) -> None:
        self._by_owner: dict[tuple[str, str, str], list[_Entry]] = defaultdict(list)
        self._by_label: dict[tuple[str, str, str], list[_Entry]] = defaultdict(list)
        self._unowned: dict[str, list[_Entry]] = defaultdict(list)
        for entry in enumerate(replica_sets):
            rs = entry[1]
            namespace = rs.ref.namespace
            if rs.owner is not None:
                self._by_owner[(namespace, *rs.owner)].append(entry)
                continue
            labels = dict(rs.labels)
            if HASH_LABEL not in labels:
                continue
            self._unowned[namespace].append(entry)
            for key, value in labels.items():
                self._by_label[(namespace, key, value)].append(entry)

    def owned(self, deployment: Deployment) -> list[ReplicaSet]:
        """The Deployment's ReplicaSets, oldest first: its controller reference, or (without
        one) its selector plus a pod-template-hash label."""
        ref, selector = deployment.ref, deployment.selector
        owned = self._by_owner.get((ref.namespace, "Deployment", ref.name), [])
        candidates = self._unowned.get(ref.namespace, [])
        for label in selector.match_labels:  # the smallest bucket holds every match
            bucket = self._by_label.get((ref.namespace, *label), [])
            if len(bucket) < len(candidates):
                candidates = bucket
        matching = [(i, rs) for i, rs in candidates if selector.matches(rs.labels)]
        entries = sorted([*owned, *matching], key=lambda e: (e[1].created, e[1].ref.name, e[0]))
        return [rs for _, rs in entries]


def by_creation(replica_sets: Sequence[ReplicaSet]) -> list[ReplicaSet]:
    """Oldest first, as ReplicaSetsByCreationTimestamp sorts: creationTimestamp, then name
    (RFC 3339 timestamps of one form sort as text; a missing one sorts first)."""
    return sorted(replica_sets, key=lambda rs: (rs.created, rs.ref.name))


def undated(replica_sets: Sequence[ReplicaSet]) -> list[str]:
    """The names of the ReplicaSets without metadata.creationTimestamp, in name order."""
    return sorted(rs.ref.name for rs in replica_sets if not rs.created)


def from_live(deployment: Deployment, replica_sets: Sequence[ReplicaSet]) -> Cluster:
    """The live state: the oldest ReplicaSet whose template equals the Deployment's (ignoring
    the pod-template-hash label) is the new one, every other one is old."""
    states = []
    new = None
    for rank, rs in enumerate(by_creation(replica_sets)):
        state = _live_state(rs, rank)
        if new is None and rs.template.fingerprint == deployment.template.fingerprint:
            new = state
        else:
            states.append(state)
    return Cluster(tuple(states), new)


def live_change(deployment: Deployment, cluster: Cluster) -> Change:
    if cluster.new is None or any(rs.spec > 0 for rs in cluster.olds):
        return Change.ROLLOUT
    return Change.SCALE if cluster.new.spec != deployment.replicas else Change.NONE


def _live_state(rs: ReplicaSet, rank: int) -> ReplicaSetState:
    annotations = dict(rs.annotations)
    return ReplicaSetState(
        name=rs.ref.name,
        spec=rs.replicas,
        available=rs.replicas if rs.available_replicas is None else rs.available_replicas,
        pods=rs.replicas if rs.status_replicas is None else rs.status_replicas,
        # getIntFromAnnotation: what Atoi rejects counts as no annotation
        desired=go_int32(annotations.get(DESIRED_ANNOTATION)),
        max_replicas=_positive(go_int32(annotations.get(MAX_ANNOTATION))),
        rank=rank,
    )


def _positive(value: int | None) -> int | None:
    """max-replicas is a divisor: 0 makes the controller fall back to status.replicas, and the
    planner does the same for a negative value (which the controller would divide by)."""
    return value if value is not None and value > 0 else None
