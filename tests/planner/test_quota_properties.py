"""Invariants of RollingUpdate plans under a `pods` quota, over replicas 0..60, every
surge/unavailable form and 0..4 pods of room: the pods that exist stay within the quota,
the rollout completes when there is room for a pod or old pods may go first, and otherwise
stalls at its first step with the API server's message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rolloutplan.model.cluster import ResourceQuota
from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Deployment
from rolloutplan.planner.limits import Neighbourhood
from rolloutplan.planner.plan import PlanOptions, plan_deployment
from rolloutplan.planner.simulate import Outcome
from tests.planner.test_properties import deployments


@settings(max_examples=300, deadline=None)
@given(deployments(), st.integers(min_value=0, max_value=4))
def test_a_pods_quota_bounds_the_pods_and_decides_the_outcome(
    deployment: Deployment, room: int
) -> None:
    deployment = deployment.__class__(
        deployment.ref, min(deployment.replicas, 60), deployment.selector,
        deployment.template, deployment.strategy,
    )  # fmt: skip
    hard = deployment.replicas + room
    quota = ResourceQuota(ObjectRef("ResourceQuota", "default", "pods"), (("pods", str(hard)),))
    around = Neighbourhood.of((quota,), (), (("", deployment),))
    plan = plan_deployment(deployment, None, (), PlanOptions(), neighbours=around)
    budget = plan.budget
    for step in plan.steps:
        created = step.new if step.new_created < 0 else step.new_created
        assert step.old + created <= hard, step
        assert step.available >= min(budget.min_available, deployment.replicas), step
    if deployment.replicas == 0:
        assert plan.outcome is Outcome.COMPLETE
    elif room or budget.unavailable:
        assert plan.outcome is Outcome.COMPLETE
        assert plan.final.new_spec == plan.final.available == deployment.replicas
    else:
        assert plan.outcome is Outcome.STALLED and len(plan.steps) == 1
        assert plan.stall_reason == (
            f"exceeded quota: pods, requested: pods=1, used: pods={hard}, limited: pods={hard}"
        )
