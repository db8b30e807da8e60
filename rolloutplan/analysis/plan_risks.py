"""Rollout risks (RP31x) that only a plan shows: waves slower than the progress deadline,
and Services left without endpoints, losing the new pods, or serving two versions at once.
Pure: plans and endpoint timelines in, violations per object out."""

from __future__ import annotations

from collections.abc import Sequence

from rolloutplan.analysis.endpoints import EndpointTimeline, describe_window
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import StrategyType
from rolloutplan.planner.plan import RolloutPlan


def plan_risks(
    plans: Sequence[RolloutPlan], timelines: Sequence[EndpointTimeline]
) -> dict[ObjectRef, list[Violation]]:
    """Risks that only the plan shows, by the object they are reported on."""
    found: dict[ObjectRef, list[Violation]] = {}
    for plan in plans:
        ref = plan.deployment.ref
        found.setdefault(ref, []).extend(_slow_waves(plan))
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
