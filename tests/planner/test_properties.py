"""Invariants of every RollingUpdate plan, over replicas 0..200 and every surge/unavailable form."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import (
    Container,
    Deployment,
    DeploymentStrategy,
    IntOrPercent,
    LabelSelector,
    PodTemplate,
    StrategyType,
)
from rolloutplan.planner.plan import PlanOptions, plan_deployment
from rolloutplan.planner.simulate import NewPods, Outcome

TEMPLATE = PodTemplate((("app", "web"),), (Container("web", "nginx:1.25"),))

int_or_percent = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=250).map(IntOrPercent),
    st.integers(min_value=0, max_value=200).map(lambda p: IntOrPercent(p, is_percent=True)),
)


def literally_zero(value: IntOrPercent | None) -> bool:
    return value is not None and value.value == 0


@st.composite
def deployments(draw: st.DrawFn) -> Deployment:
    replicas = draw(st.integers(min_value=0, max_value=200))
    surge = draw(int_or_percent)
    unavailable = draw(
        int_or_percent.filter(lambda v: v is None or not v.is_percent or v.value <= 100)
    )
    # the API server rejects maxSurge and maxUnavailable both literally 0; unset means 25%
    surge = IntOrPercent(25, True) if surge is None else surge
    unavailable = IntOrPercent(25, True) if unavailable is None else unavailable
    if literally_zero(surge) and literally_zero(unavailable):
        unavailable = IntOrPercent(1)
    strategy = DeploymentStrategy(StrategyType.ROLLING_UPDATE, surge, unavailable)
    ref = ObjectRef("Deployment", "default", "web")
    return Deployment(ref, replicas, LabelSelector((("app", "web"),)), TEMPLATE, strategy)


@settings(max_examples=400, deadline=None)
@given(deployments())
def test_ready_rollouts_complete_within_bounds(deployment: Deployment) -> None:
    plan = plan_deployment(deployment, None, (), PlanOptions())
    budget = plan.budget
    assert plan.outcome is Outcome.COMPLETE
    assert (plan.final.old_spec, plan.final.new_spec) == (0, deployment.replicas)
    assert plan.final.available == deployment.replicas
    for step in plan.steps:
        assert step.total <= budget.max_pods, step
        assert step.available >= budget.min_available, step
        assert 0 <= step.new_available <= step.new <= deployment.replicas
    assert plan.waves <= deployment.replicas + 1


@settings(max_examples=300, deadline=None)
@given(deployments())
def test_never_ready_rollouts_stall_within_bounds_or_complete_with_zero_replicas(
    deployment: Deployment,
) -> None:
    plan = plan_deployment(deployment, None, (), PlanOptions(NewPods.NEVER_READY))
    budget = plan.budget
    if deployment.replicas == 0:
        assert plan.outcome is Outcome.COMPLETE
        return
    assert plan.outcome is Outcome.STALLED
    assert plan.waves == 0
    assert plan.deadline_exceeded_at == deployment.progress_deadline_seconds
    for step in plan.steps:
        assert step.total <= budget.max_pods
        assert step.available >= budget.min_available
    # at rest the controller can neither scale the new ReplicaSet up nor old ones down
    final = plan.final
    assert final.new_spec >= 1 or budget.surge == 0
    assert final.available == final.old_spec
