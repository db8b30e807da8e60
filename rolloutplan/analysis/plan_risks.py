"""Rollout risks (RP31x, RP320-RP322, RP324, RP330-RP332) that only a plan shows: waves
slower than the progress deadline, Services left without endpoints, losing the new pods, or
serving two versions at once, a plan too long to list step by step (RP316), nodes that pod
anti-affinity or topology spread leave no room on (RP320-RP321) or that take no new pod at
all (RP324), spec.replicas removed beside an autoscaler (RP322), and quotas that stall or
slow it (RP330-RP332).  Pure: plans and endpoint timelines in, violations per object out."""

from __future__ import annotations

from collections.abc import Sequence

from rolloutplan.analysis.endpoints import EndpointTimeline, Window, describe_window
from rolloutplan.analysis.naming import plural
from rolloutplan.analysis.versions import serving_change
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import StrategyType
from rolloutplan.planner import nodes
from rolloutplan.planner.limits import FIX
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import MAX_STEPS, MAX_WORK, NewPods, Outcome


def plan_risks(
    plans: Sequence[RolloutPlan], timelines: Sequence[EndpointTimeline]
) -> dict[ObjectRef, list[Violation]]:
    """Risks that only the plan shows, by the object they are reported on."""
    found: dict[ObjectRef, list[Violation]] = {}
    for plan in plans:
        if plan.outcome is Outcome.REFUSED:
            continue  # an update that never runs risks nothing
        ref = plan.deployment.ref
        found.setdefault(ref, []).extend(_slow_waves(plan))
        found[ref].extend(_shortened(plan))
        found[ref].extend(_quota(plan))
        found[ref].extend(_nodes(plan))
        found[ref].extend(_replicas_removed(plan))
        for timeline in (t for t in timelines if t.deployment == ref):
            for target, violation in _traffic(plan, timeline):
                found.setdefault(target, []).append(violation)
    return {ref: violations for ref, violations in found.items() if violations}


def _slow_waves(plan: RolloutPlan) -> list[Violation]:
    deadline = plan.deployment.progress_deadline_seconds
    wave = plan.timing.ready_seconds
    if not plan.waves or wave <= deadline:
        return []
    return [Violation(
        "RP310",
        f"each wave of new pods takes ~{wave}s to become available, longer than "
        f"progressDeadlineSeconds ({deadline}s): the Deployment reports ProgressDeadlineExceeded "
        "while it is still progressing",
        ("spec", "progressDeadlineSeconds"),
    )]  # fmt: skip


def _shortened(plan: RolloutPlan) -> list[Violation]:
    field = ("spec", "replicas")
    if plan.outcome is Outcome.TRUNCATED:
        return [Violation(
            "RP316",
            f"the plan stops after {len(plan.steps)} steps (the limit is {MAX_STEPS} steps and "
            f"{MAX_WORK} ReplicaSet states read) before the rollout ends: its outcome is "
            "\"truncated\" and what follows is not planned",
            field,
        )]  # fmt: skip
    if plan.repeated_rounds:
        return [Violation(
            "RP316",
            f"the plan would list more than {MAX_STEPS} steps: "
            f"{plural(plan.repeated_rounds, 'round')} that repeat the ones before them are shown "
            "as \"repeat\" steps (outcome, waves and duration are exact)",
            field,
        )]  # fmt: skip
    return []


def _quota(plan: RolloutPlan) -> list[Violation]:
    """RP330 (usage from status.used) or RP331 (assumed): quotas stall or slow the rollout;
    RP332: a quota refuses every new pod (a container leaves cpu or memory unset)."""
    quota = plan.quota
    if quota is None or not quota.rooms:
        return []
    refusal = next((room.refusal for room in quota.rooms if room.refusal), "")
    if refusal and plan.stall_reason == refusal:
        message = (
            f"the rollout stalls at step {len(plan.steps)}: {refusal}: the API server refuses "
            "every new pod, whatever room the quota has (unless a LimitRange not in the inputs "
            "sets a default); set the resource on every container, or a LimitRange default"
        )
        return [Violation("RP332", message, ("spec", "template", "spec", "containers"))]
    rule = "RP330" if quota.live else "RP331"
    used = "" if quota.live else f" (assuming {quota.assumption})"
    if plan.stall_reason:
        message = (
            f"the rollout stalls at step {len(plan.steps)}: {plan.stall_reason}{used}; the "
            f"new pods are never created; {FIX}"
        )
    elif quota.slowed(plan):
        first = next(s for s in plan.steps if s.new_created >= 0)
        message = (
            f"the quota leaves no room for some of the new pods the Deployment asks for (from step "
            f"{plan.steps.index(first) + 1}: {first.new_created} of {first.new} created){used}, "
            f"which slows the rollout; {FIX}"
        )
    else:
        return []
    return [Violation(rule, message, ("spec", "strategy"))]


def _replicas_removed(plan: RolloutPlan) -> list[Violation]:
    """RP322: spec.replicas removed while an autoscaler scales the Deployment."""
    removed = plan.replicas_removed
    if removed is None:
        return []
    name = plan.deployment.ref.name
    return [Violation(
        "RP322",
        f"spec.replicas ({removed} in the previous manifest) is removed while "
        f"HorizontalPodAutoscaler {plan.autoscaler} scales this Deployment: `kubectl apply` "
        "resets spec.replicas to its default, 1, and all pods but one begin to terminate "
        "until the autoscaler scales it up again; before applying, take the field out of the "
        f"last-applied configuration (`kubectl apply edit-last-applied deployment/{name}`) or, "
        "with server-side apply, leave it to the autoscaler's field manager",
        ("spec",),
    )]  # fmt: skip


def _nodes(plan: RolloutPlan) -> list[Violation]:
    """RP320 (pod anti-affinity) and RP321 (topology spread): the room the scheduler leaves
    new pods stalls the rollout."""
    room = plan.nodes
    if room is None or not room.stall or plan.stall_reason != room.stall:
        return []
    pending = room.pending(plan)
    left = (
        f"{plural(pending, 'new pod')} {'stays' if pending == 1 else 'stay'} Pending ({room.stall})"
    )
    limit = room.blocking
    if limit is None:
        return _no_node(plan, room, left)
    domains = nodes.domain_words(limit.domains, limit.key)
    if limit.kind == nodes.ANTI:
        message = (
            f"the rollout stalls at step {len(plan.steps)}: required pod anti-affinity on "
            f"{limit.key} lets each of the {domains} run one of these pods, and the old pods "
            f"hold them all: {left}; {nodes.FIX}"
        )
        return [Violation("RP320", message, ("spec", "strategy"))]
    held = "old and new pods" if limit.counts_old else "the new pods"
    message = (
        f"the rollout stalls at step {len(plan.steps)}: topologySpreadConstraints on "
        f"{limit.key} hold each of the {domains} to {limit.per_domain} matching pod(s) "
        f"(globalMin stays 0), and {held} fill them: {left}; {nodes.SPREAD_FIX}"
    )
    return [Violation("RP321", message, ("spec", "template", "spec", "topologySpreadConstraints"))]


def _no_node(plan: RolloutPlan, room: nodes.NodeRoom, left: str) -> list[Violation]:
    """RP324: no node takes a new pod (cordons, taints, nodeSelector, node affinity)."""
    if not room.no_node:
        return []
    message = (
        f"the rollout stalls at step {len(plan.steps)}: none of the {room.nodes} nodes in the "
        f"inputs takes a new pod: {left}; {nodes.NO_NODE_FIX}"
    )
    return [Violation("RP324", message, ("spec", "template", "spec"))]


RECREATE_DROP = "Recreate takes every old pod down first"
SURGE_INSTEAD = "use maxUnavailable: 0 with a maxSurge of 1 or more"


def _drop(plan: RolloutPlan, timeline: EndpointTimeline, window: Window) -> str:
    """RP312: why a RollingUpdate leaves the Service without endpoints, and what to change."""
    never = window.last_step is None  # the plan ends with the Service still empty
    new_pods = (
        "the new pods never become ready"
        if plan.new_pods is NewPods.NEVER_READY
        else "no new pod is ready when the plan ends"
    )
    until = "until the rollout is undone" if never else "meanwhile"
    if not timeline.selects_old:
        how = f"and {new_pods}" if never else "so it waits for them to become ready"
        return (
            f"it selects only the new pods (the old ones lack its labels), {how}: requests to "
            f"it fail {until} (select only labels old and new pods share until the rollout "
            "completes)"
        )
    if not timeline.selects_new:
        return (
            "it selects none of the new pods, so it has no endpoints left once the old pods "
            "are gone (keep the Service's labels on the new template)"
        )
    if never:
        return (
            f"the rollout takes down every old pod it selects and {new_pods}, so requests to "
            f"it fail until the rollout is undone ({SURGE_INSTEAD}, so that old pods serve "
            "until new ones are ready)"
        )
    return (
        "the rollout takes down every old pod it selects before a new one is ready, so "
        f"requests to it fail meanwhile ({SURGE_INSTEAD}, or run more replicas)"
    )


def _traffic(plan: RolloutPlan, timeline: EndpointTimeline) -> list[tuple[ObjectRef, Violation]]:
    service = timeline.service.ref
    name = f"Service {service.name}"
    deployment = plan.deployment.ref
    found = []
    recreate = plan.deployment.strategy.type is StrategyType.RECREATE
    for window in timeline.zero if plan.deployment.replicas else ():
        rule, field = (
            ("RP311", ("spec", "strategy", "type")) if recreate else ("RP312", ("spec", "strategy"))
        )
        why = RECREATE_DROP if recreate else _drop(plan, timeline, window)
        found.append((deployment, Violation(
            rule, f"{name} has no ready endpoints {describe_window(window)}: {why}", field,
        )))  # fmt: skip
    if timeline.selects_old and not timeline.selects_new:
        found.append((service, Violation(
            "RP313",
            f"after the rollout of Deployment {deployment.name} this Service selects none of "
            "its pods (the new template's labels no longer match): an outage once it completes",
            ("spec", "selector"),
        )))  # fmt: skip
    if timeline.mixed is not None and (change := _visible_change(plan, timeline)):
        found.append((service, Violation(
            "RP314",
            f"old and new pods of Deployment {deployment.name} serve together "
            f"{describe_window(timeline.mixed)}, and clients can tell them apart ({change}): "
            "requests may hit either version",
            ("spec", "selector"),
        )))  # fmt: skip
    return found


def _visible_change(plan: RolloutPlan, timeline: EndpointTimeline) -> str | None:
    """RP314 needs a change the Service's clients can see between the old template (known
    only from --previous, check --base or live ReplicaSets) and the new one."""
    return serving_change(plan.old_template, plan.deployment.template, timeline.service)
