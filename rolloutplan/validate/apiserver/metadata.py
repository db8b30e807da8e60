"""Object metadata as the API server validates it (ValidateObjectMeta and its update rules).

Rules: RP201 invalid-name, RP202 invalid-namespace, RP203 invalid-label, RP204
invalid-annotation, RP205 immutable-field (shared with the kinds' own immutable fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver.flow import flow

NameCheck = Callable[[str], list[str]]
ANNOTATIONS_MAX_BYTES = 256 * 1024
IMMUTABLE_METADATA = ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp")


def validate_object_meta(data: dict[str, Any], name_check: NameCheck) -> list[Violation]:
    """``name_check`` is the kind's name rule (DNS-1123 subdomain, DNS-1035 label, ...)."""
    metadata: dict[str, Any] = data.get("metadata") or {}
    violations = _name(metadata, name_check)
    namespace = metadata.get("namespace")
    if namespace is not None:  # kubectl fills it from the context when the manifest has none
        if namespace == "":
            violations.append(Violation("RP202", "Required value", ("metadata", "namespace")))
        for problem in primitives.dns1123_label(namespace):
            violations.append(Violation("RP202", f"Invalid value: {namespace!r}: {problem}",
                                        ("metadata", "namespace")))  # fmt: skip
    violations += validate_labels(metadata.get("labels"), ("metadata", "labels"))
    violations += validate_annotations(metadata.get("annotations"), ("metadata", "annotations"))
    return violations


def _name(metadata: dict[str, Any], name_check: NameCheck) -> list[Violation]:
    name = metadata.get("name")
    generate_name = metadata.get("generateName")
    if not name and not generate_name:
        return [Violation("RP201", "Required value: name or generateName is required",
                          ("metadata", "name"))]  # fmt: skip
    violations = []
    if generate_name:
        for problem in primitives.name_prefix(name_check, generate_name):
            violations.append(Violation("RP201", f"Invalid value: {generate_name!r}: {problem}",
                                        ("metadata", "generateName")))  # fmt: skip
    if name:
        for problem in name_check(name):
            violations.append(
                Violation("RP201", f"Invalid value: {name!r}: {problem}", ("metadata", "name"))
            )
    return violations


def validate_labels(labels: dict[str, Any] | None, path: FieldPath) -> list[Violation]:
    """Each key a qualified name, each value a label value; the server reports them all at the
    labels field itself (no key in the path)."""
    violations = []
    for key, value in (labels or {}).items():
        for problem in primitives.qualified_name(key):
            violations.append(Violation("RP203", f"Invalid value: {key!r}: {problem}", path))
        for problem in primitives.label_value(str(value)):
            violations.append(Violation("RP203", f"Invalid value: {value!r}: {problem}", path))
    return violations


def validate_annotations(annotations: dict[str, Any] | None, path: FieldPath) -> list[Violation]:
    violations = []
    total = 0
    for key, value in (annotations or {}).items():
        total += len(key) + len(str(value))
        for problem in primitives.qualified_name(key.lower()):
            violations.append(Violation("RP204", f"Invalid value: {key!r}: {problem}", path))
    if total > ANNOTATIONS_MAX_BYTES:
        violations.append(Violation(
            "RP204", f"Too long: must have at most {ANNOTATIONS_MAX_BYTES} bytes", path
        ))  # fmt: skip
    return violations


def validate_object_meta_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    old_meta: dict[str, Any] = old.get("metadata") or {}
    new_meta: dict[str, Any] = new.get("metadata") or {}
    return [
        immutable(("metadata", key), old_meta[key], new_meta[key])
        for key in IMMUTABLE_METADATA
        if key in old_meta and key in new_meta and old_meta[key] != new_meta[key]
    ]


def immutable(path: FieldPath, before: Any, after: Any) -> Violation:
    """RP205: the server refuses to change this field of an existing object.  The message
    shows the change as YAML, narrowed to the mapping that holds it:
    ``field is immutable, the update changes matchLabels: {app: web} -> {app: web2}``."""
    inside: list[str] = []
    while isinstance(before, dict) and isinstance(after, dict):
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if len(changed) != 1:
            break
        key = changed[0]
        if not (isinstance(before.get(key), dict) and isinstance(after.get(key), dict)):
            break
        inside.append(str(key))
        before, after = before[key], after[key]
    what = ".".join(inside) if inside else "it"
    change = f"{flow(before)} -> {flow(after)}"
    return Violation("RP205", f"field is immutable, the update changes {what}: {change}", path)
