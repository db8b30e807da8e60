"""A plan under the ResourceQuotas and LimitRanges of the Deployment's namespace: which
quotas select its pods, what they leave room for, what the plan assumes about their usage,
and how a plan they slow down or stall is reported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from rolloutplan.analysis.neighbours import limit_ranges_of, quotas_of
from rolloutplan.model.cluster import LimitRange, ResourceQuota, RuntimeClass
from rolloutplan.model.objects import Deployment, PodTemplate
from rolloutplan.planner import quota as q
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.simulate import Outcome

if TYPE_CHECKING:
    from rolloutplan.planner.plan import RolloutPlan
    from rolloutplan.planner.timing import Timing

FIX = (
    "raise the quota, or lower maxSurge (maxSurge 0 with maxUnavailable 1 or more: old pods "
    "make room for the new ones)"
)

REFUSED_FIX = (
    "set the resource on every container and init container, or give the namespace a "
    "LimitRange with a Container default (limits) or defaultRequest (requests) for it"
)


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The quotas and LimitRanges of a Deployment's apply unit, and its Deployments (whose
    pods use the quotas of their namespace)."""

    quotas: tuple[ResourceQuota, ...]
    limit_ranges: tuple[LimitRange, ...]
    deployments: tuple[Deployment, ...]
    runtime_classes: tuple[RuntimeClass, ...] = ()

    @classmethod
    def of(
        cls,
        quotas: Sequence[ResourceQuota],
        limit_ranges: Sequence[LimitRange],
        placed: Sequence[tuple[str, Deployment]],
        runtime_classes: Sequence[RuntimeClass] = (),
    ) -> Neighbourhood:
        last = {deployment.ref: deployment for _, deployment in placed}
        return cls(tuple(quotas), tuple(limit_ranges), tuple(last.values()), tuple(runtime_classes))

    def overhead(self, template: PodTemplate) -> tuple[tuple[str, str], ...]:
        """The pod overhead of the template's RuntimeClass, when the inputs have it."""
        found = self.runtime_class(template)
        return () if found is None else found.overhead

    def runtime_class(self, template: PodTemplate) -> RuntimeClass | None:
        name = template.runtime_class_name
        if not name:
            return None
        return next((rc for rc in reversed(self.runtime_classes) if rc.ref.name == name), None)


@dataclass(frozen=True, slots=True)
class QuotaPlan:
    """The quotas that select the Deployment's pods and what one pod charges them."""

    rooms: tuple[q.QuotaRoom, ...]
    old_charge: tuple[tuple[str, Fraction], ...]
    new_charge: tuple[tuple[str, Fraction], ...]
    start_used: tuple[tuple[str, tuple[tuple[str, Fraction], ...]], ...]  # per quota
    notes: tuple[str, ...]
    assumed: tuple[str, ...] = ()  # what the plan assumes of the usage of quotas without it
    # how the new pods' charges print (the format of the quantities they add up)
    new_forms: tuple[tuple[str, str], ...] = ()

    @property
    def assumption(self) -> str:
        return "; ".join(self.assumed)

    def cap(self, old_pods: int) -> int:
        """How many new pods can exist beside ``old_pods`` old ones."""
        return q.new_pod_cap(self.rooms, dict(self.old_charge), dict(self.new_charge), old_pods)

    @property
    def live(self) -> bool:
        """Every quota's usage comes from its status.used: what the plan says is proven."""
        return all(room.live for room in self.rooms)

    def applied(self, plan: RolloutPlan, timing: Timing) -> RolloutPlan:
        """The plan with the quotas' notes, and the reason when they stall it."""
        notes = [*plan.notes, *self.notes]
        if not self.rooms:
            return replace(plan, notes=tuple(notes))
        if timing.termination_seconds > timing.ready_seconds:
            notes.append(
                "old pods scaled down keep counting against the quota until they are gone, "
                f"{timing.termination_seconds}s after their scale-down (termination; the quota "
                "counts a pod being deleted until it is gone, or its grace period has passed "
                "since its deletion time): their room comes back at the first wave from then "
                "on, or then when nothing else is pending"
            )
        else:
            notes.append(
                "old pods scaled down keep counting against the quota until they are gone: at "
                f"the next wave, or {timing.termination_seconds}s after (termination) when "
                "nothing else is pending"
            )
        reason = ""
        final = plan.final
        new = final.new
        if plan.outcome is Outcome.STALLED and new is not None and new.pods < new.spec:
            old_pods = sum(rs.pods for rs in final.olds)
            old_charge, new_charge = dict(self.old_charge), dict(self.new_charge)
            reason = q.exceeded(self.rooms, old_charge, new_charge, old_pods, new.pods)
        if reason:
            refused = any(room.refusal == reason for room in self.rooms)
            notes.append(
                f"stalled: {reason}: the ReplicaSet controller cannot create the new pods "
                f"(FailedCreate, ReplicaFailure); {REFUSED_FIX if refused else FIX}"
            )
        elif self.slowed(plan):
            names = ", ".join(room.name for room in self.rooms)
            notes.append(
                f"quota {names} leaves room for fewer new pods than the Deployment asks for: "
                "the ReplicaSet controller creates only those (FailedCreate), which slows the "
                f"rollout; {FIX}"
            )
        return replace(plan, notes=tuple(notes), quota=self, stall_reason=reason)

    def slowed(self, plan: RolloutPlan) -> bool:
        return any(step.new_created >= 0 for step in plan.steps)

    def peak_pods(self, plan: RolloutPlan) -> int:
        """The most pods that exist at once (the new ones the quotas let be created)."""
        made = (
            step.old + (step.new if step.new_created < 0 else step.new_created)
            for step in plan.steps
        )
        return max([sum(rs.pods for rs in plan.start.all), *made])

    def json(self, plan: RolloutPlan) -> dict[str, Any]:
        charge = dict(self.new_charge)
        own = tuple((name, (form, form, form)) for name, form in self.new_forms)
        peak = self.peak_pods(plan)
        used = dict(self.start_used)
        return {
            "quotas": [
                {
                    "name": room.name,
                    "usedFrom": "status.used" if room.live else "assumed",
                    "hard": _rendered(room.hard, room.forms, 2),
                    "used": _rendered(used[room.name], room.forms, 1),
                    "room": _rendered(
                        tuple(
                            (name, max(Fraction(0), hard - dict(used[room.name]).get(name, 0)))
                            for name, hard in room.hard
                        ),
                        room.forms,
                        2,
                    ),
                }
                for room in self.rooms
            ],
            "perPod": _rendered(self.new_charge, own),
            "peakPods": peak,
            "peakRequests": _rendered(_peak(charge, peak, "requests."), own),
            "peakLimits": _rendered(_peak(charge, peak, "limits."), own),
        }


def _peak(charge: q.Charge, pods: int, prefix: str) -> tuple[tuple[str, Fraction], ...]:
    """What ``pods`` pods charge of the resources named ``prefix...``."""
    return tuple(
        (name, value * pods) for name, value in charge.items() if name.startswith(prefix) and value
    )


def _rendered(
    values: Sequence[tuple[str, Fraction]],
    forms: Sequence[tuple[str, tuple[str, str, str]]] = (),
    index: int = 0,
) -> dict[str, str]:
    """Values as the API server prints them: in the format of the quota's values (``forms``,
    ``index`` 1 for used, 2 for hard), else the usual one of their resource."""
    form = {name: found[index] for name, found in forms}
    return {name: q.render(name, value, form.get(name)) for name, value in values}


def quota_plan(
    deployment: Deployment,
    old_template: PodTemplate | None,
    start: Cluster,
    around: Neighbourhood,
) -> QuotaPlan | None:
    """What the quotas of the Deployment's namespace mean for its plan (None: no quota)."""
    quotas = quotas_of(deployment, around.quotas)
    if not quotas:
        return None
    ranges = limit_ranges_of(deployment, around.limit_ranges)
    new = q.pod_charge(deployment.template, ranges, around.overhead(deployment.template))
    old = new
    if old_template is not None:
        old = q.pod_charge(old_template, ranges, around.overhead(old_template))
    old_pods = sum(rs.pods for rs in start.olds)
    new_pods = 0 if start.new is None else start.new.pods
    ours = _times(old.as_dict, old_pods, new.as_dict, new_pods)
    others = [d for d in around.deployments if d.ref.namespace == deployment.ref.namespace]
    others = [d for d in others if d.ref != deployment.ref]
    rooms, notes, used_at_start, assumed = [], [], [], []
    for quota in sorted(quotas, key=lambda quota: quota.ref.name):
        name = quota.ref.name
        if not q.selects(quota, new):
            continue
        notes.extend(_scope_notes(quota, deployment.template))
        if quota.unsynced:
            notes.append(
                f"quota {name}: its status has no hard limits yet (the quota controller has not "
                "synced its spec.hard): the API server admits pods without checking it until "
                "then, and so does the plan"
            )
            continue
        hard = q.hard_of(quota, new)
        refusal = new.must_specify(quota)
        if not hard and not refusal:
            continue
        if quota.used is not None:
            used = q.used_of(quota)
            other = {
                n: max(Fraction(0), used.get(n, Fraction(0)) - ours.get(n, 0)) for n, _ in hard
            }
            notes.append(
                f"quota {name}: usage from its status.used (which counts this Deployment's "
                f"{old_pods + new_pods} running pod(s))"
            )
        else:
            other, counted = _other_usage(quota, others, ranges, hard, around)
            assumed.append(_assumed(name, deployment, old_pods + new_pods, counted))
            notes.append(f"quota {name} has no status.used: assumes {assumed[-1]}")
        if q.behind(quota):
            notes.append(
                f"quota {name}: its status.hard differs from its spec.hard (the quota "
                "controller has not copied an edit yet): pods are admitted against status.hard, "
                "and so is the plan"
            )
        forms = q.forms_of(quota, new, hard)
        rooms.append(
            q.QuotaRoom(
                name, hard, tuple(sorted(other.items())), quota.used is not None, refusal, forms
            )
        )
        at_start = tuple((n, other.get(n, Fraction(0)) + ours.get(n, 0)) for n, _ in hard)
        used_at_start.append((name, at_start))
    if rooms:
        notes.extend(_charge_notes(deployment.template, around.runtime_class(deployment.template)))
    if not rooms and not notes:
        return None
    return QuotaPlan(
        tuple(rooms),
        old.charge,
        new.charge,
        tuple(used_at_start),
        tuple(notes),
        tuple(assumed),
        new.forms,
    )


def _scope_notes(quota: ResourceQuota, template: PodTemplate) -> list[str]:
    """What the plan assumes when it takes a quota's PriorityClass scope to select pods."""
    scoped = any(r.scope_name == "PriorityClass" for r in quota.scope_selector)
    if template.priority_class_name or not (scoped or "PriorityClass" in quota.scopes):
        return []
    return [
        f"quota {quota.ref.name} is scoped by PriorityClass and the pods set no "
        "priorityClassName: assumes no PriorityClass is the cluster's globalDefault (the API "
        "server would give them that class)"
    ]


def _charge_notes(template: PodTemplate, runtime_class: RuntimeClass | None) -> list[str]:
    """What the quota charges besides the containers, or that the inputs do not show."""
    if not template.runtime_class_name:
        return []
    if runtime_class is not None:
        fixed = ", ".join(f"{name}={value}" for name, value in runtime_class.overhead)
        if not fixed:
            return []
        return [
            f"pods of RuntimeClass {template.runtime_class_name} are also charged its pod "
            f"overhead (overhead.podFixed {fixed}, added at admission): in their requests, "
            "and in the limits they set"
        ]
    return [
        f"pods of RuntimeClass {template.runtime_class_name} are also charged its pod overhead "
        "(overhead.podFixed, added at admission), which the inputs do not show: not counted"
    ]


def _times(old: q.Charge, old_pods: int, new: q.Charge, new_pods: int) -> q.Charge:
    names = {*old, *new}
    return {n: old.get(n, 0) * old_pods + new.get(n, 0) * new_pods for n in names}


def _other_usage(
    quota: ResourceQuota,
    others: Sequence[Deployment],
    ranges: Sequence[LimitRange],
    hard: Sequence[tuple[str, Fraction]],
    around: Neighbourhood,
) -> tuple[dict[str, Fraction], list[tuple[str, int]]]:
    """What the namespace's other Deployments of the inputs use of the quota, at their
    replicas (those whose pods it selects), and which ones count."""
    used = {name: Fraction(0) for name, _ in hard}
    counted = []
    for other in others:
        charge = q.pod_charge(other.template, ranges, around.overhead(other.template))
        if q.selects(quota, charge) is not True or not other.replicas:
            continue
        counted.append((other.ref.name, other.replicas))
        for name in used:
            used[name] += charge.as_dict.get(name, Fraction(0)) * other.replicas
    return used, counted


def _assumed(name: str, deployment: Deployment, ours: int, counted: list[tuple[str, int]]) -> str:
    text = f"quota {name} is used by this Deployment's {ours} current pod(s)"
    if counted:
        pods = sum(replicas for _, replicas in counted)
        names = ", ".join(n for n, _ in counted[:5]) + (" ..." if len(counted) > 5 else "")
        text += f" and the {pods} pod(s) of Deployment(s) {names} at their replicas"
    return text + f", and no other pod of namespace {deployment.ref.namespace}"
