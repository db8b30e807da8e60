"""Plans for every Deployment in the inputs: pure, frozen objects in, frozen plans out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from rolloutplan.analysis.neighbours import (
    ReplicaView,
    autoscaled_replicas,
    autoscalers_by_target,
    limit_ranges_of,
    scaling_disabled,
)
from rolloutplan.model.cluster import (
    HorizontalPodAutoscaler,
    LimitRange,
    Node,
    ResourceQuota,
    RuntimeClass,
)
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Deployment, Labels, PodTemplate, ReplicaSet
from rolloutplan.planner import start as starts
from rolloutplan.planner.budget import Budget, deployment_budget
from rolloutplan.planner.changes import FieldChange, deployment_changes, template_changes
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.limits import Neighbourhood, QuotaPlan, quota_plan
from rolloutplan.planner.nodes import Budget as NodeBudget
from rolloutplan.planner.nodes import Cluster as NodeCluster
from rolloutplan.planner.nodes import NodeRoom, node_room
from rolloutplan.planner.quota import pod_requests
from rolloutplan.planner.simulate import NewPods, Outcome, Replay, Step, replay
from rolloutplan.planner.start import Change
from rolloutplan.planner.timing import CLI_ORIGIN, PodStartup, Timing, estimate_timing
from rolloutplan.units import PreviousCopies

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PlanOptions:
    new_pods: NewPods = NewPods.READY
    # seconds from pod creation to ready (--pod-startup), instead of the probe estimate: for
    # every Deployment, over ``startups``
    pod_startup: int | None = None
    startups: tuple[PodStartup, ...] = ()  # the config file's, in order: the first match wins
    nodes: int | None = None  # --nodes: the cluster's nodes (None: not known)
    zones: int | None = None  # --zones: the cluster's zones (None: not known)
    # the Node objects of the inputs (the last copy of each); --nodes and --zones win
    node_objects: tuple[Node, ...] = ()
    node_budget: NodeBudget = field(default_factory=NodeBudget, compare=False)

    @property
    def cluster(self) -> NodeCluster:
        return NodeCluster(self.nodes, self.zones, self.node_objects)

    def startup_of(self, deployment: Deployment) -> tuple[int | None, str]:
        """The pod start-up seconds set for ``deployment`` (None: not set), and where."""
        if self.pod_startup is not None:
            return self.pod_startup, CLI_ORIGIN
        labels = deployment.template.labels
        for startup in self.startups:
            if startup.matches(deployment.ref, labels):
                return startup.seconds, startup.origin
        return None, ""


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
    # what changed since the previous version (--previous, --base, live ReplicaSets)
    changes: tuple[FieldChange, ...] = ()
    # why the API server refuses the update (outcome REFUSED), e.g. "RP205 spec.selector is
    # immutable"; the plan's Deployment is then the current version, which keeps running
    refusal: str = ""
    # the replica count assumed, when an autoscaler owns it: currentReplicas, minReplicas or
    # maxReplicas (one copy may have a plan at each end of the autoscaler's range)
    variant: str = ""
    autoscaler: str = ""  # the name of the autoscaler whose count it is
    # what the namespace's quotas leave room for, when some select the Deployment's pods
    quota: QuotaPlan | None = None
    # why a stalled rollout stalls, when the inputs say (e.g. a quota's refusal)
    stall_reason: str = ""
    # the nodes (--nodes), when anti-affinity lets each run only one of the pods
    nodes: NodeRoom | None = None
    # the spec.replicas the previous manifest sets when this one leaves it out while an
    # autoscaler scales the Deployment: applying it resets the count to the default, 1
    replicas_removed: int | None = None
    # what the API server adds to the pods' requests at admission, when the inputs show it:
    # the LimitRanges of the Deployment's namespace and its RuntimeClass's pod overhead
    limit_ranges: tuple[LimitRange, ...] = ()
    overhead: tuple[tuple[str, str], ...] = ()

    @property
    def peak_pods(self) -> int:
        return max([self.start.total_spec, *(step.total for step in self.steps)])

    @property
    def variant_name(self) -> str:
        """``maxReplicas 8``: the autoscaler's count this plan assumes, if any."""
        return f"{self.variant} {self.deployment.replicas}" if self.variant else ""

    @property
    def variant_suffix(self) -> str:
        """What a finding only this plan of its copy shows ends with."""
        return f" (the plan at {self.variant_name})"

    @property
    def min_available(self) -> int:
        return min([self.start.available, *(step.available for step in self.steps)])

    @property
    def peak_requests(self) -> dict[str, str]:
        """CPU and memory requests of the peak number of pods (all of them on the new
        template), as the scheduler and the quota count them."""
        template = self.deployment.template
        return pod_requests(template, self.peak_pods, self.limit_ranges, self.overhead)


@dataclass(frozen=True, slots=True)
class BareReplicaSet:
    """A ReplicaSet no Deployment in the inputs owns: it never rolls out."""

    ref: ObjectRef
    replicas: int
    path: str = ""


Placed = tuple[str, T]  # an object and the file it is defined in


@dataclass(frozen=True, slots=True)
class Rejected:
    """A Deployment copy the API server rejects (it is not typed): its file, reference, and
    why (rule ids and fields, e.g. ``RP209 spec.replicas (negative-value)``)."""

    path: str
    ref: ObjectRef
    why: str


@dataclass(frozen=True, slots=True)
class PlanUnit:
    """The objects of one apply unit (see units.py): every Deployment, the ReplicaSets
    that apply there (the last copy of each), and the Deployment copies that are rejected."""

    deployments: tuple[Placed[Deployment], ...]
    replica_sets: tuple[Placed[ReplicaSet], ...]
    rejected: tuple[Rejected, ...] = ()
    autoscalers: tuple[HorizontalPodAutoscaler, ...] = ()  # the last copy of each
    quotas: tuple[ResourceQuota, ...] = ()  # of the unit (the last copy of each)
    limit_ranges: tuple[LimitRange, ...] = ()
    nodes: tuple[Node, ...] = ()  # live Node objects (kubectl get nodes -o yaml)
    runtime_classes: tuple[RuntimeClass, ...] = ()


def plan_all(
    units: Sequence[PlanUnit],
    previous: Sequence[Placed[Deployment]] | None,
    options: PlanOptions,
) -> tuple[tuple[RolloutPlan, ...], tuple[BareReplicaSet, ...]]:
    """A plan per Deployment copy (file and reference), started from the live ReplicaSets
    of its units and from its previous version (see ``PreviousCopies``).  A rejected copy
    with a previous version is planned as a refused update of it."""
    before = _by_ref(previous or ())
    # each copy to plan, and the Deployment whose ReplicaSets it starts from: itself, or a
    # rejected copy's previous version
    copies: dict[tuple[str, ObjectRef], tuple[Deployment | Rejected, Deployment]] = {}
    autoscalers: dict[tuple[str, ObjectRef], tuple[HorizontalPodAutoscaler, ...]] = {}
    live: dict[tuple[str, ObjectRef], dict[tuple[str, ObjectRef], ReplicaSet]] = {}
    replica_sets: dict[tuple[str, ObjectRef], ReplicaSet] = {}
    owned: set[tuple[str, ObjectRef]] = set()
    around: dict[tuple[str, ObjectRef], Neighbourhood] = {}
    on_nodes: dict[tuple[str, ObjectRef], PlanOptions] = {}
    for unit in units:
        paths = {id(rs): path for path, rs in unit.replica_sets}
        replica_sets.update(((path, rs.ref), rs) for path, rs in unit.replica_sets)
        index = starts.ReplicaSetIndex([rs for _, rs in unit.replica_sets])
        targets = autoscalers_by_target(unit.autoscalers)
        for path, copy, current in _copies(unit, before):
            key = (path, current.ref)
            copies[key] = (copy, current)
            targeting = targets.get((current.ref.namespace, current.ref.name))
            if targeting:
                autoscalers.setdefault(key, targeting)
            mine = live.setdefault(key, {})
            if unit.quotas or unit.limit_ranges or unit.runtime_classes:
                around[key] = Neighbourhood.of(
                    unit.quotas, unit.limit_ranges, unit.deployments, unit.runtime_classes
                )
            if unit.nodes:
                on_nodes[key] = replace(options, node_objects=unit.nodes)
            for rs in index.owned(current):
                mine[(paths[id(rs)], rs.ref)] = rs
                owned.add((paths[id(rs)], rs.ref))
    plans = []
    every = options
    for path, ref in sorted(copies, key=lambda key: (key[1], key[0].split("/"))):
        copy, current = copies[(path, ref)]
        options = on_nodes.get((path, ref), every)
        replicas = list(live[(path, ref)].values())
        if isinstance(copy, Rejected):
            plan = refused_plan(current, replicas, copy.why, options)
        else:
            old = before[ref].of(path) if ref in before else None
            targeting = autoscalers.get((path, ref), ())
            views = autoscaled_replicas(copy, targeting)
            idle = old is not None and scaling_disabled(old.replicas, targeting) is not None
            for view in views:
                plans.append(
                    _placed(
                        _autoscaled(
                            copy,
                            old,
                            replicas,
                            options,
                            previous is not None,
                            view,
                            around.get((path, ref)),
                            idle,
                        ),
                        path,
                        around.get((path, ref)),
                    )
                )
            if views:
                continue
            plan = plan_deployment(
                copy, old, replicas, options, previous is not None, around.get((path, ref))
            )
        plans.append(_placed(plan, path, around.get((path, ref))))
    bare = tuple(
        BareReplicaSet(ref, replica_sets[(path, ref)].replicas, path)
        for path, ref in sorted(replica_sets, key=lambda key: (key[0].split("/"), key[1]))
        if (path, ref) not in owned
    )
    return tuple(plans), bare


def _placed(plan: RolloutPlan, path: str, neighbours: Neighbourhood | None) -> RolloutPlan:
    """The plan with its file, and what admission adds to its pods' requests."""
    if neighbours is None:
        return replace(plan, path=path)
    template = plan.deployment.template
    return replace(
        plan,
        path=path,
        limit_ranges=limit_ranges_of(plan.deployment, neighbours.limit_ranges),
        overhead=neighbours.overhead(template),
    )


def _autoscaled(
    deployment: Deployment,
    previous: Deployment | None,
    live: Sequence[ReplicaSet],
    options: PlanOptions,
    have_previous: bool,
    view: ReplicaView,
    neighbours: Neighbourhood | None = None,
    idle_before: bool = False,
) -> RolloutPlan:
    """The plan at the replica count an autoscaler holds the Deployment at (and its
    previous version: the autoscaler holds that one too, unless it was at 0 replicas with
    scaling disabled, ``idle_before``), with the count's origin first among the notes."""
    at = replace(deployment, replicas=view.replicas)
    before = previous
    if previous is not None and not idle_before:
        before = replace(previous, replicas=view.replicas)
    plan = plan_deployment(at, before, live, options, have_previous, neighbours)
    notes = (view.why, *plan.notes)
    # from 0 replicas the apply's default 1 scales up, and the autoscaler resumes: no drop
    removed = None if idle_before else _replicas_removed(deployment, previous)
    if removed is not None:
        notes += (
            f"spec.replicas ({removed} in the previous manifest) is removed: `kubectl apply` "
            "sets it to its default, 1, and the Deployment runs one pod until the autoscaler "
            "scales it up again; the steps show the rollout at the autoscaler's count",
        )
    return replace(
        plan,
        notes=notes,
        variant=view.variant,
        autoscaler=view.autoscaler,
        replicas_removed=removed,
    )


def _replicas_removed(deployment: Deployment, previous: Deployment | None) -> int | None:
    """The spec.replicas the previous manifest applies and this one no longer does."""
    if previous is None or deployment.applied_replicas is not None:
        return None
    return previous.applied_replicas


def _copies(
    unit: PlanUnit, before: dict[ObjectRef, PreviousCopies[Deployment]]
) -> list[tuple[str, Deployment | Rejected, Deployment]]:
    """The unit's Deployment copies, each with itself, and its rejected copies that have a
    previous version, each with that version (what keeps running)."""
    found: list[tuple[str, Deployment | Rejected, Deployment]] = [
        (path, deployment, deployment) for path, deployment in unit.deployments
    ]
    for rejected in unit.rejected:
        copies = before.get(rejected.ref)
        current = None if copies is None else copies.of(rejected.path)
        if current is not None:
            found.append((rejected.path, rejected, current))
    return found


def _by_ref(placed: Sequence[Placed[Deployment]]) -> dict[ObjectRef, PreviousCopies[Deployment]]:
    found: dict[ObjectRef, list[Placed[Deployment]]] = {}
    for path, deployment in placed:
        found.setdefault(deployment.ref, []).append((path, deployment))
    return {ref: PreviousCopies(copies) for ref, copies in found.items()}


SELECTOR_IMMUTABLE = "RP205 spec.selector is immutable"


def plan_deployment(
    deployment: Deployment,
    previous: Deployment | None,
    live: Sequence[ReplicaSet],
    options: PlanOptions,
    have_previous: bool = False,
    neighbours: Neighbourhood | None = None,
) -> RolloutPlan:
    """The rollout one Deployment goes through, from live ReplicaSets, a previous manifest,
    or (by default) the previous template running at full strength.  A changed selector is
    refused: the plan then shows the current version running on."""
    if previous is not None and starts.classify(deployment, previous) is Change.REFUSED:
        plan = refused_plan(previous, live, SELECTOR_IMMUTABLE, options)
        return replace(plan, changes=deployment_changes(previous, deployment))
    budget = deployment_budget(deployment)
    notes: list[str] = []
    old_template = previous.template if previous is not None else None
    if live:
        start = starts.from_live(deployment, live)
        change = starts.live_change(deployment, start)
        notes.append(f"starts from the live state of {len(live)} ReplicaSet(s) in the inputs")
        notes.extend(_creation_order_note(live))
        old_template = _running_template(deployment, live) or old_template
    elif have_previous:
        change = starts.classify(deployment, previous)
        start = (
            Cluster(()) if previous is None else starts.from_previous(deployment, previous, change)
        )
    else:
        change = Change.ROLLOUT
        start = starts.previous_revision(deployment, budget)
        notes.append("assumes the pod template changed and the previous one runs at full strength")
    timing = estimate_timing(
        deployment.template,
        deployment.min_ready_seconds,
        old_template,
        *options.startup_of(deployment),
    )
    if deployment.paused:
        notes.append("spec.paused is true: no rollout until `kubectl rollout resume`")
    if deployment.template.pod_level_resources:
        notes.append(
            "the pod template sets pod-level resources (spec.resources, PodLevelResources), "
            "which replace the containers' sum where the feature is on (by default from "
            "Kubernetes 1.34): the peak requests and quota charges here count the containers "
            "only"
        )
    new_name = starts.new_replica_set_name(deployment)
    quota = None if neighbours is None else quota_plan(deployment, old_template, start, neighbours)
    cap = quota.cap if quota is not None and quota.rooms else None
    room = node_room(deployment, old_template, options.cluster, options.node_budget)
    on_nodes = None if room is None or not room.limits else room.running
    result = replay(
        deployment, budget, start, new_name, options.new_pods, timing, cap=cap, nodes=on_nodes
    )
    notes.extend(_old_readiness_notes(start, result.steps))
    old_labels = (old_template or deployment.template).labels
    plan = replace(
        _planned(deployment, change, budget, start, result, timing, options, notes),
        old_labels=tuple(kv for kv in old_labels if kv[0] != starts.HASH_LABEL),
        old_template=old_template,
        changes=_changes(deployment, previous, old_template),
    )
    plan = plan if quota is None else quota.applied(plan, timing)
    return plan if room is None else room.applied(plan)


def _old_readiness_notes(start: Cluster, steps: Sequence[Step]) -> list[str]:
    """Say when a wave makes old pods available (pods proportional scaling created, or not
    yet available at the start): the old templates are assumed to work, which the inputs
    cannot show."""
    old_available = start.available - (0 if start.new is None else start.new.available)
    became = 0
    for step in steps:
        now = step.available - step.new_available
        if step.kind == "wait" and now > old_available:
            became += now - old_available
        old_available = now
    if not became:
        return []
    return [
        f"{became} old pod(s) become available in the waves (created by proportional scaling "
        "or not yet available at the start): the old templates are taken to work"
    ]


def _creation_order_note(live: Sequence[ReplicaSet]) -> list[str]:
    """Which creation order was assumed, when some ReplicaSet does not say when it was made."""
    undated = starts.undated(live)
    if not undated or len(live) < 2:
        return []
    names = ", ".join(undated[:5]) + (f" and {len(undated) - 5} more" if len(undated) > 5 else "")
    order = "in name order" if len(undated) == len(live) else "older than the others, by name"
    return [
        f"no metadata.creationTimestamp on ReplicaSet(s) {names}: taken as created {order} "
        "(creation order decides which old ReplicaSet the controller scales down first and "
        "breaks size ties in proportional scaling)"
    ]


def _running_template(deployment: Deployment, live: Sequence[ReplicaSet]) -> PodTemplate | None:
    """The old pods' template: of the old ReplicaSet with the most replicas (the newest on
    a tie), one whose template is not the Deployment's."""
    olds = [
        (rs.replicas, number, rs.template)
        for number, rs in enumerate(live)
        if rs.template.fingerprint != deployment.template.fingerprint
    ]
    return max(olds, key=lambda old: old[:2])[2] if olds else None


def _changes(
    deployment: Deployment, previous: Deployment | None, old_template: PodTemplate | None
) -> tuple[FieldChange, ...]:
    """What changed: since the previous version, else since the live old pods' template."""
    if previous is not None:
        return deployment_changes(previous, deployment)
    if old_template is not None:
        return template_changes(old_template, deployment.template)
    return ()


def refused_plan(
    current: Deployment, live: Sequence[ReplicaSet], why: str, options: PlanOptions
) -> RolloutPlan:
    """An update the API server refuses (``why``): ``current``, the version that keeps
    running, stays as it is (its live ReplicaSets, or at full strength), with no step."""
    budget = deployment_budget(current)
    start = starts.current(current, live)
    notes = [f"the API server refuses the update: {why}"]
    if live:
        notes.insert(0, f"starts from the live state of {len(live)} ReplicaSet(s) in the inputs")
    result = Replay((), start, Outcome.REFUSED, 0, 0, 0)
    no_time = Timing(0, 0, ())
    plan = _planned(current, Change.REFUSED, budget, start, result, no_time, PlanOptions(), notes)
    labels = tuple(kv for kv in current.template.labels if kv[0] != starts.HASH_LABEL)
    return replace(plan, old_labels=labels, old_template=current.template, refusal=why)


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
