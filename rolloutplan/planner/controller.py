"""One sync of the Deployment controller as pure functions (pkg/controller/deployment).

Each function takes the observed ReplicaSets (spec and status numbers) and returns the
ReplicaSets after the controller's writes, with the scale actions it took.  Nothing here
knows about time or readiness: the simulator decides what the cluster does between syncs.
The records are immutable NamedTuples rather than frozen dataclasses: a plan of 10,000
replicas builds some 10^5 of them, and a frozen dataclass costs several times more to create.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import NamedTuple

from rolloutplan.planner.budget import Budget


class ReplicaSetState(NamedTuple):
    """What the controller reads of one ReplicaSet.

    ``pods`` is how many of its pods exist: status.replicas for a RollingUpdate, where
    terminating pods stop counting at once; under Recreate the simulator keeps terminating
    old pods here until they are gone, since Recreate waits for them.  ``desired`` and
    ``max_replicas`` are the deployment.kubernetes.io/desired-replicas and max-replicas
    annotations (None when absent or unparseable).  ``rank`` is the creation order
    (metadata.creationTimestamp, then name, as ReplicaSetsByCreationTimestamp sorts): smaller
    is older; it breaks size ties in proportional scaling.
    """

    name: str
    spec: int
    available: int = 0
    pods: int = 0
    desired: int | None = None
    max_replicas: int | None = None
    rank: int = 0

    def observed(self, available: int, pods: int) -> ReplicaSetState:
        """The same ReplicaSet with new status numbers (this is the planner's hot path)."""
        if available == self.available and pods == self.pods:
            return self
        return ReplicaSetState(
            self.name, self.spec, available, pods, self.desired, self.max_replicas, self.rank
        )


_SPEC = attrgetter("spec")
_AVAILABLE = attrgetter("available")


# the rank of a ReplicaSet the planner creates: newer than every live one
NEWEST_RANK = 2**62


class Cluster(NamedTuple):
    """The Deployment's ReplicaSets: old ones oldest first, and the new one if it exists."""

    olds: tuple[ReplicaSetState, ...]
    new: ReplicaSetState | None = None

    @property
    def all(self) -> tuple[ReplicaSetState, ...]:
        return self.olds if self.new is None else (*self.olds, self.new)

    @property
    def old_spec(self) -> int:
        return sum(map(_SPEC, self.olds))

    @property
    def new_spec(self) -> int:
        return 0 if self.new is None else self.new.spec

    @property
    def total_spec(self) -> int:
        # spelled out rather than old_spec + new_spec: read in every sync, and a property
        # call costs as much as the sum
        return sum(map(_SPEC, self.olds)) + (0 if self.new is None else self.new.spec)

    @property
    def available(self) -> int:
        return (0 if self.new is None else self.new.available) + sum(map(_AVAILABLE, self.olds))


class ScaleAction(NamedTuple):
    replica_set: str
    before: int
    after: int
    created: bool = False
    new: bool = False  # the action is on the new ReplicaSet


def _scaled(rs: ReplicaSetState, size: int, budget: Budget) -> ReplicaSetState:
    """scaleReplicaSet: the size, and the annotations rewritten to match the Deployment."""
    return ReplicaSetState(
        rs.name, size, rs.available, rs.pods, budget.replicas, budget.max_pods, rs.rank
    )


def new_rs_new_replicas(budget: Budget, total_spec: int, new_spec: int, *, recreate: bool) -> int:
    """NewRSNewReplicas: the new ReplicaSet's next size (``total_spec`` includes it)."""
    if recreate:
        return budget.replicas
    max_pods = budget.max_pods
    if total_spec >= max_pods:
        return new_spec
    return new_spec + min(max_pods - total_spec, budget.replicas - new_spec)


def reconcile_new(cluster: Cluster, budget: Budget) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    new = cluster.new
    if new is None or new.spec == budget.replicas:
        return cluster, ()
    if new.spec > budget.replicas:
        target = budget.replicas
    else:
        target = new_rs_new_replicas(budget, cluster.total_spec, new.spec, recreate=False)
    if target == new.spec:
        return cluster, ()
    action = ScaleAction(new.name, new.spec, target, new=True)
    return Cluster(cluster.olds, _scaled(new, target, budget)), (action,)


def reconcile_old(cluster: Cluster, budget: Budget) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """reconcileOldReplicaSets: clean up unhealthy old pods, then scale old ones down; each
    write is its own action (scaleReplicaSet sends one update per ReplicaSet and call), so a
    ReplicaSet both functions touch appears twice."""
    old_spec = cluster.old_spec
    if old_spec == 0:
        return cluster, ()
    new = cluster.new
    new_spec, new_unavailable = (0, 0) if new is None else (new.spec, new.spec - new.available)
    max_scaled_down = old_spec + new_spec - budget.min_available - new_unavailable
    if max_scaled_down <= 0:
        return cluster, ()
    olds, cleaned = cleanup_unhealthy(cluster.olds, max_scaled_down, budget)
    if cleaned:
        cluster = Cluster(olds, new)
    olds, scaled = scale_down_old_for_rolling(cluster, budget)
    if scaled:
        cluster = Cluster(olds, new)
    return cluster, cleaned + scaled


def cleanup_unhealthy(
    olds: tuple[ReplicaSetState, ...], max_cleanup: int, budget: Budget
) -> tuple[tuple[ReplicaSetState, ...], tuple[ScaleAction, ...]]:
    """cleanupUnhealthyReplicas: drop unavailable old pods, oldest ReplicaSet first."""
    for rs in olds:
        if rs.spec != rs.available:
            break
    else:  # the usual case, every old pod available: nothing to clean up, nothing to build
        return olds, ()
    result = list(olds)
    actions: list[ScaleAction] = []
    total = 0
    for index, rs in enumerate(olds):
        if total >= max_cleanup:
            break
        if rs.spec == 0 or rs.spec == rs.available:
            continue
        count = min(max_cleanup - total, rs.spec - rs.available)
        result[index] = _scaled(rs, rs.spec - count, budget)
        actions.append(ScaleAction(rs.name, rs.spec, rs.spec - count))
        total += count
    return tuple(result), tuple(actions)


def scale_down_old_for_rolling(
    cluster: Cluster, budget: Budget
) -> tuple[tuple[ReplicaSetState, ...], tuple[ScaleAction, ...]]:
    """scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available pods."""
    # available pods of the active old ReplicaSets and the new one, as the controller reads
    # them: an old one at 0 may still report pods that are on their way out
    available = 0 if cluster.new is None else cluster.new.available
    for rs in cluster.olds:
        if rs.spec > 0:
            available += rs.available
    if available <= budget.min_available:
        return cluster.olds, ()
    allowed = available - budget.min_available
    result = list(cluster.olds)
    actions: list[ScaleAction] = []
    done = 0
    for index, rs in enumerate(cluster.olds):
        if done >= allowed:
            break
        if rs.spec == 0:
            continue
        count = min(rs.spec, allowed - done)
        result[index] = _scaled(rs, rs.spec - count, budget)
        actions.append(ScaleAction(rs.name, rs.spec, rs.spec - count))
        done += count
    return tuple(result), tuple(actions)


def rolling_sync(
    cluster: Cluster, budget: Budget, new_name: str
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """rolloutRolling: create the new ReplicaSet at its computed size if needed, then either
    scale it up or scale old ones down (the creating sync may also scale old ones down)."""
    actions: tuple[ScaleAction, ...] = ()
    if cluster.new is None:
        size = new_rs_new_replicas(budget, cluster.total_spec, 0, recreate=False)
        created = ReplicaSetState(
            new_name, size, desired=budget.replicas, max_replicas=budget.max_pods, rank=NEWEST_RANK
        )
        cluster = Cluster(cluster.olds, created)
        actions = (ScaleAction(new_name, 0, size, created=True, new=True),)
    cluster, scaled_up = reconcile_new(cluster, budget)
    if scaled_up:
        return cluster, actions + scaled_up
    cluster, scaled_down = reconcile_old(cluster, budget)
    return cluster, actions + scaled_down


def recreate_scale_down(
    cluster: Cluster, budget: Budget
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """rolloutRecreate, first phase: every active old ReplicaSet to 0."""
    actions = tuple(ScaleAction(rs.name, rs.spec, 0) for rs in cluster.olds if rs.spec > 0)
    olds = tuple(_scaled(rs, 0, budget) if rs.spec > 0 else rs for rs in cluster.olds)
    return Cluster(olds, cluster.new), actions


def old_pods_running(cluster: Cluster) -> bool:
    """Recreate waits until no old pod exists any more (terminating ones included)."""
    return any(rs.pods > 0 for rs in cluster.olds)


def recreate_scale_up(
    cluster: Cluster, budget: Budget, new_name: str
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """rolloutRecreate, last phase: create (or scale) the new ReplicaSet at full size."""
    new = cluster.new
    if new is None:
        created = ReplicaSetState(
            new_name,
            budget.replicas,
            desired=budget.replicas,
            max_replicas=budget.max_pods,
            rank=NEWEST_RANK,
        )
        action = ScaleAction(new_name, 0, budget.replicas, created=True, new=True)
        return Cluster(cluster.olds, created), (action,)
    if new.spec == budget.replicas:
        return cluster, ()
    action = ScaleAction(new.name, new.spec, budget.replicas, new=True)
    return Cluster(cluster.olds, _scaled(new, budget.replicas, budget)), (action,)


def is_scaling_event(cluster: Cluster, replicas: int) -> bool:
    """isScalingEvent: an active ReplicaSet's desired-replicas annotation differs."""
    return any(
        rs.desired != replicas and rs.desired is not None and rs.spec > 0 for rs in cluster.all
    )


def replica_set_fraction(rs: ReplicaSetState, budget: Budget, status_replicas: int) -> int:
    """getReplicaSetFraction: this ReplicaSet's share of a resize, before capping."""
    if budget.replicas == 0:
        return -rs.spec
    before = rs.max_replicas or status_replicas
    if before == 0:
        return 0
    scaled = rs.spec * budget.max_pods / before
    return math.floor(scaled + 0.5) - rs.spec  # Go math.Round: halves away from zero


def proportional_scale(
    cluster: Cluster, budget: Budget, *, rolling: bool, status_replicas: int
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """scale(): a replicas change, applied to the existing ReplicaSets."""
    target = _active_or_latest(cluster)
    if target is not None:
        if target.spec == budget.replicas:
            return cluster, ()
        return _resize(cluster, [(target.name, budget.replicas)], budget)
    new = cluster.new
    if (
        new is not None
        and new.spec == budget.replicas
        and new.desired == budget.replicas
        and new.available == budget.replicas
    ):
        # FindActiveOrLatest has sorted the old ReplicaSets newest first, in place
        newest_first = sorted((rs for rs in cluster.olds if rs.spec > 0), key=_newer_first)
        return _resize(cluster, [(rs.name, 0) for rs in newest_first], budget)
    if not rolling:
        return cluster, ()
    return _resize(cluster, _proportional_sizes(cluster, budget, status_replicas), budget)


def _active_or_latest(cluster: Cluster) -> ReplicaSetState | None:
    active = [rs for rs in cluster.all if rs.spec > 0]
    if len(active) == 1:
        return active[0]
    if active:
        return None
    if cluster.new is not None:
        return cluster.new
    return cluster.olds[-1] if cluster.olds else None


def _newer_first(rs: ReplicaSetState) -> int:
    return -rs.rank


def _proportional_sizes(
    cluster: Cluster, budget: Budget, status_replicas: int
) -> list[tuple[str, int]]:
    """Each active ReplicaSet's new size, in the order scale() writes them: largest first,
    ties newer first when adding (ReplicaSetsBySizeNewer), older first when removing
    (ReplicaSetsBySizeOlder); the first one takes the rounding leftover."""
    active = [rs for rs in cluster.all if rs.spec > 0]
    allowed = budget.max_pods if budget.replicas > 0 else 0
    to_add = allowed - sum(rs.spec for rs in active)
    if to_add > 0:
        active.sort(key=lambda rs: (-rs.spec, -rs.rank))
    elif to_add < 0:
        active.sort(key=lambda rs: (-rs.spec, rs.rank))
    sizes: list[tuple[str, int]] = []
    added = 0
    for rs in active:
        share = 0
        if to_add != 0 and to_add != added:
            fraction = replica_set_fraction(rs, budget, status_replicas)
            left = to_add - added
            share = min(fraction, left) if to_add > 0 else max(fraction, left)
        sizes.append((rs.name, rs.spec + share))
        added += share
    if active and to_add != 0:
        first, size = sizes[0]
        sizes[0] = (first, max(0, size + to_add - added))
    return sizes


def _resize(
    cluster: Cluster, sizes: list[tuple[str, int]], budget: Budget
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """Write ``sizes`` in their order: one action per ReplicaSet whose size changes."""
    by_name = {rs.name: rs for rs in cluster.all}
    new_name = None if cluster.new is None else cluster.new.name
    actions = tuple(
        ScaleAction(name, by_name[name].spec, size, new=name == new_name)
        for name, size in sizes
        if size != by_name[name].spec
    )
    target = dict(sizes)

    def resized(rs: ReplicaSetState) -> ReplicaSetState:
        return _scaled(rs, target[rs.name], budget) if rs.name in target else rs

    new = None if cluster.new is None else resized(cluster.new)
    return Cluster(tuple(resized(rs) for rs in cluster.olds), new), actions
