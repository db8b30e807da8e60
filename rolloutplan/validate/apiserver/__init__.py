"""What the API server rejects after decoding: its defaulting, then its validation.

Checks run on objects that passed the schema, with the server's defaults applied first (so a
field the server fills in is never reported missing).  Field paths are the server's own.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.validate.apiserver import service, workload

WORKLOADS = ("Deployment", "ReplicaSet")


def validate_create(data: dict[str, Any]) -> list[Violation]:
    """What ``kubectl apply`` of a new object would be refused for."""
    kind = data.get("kind")
    if kind in WORKLOADS:
        return workload.validate(kind, data)
    if kind == "Service":
        return service.validate(data)
    return []


def validate_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    """What ``kubectl apply`` of ``new`` over the existing ``old`` would be refused for: the
    create checks on ``new``, plus the update-only rules (immutable fields and the like)."""
    kind = new.get("kind")
    violations = validate_create(new)
    if kind in WORKLOADS:
        violations += workload.validate_update(kind, old, new)
    elif kind == "Service":
        violations += service.validate_update(old, new)
    return violations
