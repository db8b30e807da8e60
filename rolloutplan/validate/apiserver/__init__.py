"""What the API server rejects after decoding: its defaulting, then its validation.

Checks run on objects that passed the schema, with the server's defaults applied first (so a
field the server fills in is never reported missing).  Field paths are the server's own.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation

WORKLOADS = ("Deployment", "ReplicaSet")
# the kinds that shape a rollout from beside it (issue 16), but HorizontalPodAutoscaler (its
# rules depend on the version): each kind's module and its create and update checks, imported
# when a document of the kind comes
NEIGHBOURS = {
    "ResourceQuota": ("quota", "validate_quota", "validate_quota_update"),
    "LimitRange": ("quota", "validate_limit_range", "validate_limit_range_update"),
    "PodDisruptionBudget": ("disruption", "validate", "validate_update"),
}
DEFAULT_NODE_PORT_RANGE = (30000, 32767)


def validate_create(
    data: dict[str, Any],
    node_port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE,
    kubernetes_version: str | None = None,
) -> list[Violation]:
    """What ``kubectl apply`` of a new object would be refused for (None: the newest rules)."""
    kind = data.get("kind")
    # each kind's checks are imported when a document of it comes: one file starts faster
    if kind in WORKLOADS:
        from rolloutplan.validate.apiserver import workload

        return workload.validate(kind, data, kubernetes_version=kubernetes_version)
    if kind == "Service":
        from rolloutplan.validate.apiserver import service

        return service.validate(
            data, node_port_range=node_port_range, kubernetes_version=kubernetes_version
        )
    if kind == "HorizontalPodAutoscaler":  # the one neighbour with version-dependent rules
        from rolloutplan.validate.apiserver import autoscaling

        return autoscaling.validate(data, kubernetes_version)
    if kind in NEIGHBOURS:
        module, create, _ = NEIGHBOURS[kind]
        return getattr(_checks(module), create)(data)  # type: ignore[no-any-return]
    return []


def validate_update(
    old: dict[str, Any],
    new: dict[str, Any],
    node_port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE,
    kubernetes_version: str | None = None,
) -> list[Violation]:
    """What ``kubectl apply`` of ``new`` over the existing ``old`` would be refused for.

    A Service update is validated as a whole against the old object (the server first clears
    fields the type change drops and restores allocated IPs, so checking ``new`` alone would
    give false errors); a workload gets the create checks plus the update-only rules.
    """
    kind = new.get("kind")
    if kind == "Service":
        from rolloutplan.validate.apiserver import service

        return service.validate_update(
            old, new, node_port_range=node_port_range, kubernetes_version=kubernetes_version
        )
    if kind in WORKLOADS:
        from rolloutplan.validate.apiserver import workload

        created = workload.validate(kind, new, kubernetes_version=kubernetes_version)
        return created + workload.validate_update(kind, old, new)
    if kind == "HorizontalPodAutoscaler":
        from rolloutplan.validate.apiserver import autoscaling

        return autoscaling.validate_update(old, new, kubernetes_version)
    if kind in NEIGHBOURS:
        module, _, update = NEIGHBOURS[kind]
        return getattr(_checks(module), update)(old, new)  # type: ignore[no-any-return]
    return []


def _checks(module: str) -> Any:
    import importlib

    return importlib.import_module(f"rolloutplan.validate.apiserver.{module}")
