"""Rollout plans as JSON objects (the ``plans`` member of ``--format json``)."""

from __future__ import annotations

from typing import Any

from rolloutplan.analysis.endpoints import EndpointTimeline, Window
from rolloutplan.planner.plan import BareReplicaSet, RolloutPlan


def plan_json(plan: RolloutPlan, timelines: list[EndpointTimeline]) -> dict[str, Any]:
    found = _plan_json(plan, timelines)
    if plan.variant:  # only then: plans of Deployments without an autoscaler keep their shape
        found["replicasFrom"] = {
            "kind": "HorizontalPodAutoscaler",
            "name": plan.autoscaler,
            "field": VARIANT_FIELDS[plan.variant],
            "replicas": plan.deployment.replicas,
        }
    if plan.quota is not None:  # only plans under a quota have these members
        for step, shown in zip(plan.steps, found["steps"], strict=True):
            if step.new_created >= 0:
                shown["newCreated"] = step.new_created
        found["quota"] = plan.quota.json(plan)
    if plan.nodes is not None:  # only plans whose pods the nodes limit
        found["scheduling"] = plan.nodes.json(plan)
    if plan.stall_reason:
        found["stallReason"] = plan.stall_reason
    return found


# where the autoscaler's count a plan assumes comes from
VARIANT_FIELDS = {
    "currentReplicas": "status.currentReplicas",
    "minReplicas": "spec.minReplicas",
    "maxReplicas": "spec.maxReplicas",
}


def _plan_json(plan: RolloutPlan, timelines: list[EndpointTimeline]) -> dict[str, Any]:
    d, budget, final = plan.deployment, plan.budget, plan.final
    return {
        "deployment": {"namespace": d.ref.namespace, "name": d.ref.name},
        "file": plan.path,
        "change": plan.change.value,
        "strategy": d.strategy.type.value,
        "replicas": d.replicas,
        "maxSurge": budget.surge,
        "maxUnavailable": budget.unavailable,
        "maxPods": budget.max_pods,
        "minAvailable": budget.min_available,
        "newPods": plan.new_pods.value,
        "start": {"old": plan.start.old_spec, "new": plan.start.new_spec,
                  "available": plan.start.available},
        "steps": [
            {
                "kind": step.kind,
                "action": step.description,
                "old": step.old,
                "new": step.new,
                "total": step.total,
                "available": step.available,
                "seconds": step.seconds,
                "wave": step.wave,
            }
            for step in plan.steps
        ],
        "waves": plan.waves,
        "outcome": plan.outcome.value,
        "final": {"old": final.old_spec, "new": final.new_spec, "available": final.available,
                  "upToDate": 0 if final.new is None else final.new.pods},
        "durationSeconds": plan.duration_seconds,
        # false: nothing says how long a pod takes to start, and waves counted as 0 s
        "durationKnown": plan.timing.known or not plan.waves,
        "progressDeadlineExceededSeconds": plan.deadline_exceeded_at,
        "peakPods": plan.peak_pods,
        "minAvailablePods": plan.min_available,
        "peakRequests": plan.peak_requests,
        "assumptions": list(plan.timing.assumptions),
        "notes": list(plan.notes),
        "changes": [
            {"what": c.what, "before": c.before, "after": c.after} for c in plan.changes
        ],
        "services": [_timeline_json(t) for t in timelines],
    }  # fmt: skip


def _timeline_json(timeline: EndpointTimeline) -> dict[str, Any]:
    ref = timeline.service.ref
    return {
        "service": {"namespace": ref.namespace, "name": ref.name},
        "file": timeline.service_file,
        "selectsOldPods": timeline.selects_old,
        "selectsNewPods": timeline.selects_new,
        "endpoints": list(timeline.counts),
        "minEndpoints": timeline.minimum,
        "zeroEndpointWindows": [_window_json(w) for w in timeline.zero],
        "mixedVersionWindow": None if timeline.mixed is None else _window_json(timeline.mixed),
    }


def _window_json(window: Window) -> dict[str, Any]:
    return {"fromStep": window.first_step, "toStep": window.last_step, "seconds": window.seconds}


def bare_replica_set_json(rs: BareReplicaSet) -> dict[str, Any]:
    return {
        "namespace": rs.ref.namespace,
        "name": rs.ref.name,
        "file": rs.path,
        "replicas": rs.replicas,
        "outcome": "no-rollout",
        "note": "a ReplicaSet never rolls out: a template change only affects pods created later",
    }
