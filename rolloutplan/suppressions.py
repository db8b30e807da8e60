"""Per-object waivers: ``rolloutplan.io/ignore-<rule-name>: "<reason>"`` annotations.

Annotations survive ``kubectl apply`` and Helm rendering, unlike YAML comments.  The reason is
required: a waiver without one (or naming no rule) waives nothing and is reported (RP014).
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import MapKey
from rolloutplan.rules import REGISTRY

PREFIX = "rolloutplan.io/ignore-"


def waiver_view(data: dict[str, Any]) -> dict[str, Any]:
    """Just the part of an object that ``read`` looks at: its waiver annotations."""
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        return {}
    kept = {k: v for k, v in annotations.items() if isinstance(k, str) and k.startswith(PREFIX)}
    return {"metadata": {"annotations": kept}} if kept else {}


def read(data: dict[str, Any]) -> tuple[dict[str, str], list[Violation]]:
    """The waived rule ids with their reasons, and the problems with malformed waivers."""
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    waivers: dict[str, str] = {}
    problems: list[Violation] = []
    for key, value in (annotations if isinstance(annotations, dict) else {}).items():
        if not isinstance(key, str) or not key.startswith(PREFIX):
            continue
        field = ("metadata", "annotations", MapKey(key))
        rule = REGISTRY.get(key[len(PREFIX) :])
        reason = str(value).strip() if value is not None else ""
        if rule is None:
            message = f"{key}: no rule named {key[len(PREFIX) :]!r}; nothing is waived"
            problems.append(Violation("RP014", message, field, at_key=True))
        elif not reason:
            message = f"{key}: a waiver needs a reason as its value; {rule.id} is not waived"
            problems.append(Violation("RP014", message, field, at_key=True))
        else:
            waivers[rule.id] = reason
    return waivers, problems
