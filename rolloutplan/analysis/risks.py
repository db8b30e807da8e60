"""Rollout risks (RP3xx) visible in the objects themselves: what makes a Deployment's rollouts
stall or hide failures, whatever the change.  Pure: typed objects in, violations per object
out.  The risks only a plan shows are in ``plan_risks``."""

from __future__ import annotations

import heapq
import operator
from collections.abc import Sequence
from fractions import Fraction
from itertools import islice
from typing import TYPE_CHECKING

from rolloutplan.analysis.naming import NAMED, listed, plural
from rolloutplan.model.finding import ObjectRef, Violation
from rolloutplan.model.objects import (
    Deployment,
    IntOrPercent,
    Labels,
    LabelSelector,
    SelectorClaim,
    StrategyType,
)
from rolloutplan.planner.budget import Budget, deployment_budget

if TYPE_CHECKING:
    from rolloutplan.planner.quota import PodCharge

CONTAINERS = ("spec", "template", "spec", "containers")
DEFAULT_SURGE = IntOrPercent(25, is_percent=True)
# "large" surge requests: a whole general-purpose node (4 vCPU / 16 GiB, such as GKE
# e2-standard-4, EKS m5.xlarge or AKS D4s), which a right-sized cluster rarely has free:
# the autoscaler must add a node before the rollout can go on
LARGE_CPU = Fraction(4)
LARGE_MEMORY = Fraction(16 * 2**30)


def deployment_risks(deployment: Deployment) -> list[Violation]:
    """Risks visible in one Deployment, whatever the change."""
    return [
        *_probes_and_images(deployment),
        *_settings(deployment),
        *_budget(deployment),
    ]


def _probes_and_images(deployment: Deployment) -> list[Violation]:
    violations = []
    for index, container in enumerate(deployment.template.containers):
        if container.readiness_probe is None:
            violations.append(Violation(
                "RP301",
                f"container {container.name!r} has no readinessProbe: its pods count as "
                "available as soon as they start, so a rollout proceeds over broken pods",
                (*CONTAINERS, index, "name"),
            ))  # fmt: skip
        tag = _mutable_tag(container.image)
        if tag:
            violations.append(Violation(
                "RP302",
                f"image {container.image!r} {tag}: pushing a new image under it changes no "
                "manifest, so nothing rolls out (and nodes may run different builds)",
                (*CONTAINERS, index, "image"),
            ))  # fmt: skip
    return violations


def _mutable_tag(image: str) -> str:
    if "@" in image:
        return ""  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (so it means :latest)"
    return "uses the :latest tag" if last.rsplit(":", 1)[1] == "latest" else ""


def _settings(deployment: Deployment) -> list[Violation]:
    violations = []
    if deployment.paused:
        violations.append(Violation(
            "RP303", "spec.paused is true: template changes do not roll out until "
            "`kubectl rollout resume`", ("spec", "paused"),
        ))  # fmt: skip
    if deployment.revision_history_limit == 0:
        violations.append(Violation(
            "RP304", "revisionHistoryLimit is 0: old ReplicaSets are deleted, so "
            "`kubectl rollout undo` has nothing to go back to", ("spec", "revisionHistoryLimit"),
        ))  # fmt: skip
    return violations


def _budget(deployment: Deployment) -> list[Violation]:
    if deployment.strategy.type is not StrategyType.ROLLING_UPDATE or deployment.replicas == 0:
        return []
    budget = deployment_budget(deployment)
    violations = []
    if deployment.replicas == 1 and budget.unavailable >= 1:
        violations.append(Violation(
            "RP305",
            "1 replica with maxUnavailable resolving to 1: the only pod may go before its "
            "replacement is ready, so every rollout can be an outage (use maxUnavailable: 0)",
            ("spec", "strategy"),
        ))  # fmt: skip
    violations += _surge(deployment, budget)
    return violations


def _surge(deployment: Deployment, budget: Budget) -> list[Violation]:
    """RP306, only for a surge someone chose: the default 25% (written or not) never reports,
    as almost every Deployment has it and it adds one pod to a 1-replica Deployment."""
    surge = deployment.strategy.max_surge
    if surge is None or surge == DEFAULT_SURGE or budget.surge == 0:
        return []
    replicas = deployment.replicas
    doubles = (surge.is_percent and surge.value >= 100) or budget.surge >= replicas >= 2
    from rolloutplan.planner.quota import pod_charge, requests_of  # a chosen surge only

    charge = pod_charge(deployment.template)  # no LimitRange: the Deployment alone
    if not doubles and not _large(charge, budget.surge):
        return []
    extra = requests_of(charge, budget.surge)
    figure = " and ".join(f"{value} {resource}" for resource, value in extra.items())
    requesting = f", requesting {figure} more" if figure else ""
    return [Violation(
        "RP306",
        f"maxSurge {surge} resolves to {budget.surge} for {plural(replicas, 'replica')}: a "
        f"rollout adds up to {plural(budget.surge, 'pod')} beyond replicas ({budget.max_pods} "
        f"in all){requesting}; without that room free in the cluster the new pods stay "
        "Pending and the rollout stalls",
        ("spec", "strategy", "rollingUpdate", "maxSurge"),
    )]  # fmt: skip


def _large(charge: PodCharge, extra_pods: int) -> bool:
    """The surge pods ask for at least a whole common node (4 cores, 16 GiB)."""
    per_pod = charge.as_dict
    return (
        per_pod.get("cpu", 0) * extra_pods >= LARGE_CPU
        or per_pod.get("memory", 0) * extra_pods >= LARGE_MEMORY
    )


def bare_replica_set_risks(template_changed: bool) -> list[Violation]:
    """A ReplicaSet that no Deployment owns, whose template changed (from --previous)."""
    if not template_changed:
        return []
    return [Violation(
        "RP315",
        "the pod template changed, but a ReplicaSet never rolls out: its running pods keep "
        "the old template, and only pods created later (after a deletion) get the new one",
        ("spec", "template"),
    )]  # fmt: skip


def overlapping_selectors(
    claims: Sequence[SelectorClaim], named: int = NAMED
) -> dict[ObjectRef, list[Violation]]:
    """Deployments of one namespace whose selectors match each other's pods: their
    controllers adopt and scale the same pods.  The last claim of an object counts.

    One finding per Deployment, naming the first ``named`` others and counting the rest, so
    that 500 Deployments sharing one selector give 500 findings, not 249,500.  Claims with
    the same namespace, selector and labels are compared once, as a group."""
    latest = {claim.ref: claim for claim in claims}
    grouped: dict[tuple[str, LabelSelector, Labels], list[ObjectRef]] = {}
    for ref in sorted(latest, key=_ref_order):
        claim = latest[ref]
        grouped.setdefault((ref.namespace, claim.selector, claim.labels), []).append(ref)
    groups = [(latest[members[0]], members) for members in grouped.values()]
    partners: dict[int, list[int]] = {}
    for first, second in _overlapping_pairs([claim for claim, _ in groups]):
        partners.setdefault(first, []).append(second)
        partners.setdefault(second, []).append(first)
    for index, (claim, members) in enumerate(groups):
        if len(members) > 1 and claim.selector.matches(claim.labels):
            partners.setdefault(index, []).append(index)
    found: dict[ObjectRef, list[Violation]] = {}
    for index, others in partners.items():
        member_lists = [groups[other][1] for other in others]
        total = sum(len(members) for members in member_lists) - (index in others)
        for ref in groups[index][1]:
            names = [o.name for o in islice(
                (o for o in heapq.merge(*member_lists) if o != ref), named
            )]  # fmt: skip
            found[ref] = [_overlap(names, total)]
    return found


# ObjectRef's own order, as a tuple of strings: compared in C (the dataclass's __lt__ is
# Python code, called some 30,000 times to sort 2,500 Deployments)
_ref_order = operator.attrgetter("kind", "namespace", "name")


def _overlap(names: list[str], total: int) -> Violation:
    if total == 1:
        message = (
            f"the selector overlaps Deployment {names[0]}'s: both controllers claim the same "
            "pods and fight over them"
        )
    else:
        message = (
            f"the selector overlaps those of Deployments {listed(names, total)}: these "
            "controllers claim the same pods and fight over them"
        )
    return Violation("RP307", message, ("spec", "selector"))


def _overlapping_pairs(
    unique: Sequence[SelectorClaim],
) -> list[tuple[int, int]]:
    """Index pairs (i < j) where either selector matches the other's template labels.

    Templates are indexed by (namespace, label, value), so a selector with matchLabels is
    tried only against templates that carry one of its labels, not against every Deployment.
    """
    # only the labels some selector is tried by (its first): most are never looked up
    asked = {
        (claim.ref.namespace, *claim.selector.match_labels[0])
        for claim in unique
        if claim.selector.match_labels
    }
    by_label: dict[tuple[str, str, str], list[int]] = {}
    by_namespace: dict[str, list[int]] = {}
    for index, claim in enumerate(unique):
        namespace = claim.ref.namespace
        by_namespace.setdefault(namespace, []).append(index)
        for key, value in claim.labels:
            if (label := (namespace, key, value)) in asked:
                by_label.setdefault(label, []).append(index)
    pairs: set[tuple[int, int]] = set()
    for index, claim in enumerate(unique):
        namespace = claim.ref.namespace
        selector = claim.selector
        if selector.match_labels:
            key, value = selector.match_labels[0]
            candidates = by_label.get((namespace, key, value), [])
        else:
            candidates = by_namespace[namespace]
        for other in candidates:
            if other != index and selector.matches(unique[other].labels):
                pairs.add((min(index, other), max(index, other)))
    return sorted(pairs)
