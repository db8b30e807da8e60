"""Plans for every Deployment in the inputs: pure, frozen objects in, frozen plans out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Deployment, KubeObject, Labels, ReplicaSet
from rolloutplan.model.quantity import pod_requests
from rolloutplan.planner import start as starts
from rolloutplan.planner.budget import Budget, deployment_budget
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.simulate import NewPods, Outcome, Replay, Step, replay
from rolloutplan.planner.start import Change
from rolloutplan.planner.timing import Timing, estimate_timing


@dataclass(frozen=True, slots=True)
class PlanOptions:
    new_pods: NewPods = NewPods.READY
    pod_startup: int | None = None  # seconds; overrides the probe-based estimate


@dataclass(frozen=True, slots=True)
class RolloutPlan:
    deployment: Deployment
    change: Change
    budget: Budget
    start: Cluster
    steps: tuple[Step, ...]
    final: Cluster
    outcome: Outcome
    waves: int
    duration_seconds: int
    deadline_exceeded_at: int | None  # seconds from the start, when it would be reported
    timing: Timing
    new_pods: NewPods
    notes: tuple[str, ...] = ()
    old_labels: Labels = ()  # the old pods' labels (the new template's when not known)
    repeated_rounds: int = 0  # rounds shown as "repeat" steps (a plan too long to list)

    @property
    def peak_pods(self) -> int:
        return max([self.start.total_spec, *(step.total for step in self.steps)])

    @property
    def min_available(self) -> int:
        return min([self.start.available, *(step.available for step in self.steps)])

    @property
    def peak_requests(self) -> dict[str, str]:
        """Resource requests of the peak number of pods (all of them on the new template)."""
        return pod_requests(self.deployment.template, self.peak_pods)


@dataclass(frozen=True, slots=True)
class BareReplicaSet:
    """A ReplicaSet no Deployment in the inputs owns: it never rolls out."""

    ref: ObjectRef
    replicas: int


def plan_all(
    objects: Sequence[KubeObject],
    previous: Sequence[KubeObject] | None,
    options: PlanOptions,
) -> tuple[tuple[RolloutPlan, ...], tuple[BareReplicaSet, ...]]:
    deployments = [o for o in objects if isinstance(o, Deployment)]
    replica_sets = [o for o in objects if isinstance(o, ReplicaSet)]
    before = {o.ref: o for o in previous or () if isinstance(o, Deployment)}
    plans = []
    owned: set[ObjectRef] = set()
    index = starts.ReplicaSetIndex(replica_sets)
    for deployment in deployments:
        live = index.owned(deployment)
        owned.update(rs.ref for rs in live)
        old = before.get(deployment.ref)
        plans.append(plan_deployment(deployment, old, live, options, previous is not None))
    bare = tuple(BareReplicaSet(rs.ref, rs.replicas) for rs in replica_sets if rs.ref not in owned)
    return tuple(sorted(plans, key=lambda p: p.deployment.ref)), bare


def plan_deployment(
    deployment: Deployment,
    previous: Deployment | None,
    live: Sequence[ReplicaSet],
    options: PlanOptions,
    have_previous: bool = False,
) -> RolloutPlan:
    """The rollout one Deployment goes through, from live ReplicaSets, a previous manifest,
    or (by default) the previous template running at full strength."""
    budget = deployment_budget(deployment)
    notes: list[str] = []
    old_template = previous.template if previous is not None else None
    if live:
        start = starts.from_live(deployment, live)
        change = starts.live_change(deployment, start)
        notes.append(f"starts from the live state of {len(live)} ReplicaSet(s) in the inputs")
        if start.olds:
            old_template = live[0].template
    elif have_previous:
        change = starts.classify(deployment, previous)
        start = (
            Cluster(())
            if previous is None or change is Change.REFUSED
            else starts.from_previous(deployment, previous, change)
        )
    else:
        change = Change.ROLLOUT
        start = starts.previous_revision(deployment, budget)
        notes.append("assumes the pod template changed and the previous one runs at full strength")
    timing = estimate_timing(
        deployment.template, deployment.min_ready_seconds, old_template, options.pod_startup
    )
    if change is Change.REFUSED:
        notes.append("spec.selector changed: the API server refuses the update (it is immutable)")
        result = Replay((), start, Outcome.REFUSED, 0, 0, 0)
    else:
        if deployment.paused:
            notes.append("spec.paused is true: no rollout until `kubectl rollout resume`")
        new_name = starts.new_replica_set_name(deployment)
        result = replay(deployment, budget, start, new_name, options.new_pods, timing)
    old_labels = (old_template or deployment.template).labels
    return replace(
        _planned(deployment, change, budget, start, result, timing, options, notes),
        old_labels=tuple(kv for kv in old_labels if kv[0] != starts.HASH_LABEL),
    )


def _planned(
    deployment: Deployment,
    change: Change,
    budget: Budget,
    start: Cluster,
    result: Replay,
    timing: Timing,
    options: PlanOptions,
    notes: list[str],
) -> RolloutPlan:
    outcome = result.outcome
    if change is Change.NONE and not result.steps and outcome is Outcome.COMPLETE:
        outcome = Outcome.NO_ROLLOUT
    deadline = None
    if outcome is Outcome.STALLED:
        deadline = result.last_progress_seconds + deployment.progress_deadline_seconds
    return RolloutPlan(
        deployment,
        change,
        budget,
        start,
        result.steps,
        result.final,
        outcome,
        result.waves,
        result.seconds,
        deadline,
        timing,
        options.new_pods,
        tuple(notes),
        repeated_rounds=result.repeated_rounds,
    )
