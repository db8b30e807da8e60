"""Rollout plans as text: the bounds with their arithmetic, a step table, the outcome.

Names in headings, steps, notes and Service lines are escaped (escape.shown) line by line;
the helpers that Markdown shares return the lines unescaped.
"""

from __future__ import annotations

from rolloutplan.analysis.endpoints import EndpointTimeline, by_plan, describe_window
from rolloutplan.analysis.naming import plural
from rolloutplan.model.objects import StrategyType
from rolloutplan.planner.budget import explain_bound
from rolloutplan.planner.plan import BareReplicaSet, RolloutPlan
from rolloutplan.planner.simulate import NewPods, Outcome
from rolloutplan.planner.timing import SET_STARTUP
from rolloutplan.report.diagram import render_diagram
from rolloutplan.report.escape import shown
from rolloutplan.report.table import render_table

HEADERS = ("STEP", "ACTION", "OLD", "NEW", "TOTAL", "AVAILABLE", "TIME")


def render_plans(
    plans: tuple[RolloutPlan, ...],
    bare: tuple[BareReplicaSet, ...],
    timelines: tuple[EndpointTimeline, ...] = (),
    *,
    diagram: bool,
) -> str:
    if not plans and not bare:
        return "No Deployment to plan.\n"
    timelines_of = by_plan(timelines)
    blocks = [render_plan(plan, timelines_of(plan), diagram=diagram) for plan in plans]
    blocks.extend(
        shown(
            f"ReplicaSet {rs.ref.namespace}/{rs.ref.name}{in_file(rs.path)}: no rollout. A "
            "ReplicaSet never rolls out: a template change only affects pods created later; "
            f"{_existing_keep_old(rs.replicas)}"
        )
        + "\n"
        for rs in bare
    )
    return "\n".join(blocks)


def render_plan(
    plan: RolloutPlan, timelines: list[EndpointTimeline] | None = None, *, diagram: bool = False
) -> str:
    head = (_heading(plan), *changed_lines(plan), *bound_lines(plan))
    lines = [shown(line) for line in head] + [""]
    if plan.steps or plan.outcome is not Outcome.REFUSED:
        lines.append(_indent(render_table(HEADERS, step_rows(plan))))
        if diagram:
            lines.extend(["", _indent(render_diagram(plan))])
        lines.append("")
    lines.extend(f"  {shown(line)}" for line in summary_lines(plan))
    for timeline in timelines or ():
        lines.extend(f"  {shown(line)}" for line in describe_timeline(timeline))
        if plan.outcome is Outcome.STALLED and timeline.counts[-1] > 0:
            lines.append(
                f"    the rollout stalls, but the old pods keep serving: "
                f"{plural(timeline.counts[-1], 'endpoint')} while it waits"
            )
    return "\n".join(lines) + "\n"


def _existing_keep_old(replicas: int) -> str:
    if replicas == 1:
        return "the existing pod keeps the old template until it is deleted."
    return f"the existing {replicas} pods keep the old template until they are deleted."


def describe_timeline(timeline: EndpointTimeline) -> list[str]:
    """What a Service sees through the rollout, in a sentence or three."""
    ref = timeline.service.ref
    counts = timeline.counts
    which = {
        (True, True): "old and new pods",
        (True, False): "old pods only: the new template's labels no longer match",
        (False, True): "new pods only: the old pods' labels did not match",
    }[(timeline.selects_old, timeline.selects_new)]
    file = f"{timeline.service_file}; " if timeline.service_file else ""
    lines = [
        f"Service {ref.namespace}/{ref.name} ({file}selects {which}): ready endpoints "
        f"{counts[0]} at the start, {counts[-1]} at the end, at least {timeline.minimum} "
        "throughout" + ("" if timeline.minimum else ":")
    ]
    for window in timeline.zero:
        lines.append(f"  no endpoints {describe_window(window)}")
    if not timeline.selects_new:
        lines.append("  after the rollout the Service selects no pod: an outage")
    if timeline.mixed is not None:
        lines.append(f"  old and new versions serve together {describe_window(timeline.mixed)}")
    return lines


def in_file(path: str) -> str:
    """`` (deploy/prod/web.yaml)``: where an object of a plan is defined."""
    return f" ({path})" if path else ""


def _heading(plan: RolloutPlan) -> str:
    d = plan.deployment
    strategy = d.strategy.type.value
    return (
        f"Deployment {d.ref.namespace}/{d.ref.name}{in_file(plan.path)}: {plan.change.value}, "
        f"{strategy}, "
        f"{d.replicas} replica{'s' if d.replicas != 1 else ''}"
    )


def changed_lines(plan: RolloutPlan) -> list[str]:
    """What changed since the previous version, a line each (none when it is not known)."""
    return [
        f"  {'changed:' if number == 0 else '':<17}{change}"
        for number, change in enumerate(plan.changes)
    ]


def bound_lines(plan: RolloutPlan) -> list[str]:
    """The rollout's bounds with their arithmetic; for a refused update, what keeps running."""
    d, budget = plan.deployment, plan.budget
    if plan.outcome is Outcome.REFUSED:
        return [f"  current:         {_current(plan)}"]
    if d.strategy.type is StrategyType.RECREATE:
        return [
            "  strategy:        Recreate: every old pod goes before any new pod is created",
            f"  bounds:          at most {plural(budget.replicas, 'pod')}, 0 available during the "
            "switch",
        ]
    surge = explain_bound(d.strategy.max_surge, d.replicas, round_up=True)
    unavailable = explain_bound(d.strategy.max_unavailable, d.replicas, round_up=False)
    if budget.forced_unavailable:
        unavailable += "; both are 0, so the controller allows 1"
    elif budget.unavailable < _raw_unavailable(plan):
        unavailable += f"; capped at replicas: {budget.unavailable}"
    return [
        f"  maxSurge:        {surge}",
        f"  maxUnavailable:  {unavailable}",
        f"  bounds:          at most {plural(budget.max_pods, 'pod')}, at least "
        f"{budget.min_available} available",
    ]


def _current(plan: RolloutPlan) -> str:
    states = plan.start.all
    listed = "; ".join(
        f"{rs.name}: {plural(rs.spec, 'pod')}, {rs.available} available" for rs in states
    )
    return f"{listed or 'no ReplicaSet'}, unchanged"


def _raw_unavailable(plan: RolloutPlan) -> int:
    value = plan.deployment.strategy.max_unavailable
    return 0 if value is None else value.scaled(plan.deployment.replicas, round_up=False)


def step_rows(plan: RolloutPlan) -> list[tuple[object, ...]]:
    start = plan.start
    rows: list[tuple[object, ...]] = [
        (0, "start", start.old_spec, start.new_spec, start.total_spec, start.available, "0s")
    ]
    for number, step in enumerate(plan.steps, 1):
        rows.append(
            (
                number,
                step.description,
                step.old,
                step.new if step.new_created < 0 else f"{step.new} ({step.new_created} created)",
                step.total,
                step.available,
                time_text(plan, step.seconds, step.wave),
            )
        )
    return rows


def time_text(plan: RolloutPlan, seconds: int, waves: int) -> str:
    """``40s``, or when the time of a wave is unknown (nothing in the manifest or the
    settings says how long pods take to start) and ``waves`` waves have passed,
    ``2 waves x start-up``, after the seconds that are known: ``30s + 1 wave x start-up``
    (Recreate's termination waits)."""
    if plan.timing.known or not waves:
        return f"{seconds}s"
    unknown = f"{plural(waves, 'wave')} x start-up"
    return f"{seconds}s + {unknown}" if seconds else unknown


def duration_text(plan: RolloutPlan) -> str:
    """``~40s``, or ``9 waves x start-up`` when the time of a wave is unknown."""
    text = time_text(plan, plan.duration_seconds, plan.waves)
    return f"~{text}" if plan.timing.known or not plan.waves else text


def summary_lines(plan: RolloutPlan) -> list[str]:
    if plan.outcome is Outcome.REFUSED:  # nothing runs: no duration, no assumption
        return [f"outcome: {_outcome(plan)}", *(f"note: {note}" for note in plan.notes)]
    requests = ", ".join(f"{k} {v}" for k, v in plan.peak_requests.items())
    peak = f"peak pods {plan.peak_pods}" + (f" (requests {requests})" if requests else "")
    lines = [
        f"waves {plan.waves}, duration {_duration(plan)}, {peak}, "
        f"min available {plan.min_available}",
        f"outcome: {_outcome(plan)}",
    ]
    lines[1:1] = quota_lines(plan)
    if plan.new_pods is NewPods.READY:
        lines.append("assumptions: new pods become ready, each wave together")
        lines.extend(f"  - {assumption}" for assumption in plan.timing.assumptions)
    else:
        lines.append("assumptions: new pods never become ready (--new-pods never-ready)")
    lines.extend(f"note: {note}" for note in plan.notes)
    return lines


def quota_lines(plan: RolloutPlan) -> list[str]:
    """The room each quota leaves at the start, and what the pods that exist at the peak
    charge (none without a quota that selects the pods)."""
    if plan.quota is None or not plan.quota.rooms:
        return []
    shown = plan.quota.json(plan)
    lines = [
        f"quota {q['name']}: room {_amounts(q['room'])} at the start (used "
        f"{_amounts(q['used'])} of {_amounts(q['hard'])}, "
        f"{'assumed' if q['usedFrom'] == 'assumed' else 'from status.used'})"
        for q in shown["quotas"]
    ]
    charged = {**shown["peakRequests"], **shown["peakLimits"]}
    lines.append(
        f"peak {plural(shown['peakPods'], 'pod')} exist at once"
        + (f" ({_amounts(charged)})" if charged else "")
    )
    return lines


def _amounts(values: dict[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in values.items()) or "none"


def _duration(plan: RolloutPlan) -> str:
    if plan.timing.known or not plan.waves:
        return f"~{plan.duration_seconds}s"
    return f"{time_text(plan, plan.duration_seconds, plan.waves)} time (unknown: {SET_STARTUP})"


def _outcome(plan: RolloutPlan) -> str:
    final = plan.final
    if plan.outcome is Outcome.STALLED:
        new_pods = 0 if final.new is None else final.new.pods
        text = (
            f"stalled at old {final.old_spec} / new {final.new_spec} "
            f"(kubectl get deploy: READY {final.available}/{plan.deployment.replicas}, "
            f"UP-TO-DATE {new_pods}, AVAILABLE {final.available})"
        )
        if plan.deadline_exceeded_at is not None:
            text += (
                "; Progressing=False/ProgressDeadlineExceeded at "
                f"~{time_text(plan, plan.deadline_exceeded_at, plan.waves)} "
                f"(progressDeadlineSeconds {plan.deployment.progress_deadline_seconds}); "
                "nothing is rolled back"
            )
        if plan.stall_reason:
            text += f"; {plan.stall_reason}"
        return text
    if plan.outcome is Outcome.COMPLETE:
        return f"complete: {plural(final.new_spec, 'new pod')} available, no old pod left"
    if plan.outcome is Outcome.PAUSED:
        return "paused: no rollout until `kubectl rollout resume`"
    if plan.outcome is Outcome.NO_ROLLOUT:
        return "no rollout: the pod template is unchanged"
    if plan.outcome is Outcome.TRUNCATED:
        return (
            f"truncated: planning stopped at old {final.old_spec} / new {final.new_spec}, "
            "before the rollout ended"
        )
    start = plan.start
    return (
        "refused by the API server: the current ReplicaSets keep running unchanged "
        f"({plural(start.total_spec, 'pod')}, {start.available} available)"
    )


def _indent(block: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in block.splitlines())
