"""How the objects beside a Deployment relate to it: the autoscalers that scale it, the
quotas and LimitRanges of its namespace, the disruption budgets that select its pods.
Pure functions over typed objects, for the planner."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rolloutplan.model.cluster import (
    HorizontalPodAutoscaler,
    LimitRange,
    PodDisruptionBudget,
    ResourceQuota,
)
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import Deployment, Labels, PodSource, SelectorOperator


def targets_deployments(api_version: str) -> bool:
    """Whether a scaleTargetRef's apiVersion names the group that serves Deployments: the
    HPA controller maps group and kind to a resource, whatever the version (apps/v1beta2
    works); extensions has served no Deployment since 1.16 (FailedGetScale: no matches for
    kind "Deployment" in group "extensions"), and an apiVersion without "/" is a version
    of the core group."""
    return api_version.count("/") == 1 and api_version.partition("/")[0] == "apps"


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
        and targets_deployments(hpa.target.api_version)
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


@dataclass(frozen=True, slots=True)
class ReplicaView:
    """A replica count an autoscaler may hold a Deployment at, and why (a plan's note)."""

    replicas: int
    variant: str  # currentReplicas, minReplicas, maxReplicas; "" when it does not scale it
    why: str
    autoscaler: str  # its name


def autoscaled_replicas(
    deployment: Deployment, autoscalers: Iterable[HorizontalPodAutoscaler]
) -> tuple[ReplicaView, ...]:
    """The replica counts to plan a Deployment at when an autoscaler targets it (none when
    none does): its status.currentReplicas when the inputs come from a cluster, else both
    ends of minReplicas..maxReplicas (one when they are equal).  Several autoscalers scale
    by no metric (the HPA controller's AmbiguousSelector, RP323), but each still moves the
    count into its own range: the ends of the range they all allow, or, when their ranges
    do not overlap (the count never settles), the first's by name; a manifest that applies
    spec.replicas sets a count no metric moves (one plan, at it clamped to that range).  A
    Deployment at 0 replicas stays there, with a note saying why, when an autoscaler with
    minReplicas above 0 targets it (scaling disabled)."""
    found = sorted(autoscalers_of(deployment, autoscalers), key=lambda hpa: hpa.ref.name)
    if not found:
        return ()
    idle = scaling_disabled(deployment.replicas, found)
    if idle is not None:
        return (_disabled_view(deployment, idle),)
    hpa = found[0]
    lowest = max(found, key=lambda h: h.min_replicas)
    highest = min(found, key=lambda h: h.max_replicas)
    source = f"replicas from HorizontalPodAutoscaler {hpa.ref.name}"
    of_low = of_high = ""
    together = len(found) > 1 and lowest.min_replicas <= highest.max_replicas
    if together:
        names = ", ".join(h.ref.name for h in found[:3])
        names += f" and {len(found) - 3} more" if len(found) > 3 else ""
        source = (
            f"replicas from HorizontalPodAutoscalers {names} (none of them scales it by "
            "metrics, see RP323; each moves the count into its own range)"
        )
        of_low, of_high = f" of {lowest.ref.name}", f" of {highest.ref.name}"
    elif len(found) > 1:
        others = ", ".join(other.ref.name for other in found[1:4])
        source += (
            f" (the first by name of {len(found)} that target it, with {others}; none of "
            "them scales it by metrics, see RP323, and their ranges do not overlap)"
        )
        lowest = highest = hpa
    spec = f" (not spec.replicas {deployment.replicas})"
    if together and hpa.current_replicas is None and deployment.applied_replicas is not None:
        return (_held_view(deployment.applied_replicas, lowest, highest, source),)
    if hpa.current_replicas is not None:
        current = hpa.current_replicas
        why = f"{source}: its status.currentReplicas, {current}"
        why += spec if current != deployment.replicas else ""
        return (ReplicaView(current, "currentReplicas", why, hpa.ref.name),)
    low, high = lowest.min_replicas, highest.max_replicas
    if low >= high:
        why = f"{source}: minReplicas = maxReplicas = {low}"
        why += spec if low != deployment.replicas else ""
        return (ReplicaView(low, "minReplicas", why, lowest.ref.name),)
    unknown = "the inputs show no status.currentReplicas"
    return (
        ReplicaView(
            low,
            "minReplicas",
            f"{source}: minReplicas {low}{of_low}, the low end of {low}..{high} ({unknown}; "
            "another plan is at maxReplicas)",
            lowest.ref.name,
        ),
        ReplicaView(
            high,
            "maxReplicas",
            f"{source}: maxReplicas {high}{of_high}, the high end of {low}..{high} ({unknown}; "
            "another plan is at minReplicas)",
            highest.ref.name,
        ),
    )


def _held_view(
    applied: int, lowest: HorizontalPodAutoscaler, highest: HorizontalPodAutoscaler, source: str
) -> ReplicaView:
    """Several autoscalers and a manifest that applies spec.replicas: no metric moves the
    count the apply sets, only their bounds do (into the range they all allow)."""
    low, high = lowest.min_replicas, highest.max_replicas
    held = f"{source}: spec.replicas {applied}, which the apply sets and no metric changes"
    if applied < low:
        why = f"{held}, raised to minReplicas {low} of {lowest.ref.name}"
        return ReplicaView(low, "minReplicas", why, lowest.ref.name)
    if applied > high:
        why = f"{held}, lowered to maxReplicas {high} of {highest.ref.name}"
        return ReplicaView(high, "maxReplicas", why, highest.ref.name)
    return ReplicaView(applied, "", f"{held}, within {low}..{high}", lowest.ref.name)


def scaling_disabled(
    replicas: int | None, autoscalers: Sequence[HorizontalPodAutoscaler]
) -> HorizontalPodAutoscaler | None:
    """The first autoscaler (of those given, in order) that leaves a Deployment at
    ``replicas`` alone because the count is 0: the HPA controller scales nothing whose
    count is 0 unless minReplicas is 0 too (ScalingActive False, ScalingDisabled)."""
    if replicas != 0:
        return None
    return next((hpa for hpa in autoscalers if hpa.min_replicas != 0), None)


def _disabled_view(deployment: Deployment, hpa: HorizontalPodAutoscaler) -> ReplicaView:
    """The Deployment at its own 0 replicas, with why the autoscaler does not scale it."""
    origin = (
        "the manifest applies spec.replicas 0"
        if deployment.applied_replicas == 0
        else "spec.replicas is 0 in the cluster"
    )
    why = (
        f"replicas 0, not from HorizontalPodAutoscaler {hpa.ref.name}: {origin}, and the "
        "HPA controller does not scale a Deployment at 0 replicas while minReplicas is "
        f'{hpa.min_replicas} (ScalingActive False, ScalingDisabled: "scaling is disabled '
        'since the replica count of the target is zero"); it stays at 0 until someone '
        "scales it up"
    )
    return ReplicaView(0, "", why, hpa.ref.name)


def desired_healthy(budget: PodDisruptionBudget, pods: int) -> int:
    """How many of ``pods`` selected pods the budget keeps healthy (the disruption
    controller's desiredHealthy): pods - maxUnavailable, a percentage of it rounded up, or
    minAvailable, a percentage rounded up; 0 when neither is set."""
    if budget.max_unavailable is not None:
        return max(0, pods - budget.max_unavailable.scaled(pods, round_up=True))
    if budget.min_available is not None:
        return budget.min_available.scaled(pods, round_up=True)
    return 0


def allowed_disruptions(budget: PodDisruptionBudget, pods: int) -> int:
    """Evictions the budget allows with all ``pods`` healthy (status.disruptionsAllowed)."""
    return max(0, pods - desired_healthy(budget, pods))


def autoscalers_by_target(
    autoscalers: Iterable[HorizontalPodAutoscaler],
) -> dict[tuple[str, str], tuple[HorizontalPodAutoscaler, ...]]:
    """The autoscalers that target a Deployment, by its namespace and name, each list in
    name order: thousands of Deployments and autoscalers are matched in one pass."""
    found: dict[tuple[str, str], list[HorizontalPodAutoscaler]] = {}
    for hpa in autoscalers:
        target = hpa.target
        if target.kind == "Deployment" and targets_deployments(target.api_version):
            found.setdefault((hpa.ref.namespace, target.name), []).append(hpa)
    return {key: tuple(sorted(hpas, key=lambda h: h.ref.name)) for key, hpas in found.items()}


class _Pods:
    """Deployments and the other workloads' pods of a unit, by namespace and label pair, so
    that a budget with matchLabels reads only those that share its first pair."""

    def __init__(self, deployments: Sequence[Deployment], pods: Sequence[PodSource]) -> None:
        self.deployments = _by_pair([(d.ref.namespace, d.template.labels, d) for d in deployments])
        others = [p for p in pods if p.workload.kind != "Deployment"]
        self.others = _by_pair([(p.ref.namespace, p.labels, p) for p in others])

    def deployments_of(self, budget: PodDisruptionBudget) -> list[Deployment]:
        selector = budget.selector
        if selector is None:
            return []
        return [
            d for d in _candidates(self.deployments, budget) if selector.matches(d.template.labels)
        ]

    def selects_others(self, budget: PodDisruptionBudget) -> bool:
        """Whether the budget selects pods of a workload other than a Deployment (or its
        ReplicaSets), whose count would add to the one judged here."""
        selector = budget.selector
        return selector is not None and any(
            selector.matches(p.labels) for p in _candidates(self.others, budget)
        )


_Indexed = dict[tuple[str, ...], list[Any]]


def _by_pair(items: Sequence[tuple[str, Labels, Any]]) -> _Indexed:
    """Items by namespace, by namespace and label key, and by namespace, key and value."""
    found: _Indexed = {}
    for position, (namespace, labels, item) in enumerate(items):
        entry = (position, item)
        found.setdefault((namespace,), []).append(entry)
        for key, value in labels:
            found.setdefault((namespace, key), []).append(entry)
            found.setdefault((namespace, key, value), []).append(entry)
    return found


def _candidates(index: _Indexed, budget: PodDisruptionBudget) -> list[Any]:
    """What the budget's selector may match: the items with its first matchLabels pair, else
    with a value of its first `In` requirement, else with the key of its first `Exists`
    one; only a selector of NotIn and DoesNotExist alone reads the whole namespace."""
    return [item for _, item in _entries(index, budget)]


def _entries(index: _Indexed, budget: PodDisruptionBudget) -> list[tuple[int, Any]]:
    namespace, selector = budget.ref.namespace, budget.selector
    if selector is None:
        return []
    if selector.match_labels:
        return index.get((namespace, *selector.match_labels[0]), [])
    for requirement in selector.match_expressions:
        if requirement.operator is SelectorOperator.IN:
            keys = {(namespace, requirement.key, value) for value in requirement.values}
            unique = {entry[0]: entry for key in keys for entry in index.get(key, [])}
            return [unique[position] for position in sorted(unique)]
    for requirement in selector.match_expressions:
        if requirement.operator is SelectorOperator.EXISTS:
            return index.get((namespace, requirement.key), [])
    return index.get((namespace,), [])


def neighbour_risks(
    deployments: Sequence[Deployment],
    autoscalers: Sequence[HorizontalPodAutoscaler],
    budgets: Sequence[PodDisruptionBudget],
    pods: Sequence[PodSource],
) -> dict[ObjectRef, list[Violation]]:
    """RP317-RP319 and RP323 within one apply unit: spec.replicas beside an autoscaler and
    several autoscalers of one Deployment (on the Deployment), and disruption budgets that
    block evictions or that someone may expect to limit a rollout (on the budget), by the
    object they are reported on."""
    found: dict[ObjectRef, list[Violation]] = {}
    targets = autoscalers_by_target(autoscalers)
    for deployment in deployments:
        targeting = targets.get((deployment.ref.namespace, deployment.ref.name), ())
        if targeting and deployment.applied_replicas is not None:
            found.setdefault(deployment.ref, []).append(_replicas_conflict(deployment, targeting))
        if len(targeting) > 1:
            found.setdefault(deployment.ref, []).append(_ambiguous(targeting))
    if budgets:
        index = _Pods(deployments, pods)
        for budget in budgets:
            violations = _budget_risks(budget, index, targets)
            if violations:
                found.setdefault(budget.ref, []).extend(violations)
    return found


def _replicas_conflict(
    deployment: Deployment, autoscalers: Sequence[HorizontalPodAutoscaler]
) -> Violation:
    applied = deployment.applied_replicas
    where = "set" if applied == deployment.replicas else "set in the manifest last applied"
    idle = scaling_disabled(applied, autoscalers)
    if idle is not None:
        until = (
            f"and at 0 HorizontalPodAutoscaler {idle.ref.name} stops scaling it (minReplicas "
            f"{idle.min_replicas}: ScalingActive False, ScalingDisabled) until someone scales "
            "it up"
        )
    elif len(autoscalers) > 1:  # AmbiguousSelector: only their ranges move the count
        until = (
            "and it stays there unless it is outside their ranges, as none of them scales it "
            "by metrics (RP323)"
        )
    else:
        until = "until the autoscaler scales it again"
    return Violation(
        "RP317",
        f"{_autoscalers_scale(autoscalers)} this Deployment, but spec.replicas is "
        f"{where} too ({applied}): every `kubectl apply` resets the replica count to "
        f"{applied} {until} (remove spec.replicas from the "
        "manifest and let the autoscaler own it, after taking it out of the last-applied "
        "configuration: otherwise the apply that removes it scales the Deployment to 1, see "
        "RP322)",
        ("spec", "replicas"),
    )


def _ambiguous(autoscalers: Sequence[HorizontalPodAutoscaler]) -> Violation:
    """RP323: the HPA controller computes no count for pods that several autoscalers select
    (AmbiguousSelector); each still moves the count into its own minReplicas..maxReplicas."""
    ranges = ", ".join(f"{h.ref.name} {h.min_replicas}..{h.max_replicas}" for h in autoscalers[:3])
    more = f" and {len(autoscalers) - 3} more" if len(autoscalers) > 3 else ""
    low = max(h.min_replicas for h in autoscalers)
    high = min(h.max_replicas for h in autoscalers)
    bounds = (
        f"only their bounds apply: each moves the replica count into its own range, "
        f"together {low}..{high}"
        if low <= high
        else "their ranges do not overlap, so each moves the replica count back into its own "
        "at every sync and the count never settles"
    )
    return Violation(
        "RP323",
        f"{len(autoscalers)} HorizontalPodAutoscalers target this Deployment ({ranges}{more}): "
        "the HPA controller computes no replica count from metrics for pods that several "
        f"autoscalers select (ScalingActive False, AmbiguousSelector); {bounds} (keep one "
        "autoscaler per Deployment, with all the metrics in it)",
        ("metadata", "name"),
    )


def _autoscalers_scale(autoscalers: Sequence[HorizontalPodAutoscaler]) -> str:
    """``HorizontalPodAutoscaler web scales``, ``HorizontalPodAutoscalers a, b scale``."""
    if len(autoscalers) == 1:
        return f"HorizontalPodAutoscaler {autoscalers[0].ref.name} scales"
    names = ", ".join(hpa.ref.name for hpa in autoscalers[:3])
    more = f" and {len(autoscalers) - 3} more" if len(autoscalers) > 3 else ""
    return f"HorizontalPodAutoscalers {names}{more} scale"


def _planned_count(
    deployment: Deployment, targets: dict[tuple[str, str], tuple[HorizontalPodAutoscaler, ...]]
) -> tuple[int, str]:
    """The replica count a budget is judged at: the autoscaler's current or lowest count
    when one targets the Deployment (evictions stall most easily there), else replicas."""
    ref = deployment.ref
    views = autoscaled_replicas(deployment, targets.get((ref.namespace, ref.name), ()))
    if not views:
        return deployment.replicas, ""
    view = views[0]
    if not view.variant:  # the autoscaler does not scale it: its own count
        return view.replicas, ""
    return view.replicas, f", its HorizontalPodAutoscaler's {view.variant}"


def _budget_risks(
    budget: PodDisruptionBudget,
    pods: _Pods,
    targets: dict[tuple[str, str], tuple[HorizontalPodAutoscaler, ...]],
) -> list[Violation]:
    selected = pods.deployments_of(budget)
    if not selected or pods.selects_others(budget):
        return []  # pods it counts that the inputs do not show: no count to judge
    counted = [(d, *_planned_count(d, targets)) for d in selected]
    total = sum(count for _, count, _ in counted)
    if total == 0:
        return []
    field = _budget_field(budget)
    allowed = allowed_disruptions(budget, total)
    whose = ", ".join(
        f"{count} of Deployment {d.ref.name}{origin}" for d, count, origin in counted[:3]
    )
    if len(counted) > 3:
        whose += f" and {len(counted) - 3} more"
    setting = f"{field[-1]} {_bound(budget)}"
    if allowed == 0:
        return [Violation(
            "RP318",
            f"this budget allows no voluntary eviction: {setting} keeps all {total} pods it "
            f"selects ({whose}) healthy, so every eviction is refused and `kubectl drain` of a "
            "node running one of them never finishes (allow at least one disruption: "
            "maxUnavailable: 1, or minAvailable below the replicas)",
            field,
        )]  # fmt: skip
    found = []
    for deployment, count, _ in counted:
        takes = _rollout_unavailable(deployment, count)
        if takes > allowed:
            found.append(Violation(
                "RP319",
                f"the rollout of Deployment {deployment.ref.name} may take {takes} of its "
                f"{count} pods down at once, more than the {allowed} this budget's {setting} "
                "allows: a rollout does not consult PodDisruptionBudgets (the Deployment "
                "controller never does; only evictions, such as `kubectl drain`, do), so "
                "this budget does not limit it (to limit the rollout, lower the Deployment's "
                "maxUnavailable)",
                field,
            ))  # fmt: skip
    return found


def _rollout_unavailable(deployment: Deployment, replicas: int) -> int:
    """The pods a rollout takes down at once: the resolved maxUnavailable, or every pod
    for Recreate."""
    from rolloutplan.planner.budget import deployment_budget

    budget = deployment_budget(replace(deployment, replicas=replicas))
    return replicas if budget.recreate else budget.unavailable


def _budget_field(budget: PodDisruptionBudget) -> tuple[str, str]:
    return ("spec", "maxUnavailable" if budget.max_unavailable is not None else "minAvailable")


def _bound(budget: PodDisruptionBudget) -> str:
    value = budget.max_unavailable if budget.max_unavailable is not None else budget.min_available
    return str(value)
