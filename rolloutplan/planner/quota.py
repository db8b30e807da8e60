"""What a Deployment's pods charge against the ResourceQuotas of their namespace, and how
many of them the quotas leave room for.  Pure functions over typed objects.

A pod is charged as the API server admits it: defaulting first copies a container's limits
into its missing requests, then the LimitRanger fills in what is still missing from the
namespace's Container defaults, then the quota charges the pod's effective requests and
limits (the containers with the sidecars, or an init container beside the sidecars started
before it when that is more; limits of cpu, memory and ephemeral-storage only, hugepages
also under their bare name, extended resources as requests.<name> only), ``pods`` and
``count/pods``.  A quota on cpu or memory refuses outright a pod with a container that
leaves it unset.  The pod overhead of its RuntimeClass (spec.overhead, set at admission)
adds to its requests, and to the limits it sets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from rolloutplan.model.objects import Container, PodTemplate
from rolloutplan.model.quantity import (
    BINARY_SI,
    DECIMAL_SI,
    canonical,
    parse_quantity,
    quantity_format,
)

if TYPE_CHECKING:
    from rolloutplan.model.cluster import LimitRange, ResourceQuota

Charge = dict[str, Fraction]  # quota resource name -> what one pod charges

# resources a quota tracks under their bare name as well as requests.<name>, and the only
# ones it tracks as limits.<name>
_BARE = ("cpu", "memory", "ephemeral-storage")
_HUGEPAGES = "hugepages-"  # bare and requests.<name>, never limits.<name>
_COMPUTE = ("cpu", "memory")  # what makes a pod not BestEffort


Amount = tuple[Fraction, str]  # a value and the format it prints in (see canonical)


def container_resources(
    container: Container, limit_ranges: Sequence[LimitRange]
) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """A container's requests and limits once created: limits copied into missing
    requests, then every LimitRange's Container default and defaultRequest for what is
    still missing (the first LimitRange that sets a resource wins)."""
    requests, limits = _container_amounts(container, limit_ranges)
    return _values(requests), _values(limits)


def _container_amounts(
    container: Container, limit_ranges: Sequence[LimitRange]
) -> tuple[dict[str, Amount], dict[str, Amount]]:
    limits = _amounts(container.limits)
    requests = {**limits, **_amounts(container.requests)}
    for limit_range in limit_ranges:
        for item in limit_range.limits:
            if item.type != "Container":
                continue
            for name, value in _amounts(item.default).items():
                limits.setdefault(name, value)
            for name, value in _amounts(item.default_request).items():
                requests.setdefault(name, value)
    return requests, limits


def _quantities(values: Iterable[tuple[str, str]]) -> dict[str, Fraction]:
    return _values(_amounts(values))


def _amounts(values: Iterable[tuple[str, str]]) -> dict[str, Amount]:
    found: dict[str, Amount] = {}
    for name, text in values:
        value = parse_quantity(text)
        if value is not None:
            found[name] = (value, quantity_format(text))
    return found


def _values(amounts: Mapping[str, Amount]) -> dict[str, Fraction]:
    return {name: value for name, (value, _) in amounts.items()}


def _add(total: dict[str, Amount], amounts: Mapping[str, Amount]) -> None:
    """Sums per resource; a sum prints in the format of its first term (Quantity.Add)."""
    for name, (value, form) in amounts.items():
        before = total.get(name)
        total[name] = (value, form) if before is None else (before[0] + value, before[1])


def _max(total: dict[str, Amount], amounts: Mapping[str, Amount]) -> None:
    for name, (value, form) in amounts.items():
        before = total.get(name)
        if before is None or value > before[0]:
            total[name] = (value, form)


def _pod_total(
    containers: Sequence[Mapping[str, Amount]],
    inits: Sequence[tuple[Mapping[str, Amount], bool]],
) -> dict[str, Amount]:
    """The pod's effective amounts, as the API server sums them (sidecar containers, the
    KEP-753 way): the containers and the sidecars (init containers with restartPolicy
    Always) run together; each init container runs beside the sidecars started before it;
    per resource, the larger of the two."""
    total: dict[str, Amount] = {}
    for amounts in containers:
        _add(total, amounts)
    sidecars: dict[str, Amount] = {}
    while_init: dict[str, Amount] = {}
    for amounts, sidecar in inits:
        if sidecar:
            _add(total, amounts)
            _add(sidecars, amounts)
            _max(while_init, sidecars)
        else:
            running = dict(amounts)
            _add(running, sidecars)
            _max(while_init, running)
    _max(total, while_init)
    return total


# if a quota tracks one of these, the API server refuses a pod with a container (or init
# container) that does not set it (after defaults): "must specify ..."
_MUST_SPECIFY = ("cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory")


def _unset(requests: Mapping[str, object], limits: Mapping[str, object]) -> list[str]:
    """Which of the resources the API server requires a quota's pods to set this container
    leaves unset."""
    has = set()
    for base in ("cpu", "memory"):
        if base in requests:
            has |= {base, f"requests.{base}"}
        if base in limits:
            has.add(f"limits.{base}")
    return [resource for resource in _MUST_SPECIFY if resource not in has]


@dataclass(frozen=True, slots=True)
class PodCharge:
    """What one pod of a template charges a quota, and what its scopes look at."""

    charge: tuple[tuple[str, Fraction], ...]
    best_effort: bool
    forms: tuple[tuple[str, str], ...] = ()  # how each charge prints (its format)
    # per resource of _MUST_SPECIFY, the containers that leave it unset
    unset: tuple[tuple[str, tuple[str, ...]], ...] = ()
    priority_class: str = ""
    cross_namespace: bool = False

    @property
    def as_dict(self) -> Charge:
        return dict(self.charge)

    def must_specify(self, quota: ResourceQuota) -> str:
        """The API server's refusal of every pod of the template under ``quota`` ("" when it
        admits them): a quota on cpu or memory needs every container to set it."""
        tracked = {name for name, _ in quota.enforced}
        missing = [
            f"{resource} for: {','.join(names)}"
            for resource, names in self.unset
            if resource in tracked
        ]
        if not missing:
            return ""
        return f"failed quota: {quota.ref.name}: must specify {'; '.join(missing)}"


def pod_charge(
    template: PodTemplate,
    limit_ranges: Sequence[LimitRange] = (),
    overhead: Iterable[tuple[str, str]] = (),
) -> PodCharge:
    """What one pod of ``template`` charges, after the LimitRanges' defaults, with the pod
    ``overhead`` of its RuntimeClass."""
    running = [_container_amounts(c, limit_ranges) for c in template.containers]
    init = [(_container_amounts(c, limit_ranges), c.sidecar) for c in template.init_containers]
    requests = _pod_total([r for r, _ in running], [(r, s) for (r, _), s in init])
    limits = _pod_total([lim for _, lim in running], [(lim, s) for (_, lim), s in init])
    best_effort = not any(
        name in _COMPUTE and value
        for total in (requests, limits)
        for name, (value, _) in total.items()
    )
    fixed = _amounts(overhead)
    _add(requests, fixed)
    _add(limits, {name: amount for name, amount in fixed.items() if name in limits})
    amounts: dict[str, Amount] = {"pods": (Fraction(1), DECIMAL_SI)}
    amounts["count/pods"] = amounts["pods"]
    for name, amount in requests.items():
        if name in _BARE or name.startswith(_HUGEPAGES):
            amounts[name] = amount
        if name in _BARE or name.startswith(_HUGEPAGES) or _extended(name):
            amounts[f"requests.{name}"] = amount
    for name, amount in limits.items():
        if name in _BARE:
            amounts[f"limits.{name}"] = amount
    unset: dict[str, set[str]] = {}
    for container, (reqs, lims) in zip(
        (*template.containers, *template.init_containers),
        (*running, *(amounts for amounts, _ in init)),
        strict=True,
    ):
        for resource in _unset(reqs, lims):
            unset.setdefault(resource, set()).add(container.name)
    return PodCharge(
        tuple(sorted((name, value) for name, (value, _) in amounts.items())),
        best_effort,
        tuple(sorted((name, form) for name, (_, form) in amounts.items())),
        tuple((resource, tuple(sorted(unset[resource]))) for resource in sorted(unset)),
        template.priority_class_name,
        template.cross_namespace_affinity,
    )


# what a plan's peakRequests and RP306 show of a pod's requests
SCHEDULED = ("cpu", "memory")


def pod_requests(
    template: PodTemplate,
    pods: int,
    limit_ranges: Sequence[LimitRange] = (),
    overhead: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """The CPU and memory requests of ``pods`` pods of ``template``, as the scheduler and
    the quota count them (``pod_charge``'s requests)."""
    return requests_of(pod_charge(template, limit_ranges, overhead), pods)


def requests_of(charge: PodCharge, pods: int) -> dict[str, str]:
    """The CPU and memory requests of ``pods`` pods that each charge ``charge``, printed as
    Quantity.String() prints their sum; a resource no pod requests is left out."""
    values, forms = charge.as_dict, dict(charge.forms)
    return {
        name: render(name, values[name] * pods, forms[name])
        for name in SCHEDULED
        if values.get(name)
    }


def _extended(name: str) -> bool:
    """An extended resource (a domain-prefixed name outside kubernetes.io): a quota tracks
    it as requests.<name> only."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def selects(quota: ResourceQuota, charge: PodCharge) -> bool:
    """Whether the quota's scopes (each of ``scopes`` as an Exists requirement, and the
    ``scopeSelector``'s expressions) all select a Deployment's pods.

    A Deployment's pods never have activeDeadlineSeconds (the API server refuses it in a
    ReplicaSet's template): they are NotTerminating.  Only PriorityClass reads the
    operator; the API server allows no other operator than Exists for the other scopes."""
    scopes = [(scope, "Exists", ()) for scope in quota.scopes]
    scopes += [(r.scope_name, r.operator, r.values) for r in quota.scope_selector]
    held = {
        "Terminating": False,
        "NotTerminating": True,
        "BestEffort": charge.best_effort,
        "NotBestEffort": not charge.best_effort,
        "CrossNamespacePodAffinity": charge.cross_namespace,
    }
    for name, operator, values in scopes:
        if name == "PriorityClass":
            if not _priority_matches(charge.priority_class, operator, values):
                return False
        elif not held.get(name, False):
            return False
    return True


def _priority_matches(priority_class: str, operator: str, values: Sequence[str]) -> bool:
    """A label selector on the one label ``PriorityClass`` (absent with no class)."""
    if operator == "Exists":
        return bool(priority_class)
    if operator == "DoesNotExist":
        return not priority_class
    if operator == "In":
        return bool(priority_class) and priority_class in values
    if operator == "NotIn":
        return not priority_class or priority_class not in values
    return False


@dataclass(frozen=True, slots=True)
class QuotaRoom:
    """One quota that selects the Deployment's pods: its hard limits on what the pods
    charge, and what the other pods of the namespace use of them."""

    name: str
    hard: tuple[tuple[str, Fraction], ...]  # only the resources a pod charges
    other: tuple[tuple[str, Fraction], ...]  # used by pods not of this Deployment
    live: bool  # ``other`` comes from status.used
    # the API server refuses every new pod ("failed quota: NAME: must specify ..."), or ""
    refusal: str = ""
    # per resource of ``hard``: the formats its requested, used and hard values print in
    forms: tuple[tuple[str, tuple[str, str, str]], ...] = ()


def forms_of(
    quota: ResourceQuota, charge: PodCharge, hard: Sequence[tuple[str, Fraction]]
) -> tuple[tuple[str, tuple[str, str, str]], ...]:
    """How the API server prints each resource of ``hard`` in its messages: the pod's
    usage in the format of the quantities it adds up, the quota's used and hard values in
    the formats they are written in (an assumed usage in the pod's)."""
    hard_texts, used_texts, pod = dict(quota.enforced), dict(quota.used or ()), dict(charge.forms)
    found = []
    for name, _ in hard:
        requested = pod.get(name, DECIMAL_SI)
        used = used_texts.get(name)
        found.append(
            (
                name,
                (
                    requested,
                    requested if used is None else quantity_format(used),
                    quantity_format(hard_texts[name]),
                ),
            )
        )
    return tuple(found)


def hard_of(quota: ResourceQuota, charge: PodCharge) -> tuple[tuple[str, Fraction], ...]:
    charged = charge.as_dict
    return tuple(
        (name, value)
        for name, value in sorted(_quantities(quota.enforced).items())
        if charged.get(name)
    )


def behind(quota: ResourceQuota) -> bool:
    """Whether the quota's status.hard (what pods are admitted against) is not its
    spec.hard yet: an edit the quota controller has not copied."""
    return quota.status_hard is not None and _quantities(quota.hard) != _quantities(
        quota.status_hard
    )


def used_of(quota: ResourceQuota) -> dict[str, Fraction]:
    return _quantities(quota.used or ())


def new_pod_cap(
    rooms: Sequence[QuotaRoom], old_charge: Charge, new_charge: Charge, old_pods: int
) -> int:
    """How many new pods can exist beside ``old_pods`` old ones within every quota."""
    cap = math.inf
    for room in rooms:
        if room.refusal:
            return 0
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
    """The API server's refusal of one more new pod: the first quota that refuses every
    pod (it checks them all before usage), else ``exceeded quota: NAME, requested: ...,
    used: ..., limited: ...`` for the first quota it exceeds ("" when none)."""
    refusal = next((room.refusal for room in rooms if room.refusal), "")
    if refusal:
        return refusal
    for room in rooms:
        forms = dict(room.forms)
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
                ",".join(
                    f"{name}={render(name, values[i], _form(forms, name, i))}"
                    for name, *values in over
                )
                for i in range(3)
            ]
            requested, used_text, limited = parts
            return (
                f"exceeded quota: {room.name}, requested: {requested}, used: {used_text}, "
                f"limited: {limited}"
            )
    return ""


def _form(forms: Mapping[str, tuple[str, str, str]], name: str, index: int) -> str | None:
    found = forms.get(name)
    return None if found is None else found[index]


def render(name: str, value: Fraction, form: str | None = None) -> str:
    """A quantity as the API server prints it (Quantity.String), in ``form``; by default
    memory and storage in binary units (Ki, Mi, Gi), everything else in decimal ones."""
    if form is None:
        binary = any(word in name for word in ("memory", "storage", "hugepages"))
        form = BINARY_SI if binary else DECIMAL_SI
    return canonical(value, form)
