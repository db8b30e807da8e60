"""The chart of a plan's pods over its steps: the series, their sampling, and the mermaid
``xychart-beta`` block GitHub renders (structure, at most MAX_POINTS points, names that
cannot break out of the title or the Markdown fence)."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    StrategyType,
)
from rolloutplan.planner.plan import PlanOptions, RolloutPlan, plan_deployment
from rolloutplan.planner.simulate import NewPods, Outcome, Step
from rolloutplan.report.chart import MAX_POINTS, MAX_TITLE, chart_series, mermaid_chart
from tests.planner.test_properties import TEMPLATE

LINE = re.compile(r"    line \[([0-9, ]*)\]")
X_AXIS = re.compile(r'    x-axis "step(?: \(sampled\))?" \[([0-9, ]*)\]')
TITLE = re.compile(r'    title "([^"\n]*)"')


def rolling_plan(
    replicas: int,
    surge: int = 1,
    unavailable: int = 0,
    *,
    name: str = "web",
    namespace: str = "shop",
    new_pods: NewPods = NewPods.READY,
) -> RolloutPlan:
    strategy = DeploymentStrategy(
        StrategyType.ROLLING_UPDATE, IntOrPercent(surge), IntOrPercent(unavailable)
    )
    ref = ObjectRef("Deployment", namespace, name)
    deployment = Deployment(ref, replicas, LabelSelector((("app", "web"),)), TEMPLATE, strategy)
    return plan_deployment(deployment, None, (), PlanOptions(new_pods))


def numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(", ")] if text else []


def parts(block: str) -> tuple[list[int], list[list[int]], str]:
    """The x-axis labels, the three lines and the title of a mermaid chart."""
    lines = block.splitlines()
    assert lines[0] == "```mermaid" and lines[-1] == "```"
    assert lines[1].startswith("%%{init: ") and lines[1].endswith("}%%")
    assert lines[2] == "xychart-beta"
    title = TITLE.fullmatch(lines[3])
    x_axis = X_AXIS.fullmatch(lines[4])
    assert title is not None and x_axis is not None, lines
    assert re.fullmatch(r'    y-axis "pods" 0 --> \d+', lines[5])
    plotted = [LINE.fullmatch(line) for line in lines[6:-1]]
    assert len(plotted) == 3 and all(plotted), lines[6:-1]
    return numbers(x_axis.group(1)), [numbers(m.group(1)) for m in plotted if m], title.group(1)


def test_a_short_plan_shows_every_step_from_the_start() -> None:
    plan = rolling_plan(3)
    block = mermaid_chart(plan)
    steps, (old, new, available), title = parts(block)
    assert steps == list(range(len(plan.steps) + 1))
    assert (old[0], new[0], available[0]) == (3, 0, 3)  # the start, before the first step
    assert [old[-1], new[-1], available[-1]] == [0, 3, 3]
    assert old[1:] == [step.old for step in plan.steps]
    assert title == "shop/web: old (blue), new (orange), available (green)"
    assert block.endswith("```\n")
    assert mermaid_chart(plan) == block  # deterministic


def test_a_long_plan_is_sampled_keeping_the_ends_and_the_lowest_point() -> None:
    plan = rolling_plan(300)  # 900 steps
    series = chart_series(plan)
    assert series.total_steps == len(plan.steps) == 900
    assert series.sampled and len(series.steps) <= MAX_POINTS
    assert series.steps[0] == 0 and series.steps[-1] == 900
    assert list(series.steps) == sorted(set(series.steps))
    steps, lines, _ = parts(mermaid_chart(plan))
    assert steps == list(series.steps)
    assert all(len(line) == len(steps) for line in lines)
    assert min(lines[2]) == plan.min_available
    assert "step (sampled)" in mermaid_chart(plan)


def test_a_stalled_plan_keeps_the_step_where_it_stalls() -> None:
    plan = rolling_plan(300)
    moving = plan.steps[:250]
    stuck = moving[-1]
    stalled = replace(plan, steps=(*moving, *[stuck] * 400), outcome=Outcome.STALLED)
    series = chart_series(stalled)
    assert len(series.steps) <= MAX_POINTS
    assert 250 in series.steps  # the first step from which nothing changes
    assert series.steps[-1] == 650


def test_the_lowest_available_point_is_kept_wherever_it_is() -> None:
    plan = rolling_plan(300)
    dip = 437  # a step that even sampling would skip
    steps = list(plan.steps)
    steps[dip - 1] = steps[dip - 1]._replace(available=5)
    series = chart_series(replace(plan, steps=tuple(steps)))
    assert dip in series.steps
    assert min(series.available) == 5


def test_a_refused_plan_is_the_start_alone() -> None:
    plan = rolling_plan(4)
    refused = replace(plan, steps=(), outcome=Outcome.REFUSED)
    steps, lines, _ = parts(mermaid_chart(refused))
    assert steps == [0] and lines == [[4], [0], [4]]


def test_live_counts_below_zero_chart_as_zero() -> None:
    plan = rolling_plan(2)
    odd = Step("wait", "odd", -1, 2, -3, 0, 1)
    series = chart_series(replace(plan, steps=(odd,)))
    assert series.old[-1] == 0 and series.available[-1] == 0


HOSTILE = (
    'we"b`\n%%{init: {"theme": "dark"}}%%\n```\n<script>alert(1)</script>&amp;#35;[x](y)\u202e\x00'
)


def test_a_hostile_name_stays_inside_the_title() -> None:
    block = mermaid_chart(rolling_plan(3, name=HOSTILE, namespace="a:b;c"))
    _, _, title = parts(block)
    shown = title.split(": old (blue)")[0]
    assert re.fullmatch(r"[A-Za-z0-9._/ -]*", shown), shown
    assert shown.startswith("a_b_c/we_b_")
    assert block.count("```") == 2 and block.count("%%") == 2  # the fence, the one directive


@given(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)
def test_any_name_gives_a_chart_of_the_same_shape(name: str, namespace: str) -> None:
    block = mermaid_chart(rolling_plan(2, name=name, namespace=namespace))
    _, _, title = parts(block)
    shown = title.split(": old (blue)")[0]
    assert len(shown) <= MAX_TITLE
    assert re.fullmatch(r"[A-Za-z0-9._/ -]*", shown.removesuffix("..."))
    assert block.count("```") == 2 and block.count("%%") == 2
