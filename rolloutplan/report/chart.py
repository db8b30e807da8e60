"""A plan as a chart of old, new and available pods over its steps: the series, sampled to
a size a reader can take in, and a mermaid ``xychart-beta`` block (GitHub renders it).

The series start with the state before the first step (step 0).  A long plan is sampled to
at most MAX_POINTS points; the first and last steps, the step where available pods are
lowest, the step with the most pods and, for a stalled plan, the step where it stalls are
always kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import Outcome

MAX_POINTS = 100
MAX_TITLE = 80  # characters of a Deployment's reference in a chart title
# one color per series, in series order: the legend names them (mermaid draws none)
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
SERIES_NAMES = ("old", "new", "available")
COLOR_NAMES = ("blue", "orange", "green")
# what a mermaid title may hold of user data: no quote, backtick, percent sign, hash, angle
# bracket, brace, semicolon or newline reaches it (mermaid reads directives, entities and
# HTML in text; a backtick could close the Markdown fence around the block)
_UNSAFE_TITLE = re.compile(r"[^A-Za-z0-9._/ -]")


@dataclass(frozen=True, slots=True)
class Series:
    """The chart of one plan: ``steps`` are step numbers (0 is the start)."""

    title: str  # namespace/name, unescaped
    steps: tuple[int, ...]
    old: tuple[int, ...]
    new: tuple[int, ...]
    available: tuple[int, ...]
    total_steps: int  # steps in the plan, whether shown or not

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(str(step) for step in self.steps)

    @property
    def sampled(self) -> bool:
        return len(self.steps) < self.total_steps + 1

    @property
    def values(self) -> tuple[tuple[int, ...], ...]:
        """The three series in SERIES_NAMES order."""
        return self.old, self.new, self.available

    @property
    def peak(self) -> int:
        return max(
            (*self.old, *self.available, *(o + n for o, n in zip(self.old, self.new, strict=True)))
        )


def chart_series(plan: RolloutPlan) -> Series:
    start = plan.start
    counts = [(start.old_spec, start.new_spec, start.available)]
    counts.extend((step.old, step.new, step.available) for step in plan.steps)
    kept = _sample(counts, _stall_point(plan, counts))
    ref = plan.deployment.ref
    return Series(
        f"{ref.namespace}/{ref.name}",
        tuple(kept),
        tuple(max(counts[i][0], 0) for i in kept),
        tuple(max(counts[i][1], 0) for i in kept),
        tuple(max(counts[i][2], 0) for i in kept),
        len(plan.steps),
    )


def _stall_point(plan: RolloutPlan, counts: list[tuple[int, int, int]]) -> int | None:
    """For a stalled plan, the first step from which no count changes again."""
    if plan.outcome is not Outcome.STALLED:
        return None
    index = len(counts) - 1
    while index > 0 and counts[index - 1] == counts[-1]:
        index -= 1
    return index


def _sample(counts: list[tuple[int, int, int]], stall: int | None) -> list[int]:
    last = len(counts) - 1
    if last < MAX_POINTS:
        return list(range(last + 1))
    lowest = min(range(last + 1), key=lambda i: (counts[i][2], i))
    highest = max(range(last + 1), key=lambda i: (counts[i][0] + counts[i][1], -i))
    required = {0, last, lowest, highest} | ({stall} if stall is not None else set())
    spaced = MAX_POINTS - len(required)
    evenly = {round(k * last / (spaced - 1)) for k in range(spaced)}
    return sorted(required | evenly)


def chart_title(title: str) -> str:
    """A Deployment's reference as mermaid can show it in a quoted string: unsafe characters
    as ``_``, at most MAX_TITLE characters."""
    safe = _UNSAFE_TITLE.sub("_", title)
    return safe if len(safe) <= MAX_TITLE else safe[: MAX_TITLE - 3] + "..."


def legend_text() -> str:
    return ", ".join(
        f"{name} ({color})" for name, color in zip(SERIES_NAMES, COLOR_NAMES, strict=True)
    )


def mermaid_chart(plan: RolloutPlan) -> str:
    """The fenced mermaid ``xychart-beta`` block of a plan's pods over its steps."""
    series = chart_series(plan)
    palette = ", ".join(COLORS)
    step_title = "step (sampled)" if series.sampled else "step"
    lines = [
        "```mermaid",
        f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{palette}"}}}}}}}}%%',
        "xychart-beta",
        f'    title "{chart_title(series.title)}: {legend_text()}"',
        f'    x-axis "{step_title}" [{", ".join(series.labels)}]',
        f'    y-axis "pods" 0 --> {max(series.peak, 1)}',
    ]
    lines.extend(f"    line [{', '.join(map(str, values))}]" for values in series.values)
    lines.append("```")
    return "\n".join(lines) + "\n"
