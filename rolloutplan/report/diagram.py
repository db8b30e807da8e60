"""Each plan step drawn as the seed chapter draws it: ■ available, □ not yet available,
✕ gone (scaled down or terminated)."""

from __future__ import annotations

from rolloutplan.planner.plan import RolloutPlan

AVAILABLE, PENDING, GONE = "■", "□", "✕"
MAX_MARKS = 30


def render_diagram(plan: RolloutPlan) -> str:
    start = plan.start
    first_old = start.old_spec
    lines = [
        _line(
            "start",
            start.old_spec,
            start.available - _new_available(plan),
            first_old,
            start.new_spec,
            _new_available(plan),
        )
    ]
    for number, step in enumerate(plan.steps, 1):
        old_available = step.available - step.new_available
        lines.append(
            _line(
                f"step {number}", step.old, old_available, first_old, step.new, step.new_available
            )
        )
    return "\n".join(lines)


def _new_available(plan: RolloutPlan) -> int:
    return 0 if plan.start.new is None else plan.start.new.available


def _line(
    label: str, old: int, old_available: int, first_old: int, new: int, new_available: int
) -> str:
    old_marks = _marks(
        (AVAILABLE, old_available), (PENDING, old - old_available), (GONE, first_old - old)
    )
    new_marks = _marks((AVAILABLE, new_available), (PENDING, new - new_available))
    return f"{label:>8}  OLD: {old_marks or '(none)'}   NEW: {new_marks or '(none)'}"


def _marks(*groups: tuple[str, int]) -> str:
    """One mark per pod, or ``■x12`` per group once there are more than MAX_MARKS.

    Live status counts need not add up (availableReplicas above spec.replicas): negative
    counts count as 0.
    """
    counts = [(mark, max(count, 0)) for mark, count in groups]
    if sum(count for _, count in counts) > MAX_MARKS:
        return " ".join(f"{mark}x{count}" for mark, count in counts if count)
    return " ".join(mark for mark, count in counts for _ in range(count))
