"""Plans for every Deployment in the inputs: pure, frozen objects in, frozen plans out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Deployment, Labels, PodTemplate, ReplicaSet
from rolloutplan.model.quantity import pod_requests
from rolloutplan.planner import start as starts
from rolloutplan.planner.budget import Budget, deployment_budget
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.simulate import NewPods, Outcome, Replay, Step, replay
from rolloutplan.planner.start import Change
from rolloutplan.planner.timing import Timing, estimate_timing
from rolloutplan.units import PreviousCopies

T = TypeVar("T")


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
    # the old pods' template when the inputs show it (--previous, live ReplicaSets)
    old_template: PodTemplate | None = None
    path: str = ""  # the file the Deployment is defined in

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
    path: str = ""


Placed = tuple[str, T]  # an object and the file it is defined in


@dataclass(frozen=True, slots=True)
class PlanUnit:
    """The objects of one apply unit (see units.py): every Deployment, and the ReplicaSets
    that apply there (the last copy of each)."""

    deployments: tuple[Placed[Deployment], ...]
    replica_sets: tuple[Placed[ReplicaSet], ...]


def plan_all(
    units: Sequence[PlanUnit],
    previous: Sequence[Placed[Deployment]] | None,
    options: PlanOptions,
) -> tuple[tuple[RolloutPlan, ...], tuple[BareReplicaSet, ...]]:
    """A plan per Deployment copy (file and reference), started from the live ReplicaSets
    of its units and from its previous version (see ``PreviousCopies``)."""
    deployments: dict[tuple[str, ObjectRef], Deployment] = {}
    live: dict[tuple[str, ObjectRef], dict[tuple[str, ObjectRef], ReplicaSet]] = {}
    replica_sets: dict[tuple[str, ObjectRef], ReplicaSet] = {}
    owned: set[tuple[str, ObjectRef]] = set()
    for unit in units:
        paths = {id(rs): path for path, rs in unit.replica_sets}
        replica_sets.update(((path, rs.ref), rs) for path, rs in unit.replica_sets)
        index = starts.ReplicaSetIndex([rs for _, rs in unit.replica_sets])
        for path, deployment in unit.deployments:
            key = (path, deployment.ref)
            deployments[key] = deployment
            mine = live.setdefault(key, {})
            for rs in index.owned(deployment):
                mine[(paths[id(rs)], rs.ref)] = rs
                owned.add((paths[id(rs)], rs.ref))
    before = _by_ref(previous or ())
    plans = []
    for path, ref in sorted(deployments, key=lambda key: (key[1], key[0].split("/"))):
        deployment = deployments[(path, ref)]
        old = before[ref].of(path) if ref in before else None
        replicas = list(live[(path, ref)].values())
        plan = plan_deployment(deployment, old, replicas, options, previous is not None)
        plans.append(replace(plan, path=path))
    bare = tuple(
        BareReplicaSet(ref, replica_sets[(path, ref)].replicas, path)
        for path, ref in sorted(replica_sets, key=lambda key: (key[0].split("/"), key[1]))
        if (path, ref) not in owned
    )
    return tuple(plans), bare


def _by_ref(placed: Sequence[Placed[Deployment]]) -> dict[ObjectRef, PreviousCopies[Deployment]]:
    found: dict[ObjectRef, list[Placed[Deployment]]] = {}
    for path, deployment in placed:
        found.setdefault(deployment.ref, []).append((path, deployment))
    return {ref: PreviousCopies(copies) for ref, copies in found.items()}


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
        old_template=old_template,
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
