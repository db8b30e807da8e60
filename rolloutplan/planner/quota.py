"""What a Deployment's pods charge against the ResourceQuotas of their namespace, and how
many of them the quotas leave room for.  Pure functions over typed objects.

A pod is charged as the API server admits it: defaulting first copies a container's limits
into its missing requests, then the LimitRanger fills in what is still missing from the
namespace's Container defaults, then the quota charges the pod's effective requests and
limits (the larger of the containers' sum and the largest init container), ``pods`` and
``count/pods``.  Pod overhead (set by a RuntimeClass at admission) is not known here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rolloutplan.model.objects import Container, LimitRange, PodTemplate, ResourceQuota
from rolloutplan.model.quantity import _cpu, _memory, parse_quantity

Charge = dict[str, Fraction]  # quota resource name -> what one pod charges

# resources a quota tracks under their bare name as well as requests.<name>
_BARE = ("cpu", "memory", "ephemeral-storage")
_COMPUTE = ("cpu", "memory")  # what makes a pod not BestEffort


def container_resources(
    container: Container, limit_ranges: Sequence[LimitRange]
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """A container's requests and limits once created: limits copied into missing
    requests, then every LimitRange's Container default and defaultRequest for what is
    still missing (the first LimitRange that sets a resource wins)."""
    limits = _quantities(container.limits)
    requests = {**limits, **_quantities(container.requests)}
    for limit_range in limit_ranges:
        for item in limit_range.limits:
            if item.type != "Container":
                continue
            for name, value in _quantities(item.default).items():
                limits.setdefault(name, value)
            for name, value in _quantities(item.default_request).items():
                requests.setdefault(name, value)
    return requests, limits


def _quantities(values: Iterable[tuple[str, str]]) -> dict[str, Fraction]:
    found: dict[str, Fraction] = {}
    for name, text in values:
        value = parse_quantity(text)
        if value is not None:
            found[name] = value
    return found


def _pod_total(
    containers: Sequence[dict[str, Fraction]], inits: Sequence[dict[str, Fraction]]
) -> dict[str, Fraction]:
    """The pod's effective amounts: per resource, the larger of the containers' sum and
    the largest init container's."""
    total: dict[str, Fraction] = {}
    for amounts in containers:
        for name, value in amounts.items():
            total[name] = total.get(name, Fraction(0)) + value
    for amounts in inits:
        for name, value in amounts.items():
            total[name] = max(total.get(name, Fraction(0)), value)
    return total


@dataclass(frozen=True, slots=True)
class PodCharge:
    """What one pod of a template charges a quota, and whether it is BestEffort."""

    charge: tuple[tuple[str, Fraction], ...]
    best_effort: bool

    @property
    def as_dict(self) -> Charge:
        return dict(self.charge)


def pod_charge(template: PodTemplate, limit_ranges: Sequence[LimitRange] = ()) -> PodCharge:
    """What one pod of ``template`` charges, after the LimitRanges' defaults."""
    running = [container_resources(c, limit_ranges) for c in template.containers]
    init = [container_resources(c, limit_ranges) for c in template.init_containers]
    requests = _pod_total([r for r, _ in running], [r for r, _ in init])
    limits = _pod_total([lim for _, lim in running], [lim for _, lim in init])
    charge: Charge = {"pods": Fraction(1), "count/pods": Fraction(1)}
    for name, value in requests.items():
        charge[f"requests.{name}"] = value
        if name in _BARE:
            charge[name] = value
    for name, value in limits.items():
        charge[f"limits.{name}"] = value
    best_effort = not any(
        name in _COMPUTE and value
        for amounts in (requests, limits)
        for name, value in amounts.items()
    )
    return PodCharge(tuple(sorted(charge.items())), best_effort)


def selects(quota: ResourceQuota, charge: PodCharge) -> bool | None:
    """Whether the quota's scopes select a Deployment's pods; None when that depends on what
    the planner does not read (the pod's priority class or cross-namespace affinity).

    A Deployment's pods never have activeDeadlineSeconds (the API server refuses it in a
    ReplicaSet's template): they are NotTerminating."""
    scopes = [(scope, "Exists", ()) for scope in quota.scopes]
    scopes += [(r.scope_name, r.operator, r.values) for r in quota.scope_selector]
    for name, operator, _values in scopes:
        if name in ("PriorityClass", "CrossNamespacePodAffinity"):
            return None
        held = {
            "Terminating": False,
            "NotTerminating": True,
            "BestEffort": charge.best_effort,
            "NotBestEffort": not charge.best_effort,
        }.get(name)
        if held is None:
            return None
        if held != (operator == "Exists"):
            return False
    return True


@dataclass(frozen=True, slots=True)
class QuotaRoom:
    """One quota that selects the Deployment's pods: its hard limits on what the pods
    charge, and what the other pods of the namespace use of them."""

    name: str
    hard: tuple[tuple[str, Fraction], ...]  # only the resources a pod charges
    other: tuple[tuple[str, Fraction], ...]  # used by pods not of this Deployment
    live: bool  # ``other`` comes from status.used


def hard_of(quota: ResourceQuota, charge: PodCharge) -> tuple[tuple[str, Fraction], ...]:
    charged = charge.as_dict
    return tuple(
        (name, value)
        for name, value in sorted(_quantities(quota.hard).items())
        if charged.get(name)
    )


def used_of(quota: ResourceQuota) -> dict[str, Fraction]:
    return _quantities(quota.used or ())


def new_pod_cap(
    rooms: Sequence[QuotaRoom], old_charge: Charge, new_charge: Charge, old_pods: int
) -> int:
    """How many new pods can exist beside ``old_pods`` old ones within every quota."""
    cap = math.inf
    for room in rooms:
        other = dict(room.other)
        for name, hard in room.hard:
            per_pod = new_charge.get(name, Fraction(0))
            if not per_pod:
                continue
            left = hard - other.get(name, Fraction(0)) - old_pods * old_charge.get(name, 0)
            cap = min(cap, max(0, math.floor(left / per_pod)))
    return int(cap) if cap != math.inf else 2**62


def exceeded(
    rooms: Sequence[QuotaRoom],
    old_charge: Charge,
    new_charge: Charge,
    old_pods: int,
    new_pods: int,
) -> str:
    """The API server's refusal of one more new pod, ``exceeded quota: NAME, requested:
    ..., used: ..., limited: ...``, for the first quota it exceeds ("" when none)."""
    for room in rooms:
        other = dict(room.other)
        over = []
        for name, hard in room.hard:
            per_pod = new_charge.get(name, Fraction(0))
            used = (
                other.get(name, Fraction(0))
                + old_pods * old_charge.get(name, 0)
                + new_pods * per_pod
            )
            if per_pod and used + per_pod > hard:
                over.append((name, per_pod, used, hard))
        if over:
            parts = [
                ",".join(f"{name}={render(name, values[i])}" for name, *values in over)
                for i in range(3)
            ]
            requested, used_text, limited = parts
            return (
                f"exceeded quota: {room.name}, requested: {requested}, used: {used_text}, "
                f"limited: {limited}"
            )
    return ""


def render(name: str, value: Fraction) -> str:
    """A quantity as a person writes it: cpu in cores or millicores, memory in Mi/Gi."""
    if name in ("pods", "count/pods"):
        return str(int(value))
    if name.rpartition(".")[2] == "cpu":
        return _cpu(value)
    return _memory(value) if "memory" in name or "storage" in name else _cpu(value)


def charged(charge: Mapping[str, Fraction], pods: int, names: Iterable[str]) -> dict[str, str]:
    """What ``pods`` pods charge of ``names``, rendered."""
    return {name: render(name, charge[name] * pods) for name in names if charge.get(name)}
