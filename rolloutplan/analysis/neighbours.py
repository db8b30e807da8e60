"""How the objects beside a Deployment relate to it: the autoscalers that scale it, the
quotas and LimitRanges of its namespace, the disruption budgets that select its pods.
Pure functions over typed objects, for the planner."""

from __future__ import annotations

from collections.abc import Iterable

from rolloutplan.model.objects import (
    Deployment,
    HorizontalPodAutoscaler,
    LimitRange,
    PodDisruptionBudget,
    ResourceQuota,
)

# the API groups that have served Deployments (apps/v1; extensions/v1beta1 before 1.16)
DEPLOYMENT_GROUPS = ("apps", "extensions")


def autoscalers_of(
    deployment: Deployment, autoscalers: Iterable[HorizontalPodAutoscaler]
) -> tuple[HorizontalPodAutoscaler, ...]:
    """The autoscalers whose scaleTargetRef names the Deployment: same namespace, kind
    Deployment in a group that serves it, same name (more than one is a conflict the HPA
    controller reports; all are returned)."""
    ref = deployment.ref
    return tuple(
        hpa
        for hpa in autoscalers
        if hpa.ref.namespace == ref.namespace
        and hpa.target.kind == "Deployment"
        and hpa.target.name == ref.name
        and hpa.target.api_version.partition("/")[0] in DEPLOYMENT_GROUPS
    )


def quotas_of(deployment: Deployment, quotas: Iterable[ResourceQuota]) -> tuple[ResourceQuota, ...]:
    """The quotas of the Deployment's namespace (their scopes are not matched here)."""
    return tuple(q for q in quotas if q.ref.namespace == deployment.ref.namespace)


def limit_ranges_of(deployment: Deployment, ranges: Iterable[LimitRange]) -> tuple[LimitRange, ...]:
    """The LimitRanges of the Deployment's namespace: every one applies to its pods."""
    return tuple(r for r in ranges if r.ref.namespace == deployment.ref.namespace)


def budgets_of(
    deployment: Deployment, budgets: Iterable[PodDisruptionBudget]
) -> tuple[PodDisruptionBudget, ...]:
    """The disruption budgets of the Deployment's namespace whose selector selects its pods
    (the template's labels); a budget without a selector selects none."""
    labels = deployment.template.labels
    return tuple(
        pdb
        for pdb in budgets
        if pdb.ref.namespace == deployment.ref.namespace
        and pdb.selector is not None
        and pdb.selector.matches(labels)
    )
