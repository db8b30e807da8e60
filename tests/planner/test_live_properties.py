"""Invariants the Deployment controller keeps, over random live states (issue 14).

A live state is 1-3 old ReplicaSets of random sizes, availability and creation times (ties
and missing ones included), a new ReplicaSet partly scaled or absent, and often a replica
change still pending (the ReplicaSets' desired-replicas annotation differs from the
Deployment's replicas), planned with RollingUpdate and both --new-pods modes.

What holds, and why (the controller's rules; "M" is replicas + maxSurge, "minAvailable" is
replicas - maxUnavailable):

- Total pods. A rolling sync only creates or grows the new ReplicaSet while the total is
  below M, and at most up to M (NewRSNewReplicas); everything else it does removes pods.
  sync.go scale() makes the total exactly M when it adds pods (the leftover goes to the
  first ReplicaSet, never clamped); when it removes pods, no ReplicaSet grows unless its
  share round(spec * M / before) - spec is positive (before: the max-replicas annotation,
  else status.replicas), i.e. unless it has more pods than the annotation recorded, which
  the controller's own writes do not leave behind; then the total can rise further (the
  first ReplicaSet, clamped at 0, cannot take the leftover): see
  ``test_scale_down_can_grow_replica_sets_whose_annotation_is_below_the_new_maximum``.
  scale() writes one ReplicaSet after the other, and the first may take the others' shares
  before they are written, so its bound holds when its writes are done, not between them.
  So: after scale(), at most max(M, the starting total) (that exception aside), and every
  rollout step at most max(M, the total before it).
- Available pods. cleanupUnhealthyReplicas removes only unavailable pods (the ReplicaSet
  controller deletes those first), and scaleDownOldReplicaSetsForRollingUpdate removes at
  most (available - minAvailable) pods and nothing at or below minAvailable; waves only make
  pods available.  So each step of the rollout leaves at least min(minAvailable, the
  available count before it).  scale() ignores availability: a pending replica change that
  removes pods can take available below minAvailable, so the bound starts after that sync
  (its steps: one per ReplicaSet whose size the controller module's scale() changes).
- The plan ends (never truncated at these sizes) complete, or stalled where no sync can act:
  with --new-pods never-ready the new template's pods stay unavailable (the stall of
  rolling.go); with ready pods, only a pending replica change that scale() cannot apply (one
  active ReplicaSet already at replicas keeps its old desired-replicas annotation, since
  scaleReplicaSetAndRecordEvent writes nothing for an unchanged size, so every sync stays a
  scaling event).

Two planner bugs this found are fixed, each with a regression test in
test_live_state_cli.py: a scale() that rewrites only annotations (no size changes) ended the
plan, and old pods not yet created (status.replicas below spec) were never created when no
sync acted.
"""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import event, given
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    PodTemplate,
    ReplicaSet,
    StrategyType,
)
from rolloutplan.planner.budget import deployment_budget, resolve_fenceposts
from rolloutplan.planner.controller import Cluster, ReplicaSetState, proportional_scale
from rolloutplan.planner.plan import PlanOptions, RolloutPlan, plan_deployment
from rolloutplan.planner.simulate import NewPods, Outcome, Step

SELECTOR = LabelSelector((("app", "web"),))
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"


def template(version: str) -> PodTemplate:
    return PodTemplate(
        (("app", "web"),), (Container("web", f"web:{version}"),), fingerprint=f"web:{version}"
    )


NEW_TEMPLATE = template("new")

bound = st.one_of(
    st.integers(min_value=0, max_value=5).map(str),
    st.sampled_from(["0%", "10%", "25%", "50%", "100%"]),
)


class Live(NamedTuple):
    """A live state in a few numbers (so that a falsifying example reads at a glance).

    Each ReplicaSet is (spec, available, status.replicas, creation day or "" for none,
    whether it carries the desired/max-replicas annotations); the new one is last, if any.
    """

    replicas: int
    max_surge: str
    max_unavailable: str
    annotated_for: int  # the replicas the annotations were written for
    olds: tuple[tuple[int, int, int, str, bool], ...]
    new: tuple[int, int, int, str, bool] | None


@st.composite
def replica_sets(draw: st.DrawFn, *, new: bool = False) -> tuple[int, int, int, str, bool]:
    spec = draw(st.integers(min_value=0, max_value=20))
    available = draw(st.integers(min_value=0, max_value=spec))
    pods = draw(st.integers(min_value=available, max_value=spec))
    day = draw(st.sampled_from(["", "01", "02", "02", "03"]))  # ties and missing dates
    return spec, available, pods, day, draw(st.integers(0, 3).map(bool))


@st.composite
def live_states(draw: st.DrawFn) -> Live:
    surge, unavailable = draw(bound), draw(bound)
    if surge.rstrip("%") == "0" and unavailable.rstrip("%") == "0":  # the API rejects both 0
        unavailable = "1"
    replicas = draw(st.integers(min_value=0, max_value=20))
    # often a replica change is pending: the ReplicaSets were last scaled for other replicas
    annotated_for = draw(st.one_of(st.just(replicas), st.integers(min_value=0, max_value=20)))
    olds = tuple(draw(st.lists(replica_sets(), min_size=1, max_size=3)))
    new = draw(st.one_of(st.none(), replica_sets(new=True)))
    return Live(replicas, surge, unavailable, annotated_for, olds, new)


def _bound(text: str) -> IntOrPercent:
    return IntOrPercent.parse(text if text.endswith("%") else int(text))


def build(live: Live) -> tuple[Deployment, list[ReplicaSet]]:
    strategy = DeploymentStrategy(
        StrategyType.ROLLING_UPDATE, _bound(live.max_surge), _bound(live.max_unavailable)
    )
    deployment = Deployment(
        ObjectRef("Deployment", "default", "web"), live.replicas, SELECTOR, NEW_TEMPLATE, strategy
    )
    surge, _ = resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, live.annotated_for)
    annotations = ((DESIRED, str(live.annotated_for)), (MAX, str(live.annotated_for + surge)))
    named = [(f"web-old{i}", f"v{i}", rs) for i, rs in enumerate(live.olds)]
    if live.new is not None:
        named.append(("web-new", "new", live.new))
    return deployment, [_replica_set(name, version, rs, annotations) for name, version, rs in named]


def _replica_set(
    name: str,
    version: str,
    numbers: tuple[int, int, int, str, bool],
    annotations: tuple[tuple[str, str], ...],
) -> ReplicaSet:
    spec, available, pods, day, annotated = numbers
    return ReplicaSet(
        ObjectRef("ReplicaSet", "default", name),
        spec,
        SELECTOR,
        template(version),
        labels=(("app", "web"), ("pod-template-hash", version)),
        annotations=annotations if annotated else (),
        owner=("Deployment", "web"),
        created=f"2025-03-{day}T10:00:00Z" if day else "",
        status_replicas=pods,
        available_replicas=available,
    )


def _scaling_sync(plan: RolloutPlan) -> tuple[Step, ...]:
    """The steps of the first sync when it is a scaling event (sync.go scale()): one per
    ReplicaSet whose size it changes, as many as the controller module's scale() takes."""
    start, budget = plan.start, plan.budget
    if not _pending_change(start, budget.replicas):
        return ()
    pods = sum(rs.pods for rs in start.all)
    _, actions = proportional_scale(start, budget, rolling=True, status_replicas=pods)
    return plan.steps[: len(actions)]


def _grows(start: Cluster, max_pods: int) -> bool:
    """Whether scale() removes pods yet gives some ReplicaSet a positive share
    (getReplicaSetFraction, with Go's rounding of halves away from zero)."""
    status_replicas = sum(rs.pods for rs in start.all)

    def share(rs: ReplicaSetState) -> int:
        before = rs.max_replicas or status_replicas
        return 0 if before == 0 else (2 * rs.spec * max_pods + before) // (2 * before) - rs.spec

    return start.total_spec > max_pods and any(share(rs) > 0 for rs in start.all if rs.spec > 0)


def _pending_change(cluster: Cluster, replicas: int) -> bool:
    """isScalingEvent: an active ReplicaSet whose desired-replicas annotation differs."""
    return any(rs.spec > 0 and rs.desired not in (None, replicas) for rs in cluster.all)


def _stuck_scaling_event(cluster: Cluster, replicas: int) -> bool:
    """One active ReplicaSet already at ``replicas`` with another desired-replicas: scale()
    returns before writing, so the annotation never changes and no rollout sync runs."""
    active = [rs for rs in cluster.all if rs.spec > 0]
    return _pending_change(cluster, replicas) and len(active) == 1 and active[0].spec == replicas


def _rolling_idle(cluster: Cluster, replicas: int, max_pods: int, min_available: int) -> bool:
    """No rolling sync can act (rolling.go): the new ReplicaSet cannot grow, and
    reconcileOldReplicaSets has nothing to clean up or scale down."""
    new = cluster.new
    if new is None:
        return False
    grows = new.spec < replicas and cluster.total_spec < max_pods
    if grows or new.spec > replicas:
        return False
    active_olds = [rs for rs in cluster.olds if rs.spec > 0]
    if not active_olds:
        return True
    max_scaled_down = cluster.total_spec - min_available - (new.spec - new.available)
    unhealthy = any(rs.spec > rs.available for rs in active_olds)
    available = new.available + sum(rs.available for rs in active_olds)
    return max_scaled_down <= 0 or (not unhealthy and available <= min_available)


def _complete(plan: RolloutPlan, replicas: int) -> bool:
    final = plan.final
    return (
        final.new is not None
        and (final.new.spec, final.new.available) == (replicas, replicas)
        and all(rs.spec == 0 for rs in final.olds)
    )


def _old_pods_settled(cluster: Cluster) -> bool:
    """Every old pod that exists is available (the old templates work)."""
    return all(rs.available == rs.spec for rs in cluster.olds)


def check(plan: RolloutPlan, deployment: Deployment) -> None:
    budget, start = plan.budget, plan.start
    assert budget == deployment_budget(deployment)
    assert plan.outcome is not Outcome.TRUNCATED
    scaling = _scaling_sync(plan)
    rollout = plan.steps[len(scaling) :]
    # total pods: scale() writes one ReplicaSet after the other (the first may take others'
    # shares before they are written), so its bound holds when it is done
    total = start.total_spec
    if scaling:
        total = scaling[-1].total
        if not _grows(start, budget.max_pods):
            assert total <= max(budget.max_pods, start.total_spec)
    for step in rollout:
        assert step.total <= max(budget.max_pods, total), (step, total)
        total = step.total
    # available pods, from the end of scale() on
    available = scaling[-1].available if scaling else start.available
    for step in rollout:
        assert step.available >= min(budget.min_available, available), (step, available)
        available = step.available
        assert 0 <= step.new_available <= step.new
    # how it ends
    replicas = deployment.replicas
    if plan.outcome in (Outcome.COMPLETE, Outcome.NO_ROLLOUT):  # no-rollout: complete already
        assert _complete(plan, replicas)
        assert plan.final.available == replicas
        return
    assert plan.outcome is Outcome.STALLED, plan.outcome
    final = plan.final
    assert _old_pods_settled(final)
    if _stuck_scaling_event(final, replicas):
        return
    assert not _pending_change(final, replicas)
    assert plan.new_pods is NewPods.NEVER_READY
    assert _rolling_idle(final, replicas, budget.max_pods, budget.min_available)


@given(live_states(), st.sampled_from(NewPods))
def test_live_rollouts_keep_the_controller_bounds_and_end_at_rest(
    live: Live, new_pods: NewPods
) -> None:
    deployment, replica_sets = build(live)
    plan = plan_deployment(deployment, None, replica_sets, PlanOptions(new_pods))
    check(plan, deployment)
    event(f"outcome {plan.outcome.value}, scale() first: {bool(_scaling_sync(plan))}")


def test_scale_down_can_grow_replica_sets_whose_annotation_is_below_the_new_maximum() -> None:
    """Why the total bound has an exception: three ReplicaSets of 4 whose annotations say
    max 2 (what the controller's writes never leave), replicas 8 with maxSurge 2 (M = 10):
    12 pods, 2 to remove, yet each share is round(4 * 10 / 2) - 4 = 16, and the first (the
    oldest: ReplicaSetsBySizeOlder), clamped at 0, cannot take the leftover (sync.go scale)."""
    rs = (4, 4, 4, "01", True), (4, 4, 4, "02", True), (4, 4, 4, "03", True)
    deployment, live = build(Live(8, "2", "0", 0, rs, None))
    plan = plan_deployment(deployment, None, live, PlanOptions())
    assert _grows(plan.start, plan.budget.max_pods)
    assert [(step.description, step.total) for step in _scaling_sync(plan)] == [
        ("scale old ReplicaSet web-old0 down 4 -> 0", 8),
        ("scale old ReplicaSet web-old1 up 4 -> 20", 24),
        ("scale old ReplicaSet web-old2 up 4 -> 20", 40),
    ]
