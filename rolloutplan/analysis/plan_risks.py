"""Rollout risks (RP31x) that only a plan shows: waves slower than the progress deadline,
Services left without endpoints, losing the new pods, or serving two versions at once, and
a plan too long to list step by step (RP316).  Pure: plans and endpoint timelines in,
violations per object out."""

from __future__ import annotations

from collections.abc import Sequence

from rolloutplan.analysis.endpoints import EndpointTimeline, describe_window
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import StrategyType
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import MAX_STEPS, MAX_WORK, Outcome


def plan_risks(
    plans: Sequence[RolloutPlan], timelines: Sequence[EndpointTimeline]
) -> dict[ObjectRef, list[Violation]]:
    """Risks that only the plan shows, by the object they are reported on."""
    found: dict[ObjectRef, list[Violation]] = {}
    for plan in plans:
        ref = plan.deployment.ref
        found.setdefault(ref, []).extend(_slow_waves(plan))
        found[ref].extend(_shortened(plan))
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
            f"the plan would list more than {MAX_STEPS} steps: {plan.repeated_rounds} rounds "
            "that repeat the ones before them are shown as \"repeat\" steps (outcome, waves "
            "and duration are exact)",
            field,
        )]  # fmt: skip
    return []


def _traffic(plan: RolloutPlan, timeline: EndpointTimeline) -> list[tuple[ObjectRef, Violation]]:
    service = timeline.service.ref
    name = f"Service {service.name}"
    deployment = plan.deployment.ref
    found = []
    recreate = plan.deployment.strategy.type is StrategyType.RECREATE
    for window in timeline.zero:
        rule, field = (
            ("RP311", ("spec", "strategy", "type")) if recreate else ("RP312", ("spec", "strategy"))
        )
        why = "Recreate takes every old pod down first" if recreate else "the rollout"
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
    if timeline.mixed is not None:
        found.append((service, Violation(
            "RP314",
            f"old and new pods of Deployment {deployment.name} serve together "
            f"{describe_window(timeline.mixed)}: requests may hit either version",
            ("spec", "selector"),
        )))  # fmt: skip
    return found
