"""Runs of identical rounds shown once ("repeat" steps) are exact, and every plan is bounded.

The planner looks for runs only in long plans; these tests make it look from the first step
(``look_after=0``) and compare, step for step, the compressed plan expanded again with the
plan simulated one round at a time.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    ReplicaSet,
    StrategyType,
)
from rolloutplan.planner import start as starts
from rolloutplan.planner.budget import deployment_budget
from rolloutplan.planner.plan import PlanOptions, plan_deployment
from rolloutplan.planner.simulate import MAX_STEPS, NewPods, Outcome, Replay, Step, replay
from rolloutplan.planner.timing import estimate_timing
from tests.planner.test_properties import TEMPLATE, deployments

OTHER = TEMPLATE.__class__((("app", "web"),), (TEMPLATE.containers[0].__class__("web", "x:2"),))
INT32 = 2**31 - 1
COMPRESSED_LIMIT = 40
REPEAT = re.compile(r"repeat steps (\d+)-(\d+) (\d+) more times")


def shape(step: Step) -> tuple[object, ...]:
    return (step.kind, re.sub(r"\d+", "#", step.description), *step[2:])


def expanded(steps: tuple[Step, ...]) -> list[tuple[object, ...]]:
    """The steps with every "repeat" step written out again (descriptions without numbers)."""
    out: list[Step] = []
    for index, step in enumerate(steps):
        match = REPEAT.fullmatch(step.description.split(" (")[0])
        if step.kind != "repeat" or match is None:
            out.append(step)
            continue
        first, last, count = map(int, match.groups())
        assert last == index  # the period is the steps right before it, numbered as shown
        period = out[-(last - first + 1) :]
        assert period == list(steps[first - 1 : last])
        delta = [(a - b) // count for a, b in zip(step[2:], period[-1][2:], strict=True)]
        for times in range(1, count + 1):
            out.extend(
                s._replace(
                    **{
                        f: v + times * d
                        for f, v, d in zip(Step._fields[2:], s[2:], delta, strict=True)
                    }
                )
                for s in period
            )
    return [shape(step) for step in out]


def live_replica_sets(draw: st.DrawFn, deployment: Deployment) -> list[ReplicaSet]:
    sets = []
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        spec = draw(st.integers(min_value=0, max_value=60))
        sets.append(
            ReplicaSet(
                ObjectRef("ReplicaSet", "default", f"web-{index}"),
                spec,
                deployment.selector,
                draw(st.sampled_from([TEMPLATE, OTHER])),
                owner=("Deployment", "web"),
                created=f"2026-01-0{index + 1}T00:00:00Z",
                annotations=tuple(
                    (key, str(draw(st.integers(min_value=0, max_value=80))))
                    for key in draw(
                        st.sets(st.sampled_from([starts.DESIRED_ANNOTATION, starts.MAX_ANNOTATION]))
                    )
                ),
                status_replicas=draw(st.none() | st.integers(min_value=0, max_value=70)),
                available_replicas=draw(st.none() | st.integers(min_value=0, max_value=70)),
            )
        )
    return sets


@st.composite
def setups(draw: st.DrawFn) -> tuple[Deployment, list[ReplicaSet], NewPods]:
    deployment = draw(deployments())
    return deployment, live_replica_sets(draw, deployment), draw(st.sampled_from(list(NewPods)))


def replayed(
    deployment: Deployment,
    live: list[ReplicaSet],
    new_pods: NewPods,
    max_steps: int,
    look_after: int,
) -> Replay:
    budget = deployment_budget(deployment)
    if live:
        start = starts.from_live(deployment, live)
    else:
        start = starts.previous_revision(deployment, budget)
    timing = estimate_timing(deployment.template, 5, pod_startup=7)
    name = starts.new_replica_set_name(deployment)
    return replay(
        deployment,
        budget,
        start,
        name,
        new_pods,
        timing,
        max_steps=max_steps,
        look_after=look_after,
    )


def both_ways(deployment: Deployment, live: list[ReplicaSet], new_pods: NewPods) -> list[Replay]:
    return [
        replayed(deployment, live, new_pods, max_steps=10**6, look_after=10**6),
        replayed(deployment, live, new_pods, max_steps=COMPRESSED_LIMIT, look_after=0),
    ]


@given(setups())
def test_repeat_steps_expand_to_the_plan_simulated_round_by_round(
    setup: tuple[Deployment, list[ReplicaSet], NewPods],
) -> None:
    assert_expands_exactly(*both_ways(*setup))


def assert_expands_exactly(full: Replay, compressed: Replay) -> None:
    assert len(compressed.steps) <= COMPRESSED_LIMIT
    if compressed.outcome is Outcome.TRUNCATED:
        # a plan with no run (or too short a run) to compress stops at the tiny limit
        assert len(full.steps) > COMPRESSED_LIMIT
        return
    assert full.outcome is compressed.outcome
    assert (full.final, full.waves, full.seconds, full.last_progress_seconds) == (
        compressed.final,
        compressed.waves,
        compressed.seconds,
        compressed.last_progress_seconds,
    )
    assert expanded(compressed.steps) == [shape(step) for step in full.steps]


def test_a_long_run_is_compressed_and_expands_exactly() -> None:
    strategy = DeploymentStrategy(StrategyType.ROLLING_UPDATE, IntOrPercent(3), IntOrPercent(2))
    deployment = Deployment(
        ObjectRef("Deployment", "default", "web"), 400, LabelSelector((("app", "web"),)),
        TEMPLATE, strategy,
    )  # fmt: skip
    full, compressed = both_ways(deployment, [], NewPods.READY)
    assert compressed.repeated_rounds > 50
    assert len(compressed.steps) < 30
    assert expanded(compressed.steps) == [shape(step) for step in full.steps]


def rolling(replicas: int, surge: IntOrPercent, unavailable: IntOrPercent) -> Deployment:
    strategy = DeploymentStrategy(StrategyType.ROLLING_UPDATE, surge, unavailable)
    ref = ObjectRef("Deployment", "default", "web")
    return Deployment(ref, replicas, LabelSelector((("app", "web"),)), TEMPLATE, strategy)


@given(
    st.integers(min_value=50, max_value=3000),
    st.integers(min_value=1, max_value=4).map(IntOrPercent),
    st.integers(min_value=0, max_value=4).map(IntOrPercent),
)
def test_long_rolling_updates_compress_and_expand_exactly(
    replicas: int, surge: IntOrPercent, unavailable: IntOrPercent
) -> None:
    full, compressed = both_ways(rolling(replicas, surge, unavailable), [], NewPods.READY)
    assert_expands_exactly(full, compressed)


@given(setups())
def test_a_plan_never_lists_more_steps_than_the_limit(
    setup: tuple[Deployment, list[ReplicaSet], NewPods],
) -> None:
    plan = replayed(*setup, max_steps=10, look_after=0)
    assert len(plan.steps) <= 10
    if plan.outcome is Outcome.TRUNCATED:  # stopped before a round that would go past 10
        full = replayed(*setup, max_steps=10**6, look_after=10**6)
        assert len(full.steps) > 10


@given(
    st.integers(min_value=0, max_value=INT32),
    st.one_of(
        st.integers(min_value=0, max_value=INT32).map(IntOrPercent),
        st.integers(min_value=0, max_value=300).map(lambda p: IntOrPercent(p, is_percent=True)),
    ),
    st.one_of(
        st.integers(min_value=1, max_value=INT32).map(IntOrPercent),
        st.integers(min_value=1, max_value=100).map(lambda p: IntOrPercent(p, is_percent=True)),
    ),
    st.sampled_from(list(NewPods)),
)
def test_any_int32_rollout_ends_within_the_step_limit(
    replicas: int, surge: IntOrPercent, unavailable: IntOrPercent, new_pods: NewPods
) -> None:
    plan = plan_deployment(rolling(replicas, surge, unavailable), None, (), PlanOptions(new_pods))
    assert len(plan.steps) <= MAX_STEPS
    assert plan.outcome is (Outcome.COMPLETE if new_pods is NewPods.READY else Outcome.STALLED) or (
        replicas == 0 and plan.outcome is Outcome.COMPLETE
    )
    for step in plan.steps:
        assert step.total <= plan.budget.max_pods
        assert step.available >= plan.budget.min_available
        assert 0 <= step.new_available <= step.new <= replicas


def test_int32_max_replicas_with_surge_1_completes_in_few_steps() -> None:
    plan = plan_deployment(
        rolling(INT32, IntOrPercent(1), IntOrPercent(0)), None, (), PlanOptions()
    )
    assert plan.outcome is Outcome.COMPLETE
    assert plan.waves == INT32
    assert len(plan.steps) <= 2_000
    assert [s.kind for s in plan.steps].count("repeat") == 1
    assert plan.peak_pods == INT32 + 1 and plan.min_available == INT32
