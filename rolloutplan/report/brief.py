"""Text output with each plan in one line (``--plans brief``, what the pre-commit hook
prints): the findings, then per Deployment its change, the first changed facts, steps,
duration, peak pods, minimum available and outcome, then the summary.  ``--plans full``
(the default) prints the step tables instead.

Every line is escaped as a whole, as in text.py.
"""

from __future__ import annotations

from rolloutplan.analysis.naming import plural
from rolloutplan.engine import Report
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import Outcome
from rolloutplan.report.escape import defuse_text, shown
from rolloutplan.report.plan_text import duration_text, in_file
from rolloutplan.report.text import render_findings, summary_line

CHANGES_SHOWN = 2  # changed facts named in a line; the rest are counted


def render_brief(report: Report) -> str:
    lines = [shown(plan_line(plan)) for plan in report.plans]
    lines += [
        shown(f"Deployment {ref.namespace}/{ref.name}{in_file(path)}: deleted")
        for ref, path in report.deleted
    ]
    lines += [
        shown(f"ReplicaSet {rs.ref.namespace}/{rs.ref.name}{in_file(rs.path)}: no rollout")
        for rs in report.bare_replica_sets
    ]
    if report.plans:
        lines.append("(--plans full shows each plan step by step)")
    body = "".join(line + "\n" for line in lines)
    return render_findings(report) + defuse_text(body + shown(summary_line(report)) + "\n")


def plan_line(plan: RolloutPlan) -> str:
    """``Deployment shop/web (deploy/web.yaml): rollout, image app: 1.0 -> 1.1, 4 steps,
    ~40s, peak 4 pods, min available 3: complete`` (unescaped); ``3 waves x start-up``
    instead of ``~40s`` when nothing says how long pods take to start."""
    ref = plan.deployment.ref
    head = f"Deployment {ref.namespace}/{ref.name}{in_file(plan.path)}"
    parts = [plan.change.value, *_changes(plan)]
    if plan.outcome is Outcome.REFUSED:
        return f"{head}: {', '.join(parts)}: {_refused(plan)}"
    parts += [
        plural(len(plan.steps), "step"),
        duration_text(plan),
        f"peak {plural(plan.peak_pods, 'pod')}",
        f"min available {plan.min_available}",
    ]
    return f"{head}: {', '.join(parts)}: {plan.outcome.value}"


def _changes(plan: RolloutPlan) -> list[str]:
    shown_changes = [str(change) for change in plan.changes[:CHANGES_SHOWN]]
    more = len(plan.changes) - CHANGES_SHOWN
    return [*shown_changes, plural(more, "more change")] if more > 0 else shown_changes


def _refused(plan: RolloutPlan) -> str:
    why = plan.refusal or "spec.selector is immutable"
    return f"the API server refuses it ({why}); the current pods keep running"
