"""Files inside volumes: modes, ConfigMap/Secret items, downward-API files and projected
volume sources."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import envvars
from rolloutplan.validate.apiserver.access import dicts, integer, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    required,
)
from rolloutplan.validate.apiserver.syntax import local_non_reserved_path

RULE = "RP229"
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
VOLUME_FIELDS = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)


def mode(value: Any, path: FieldPath) -> list[Violation]:
    if isinstance(value, int) and not 0 <= value <= 0o777:
        return [invalid(RULE, path, value, FILE_MODE)]
    return []


def key_to_path(item: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = [required(RULE, (*path, k)) for k in ("key", "path") if not text(item, k)]
    file_path = text(item, "path")
    violations += invalid_each(RULE, (*path, "path"), file_path, local_non_reserved_path(file_path))
    return violations + mode(item.get("mode"), (*path, "mode"))


def downward_file(item: dict[str, Any], path: FieldPath) -> list[Violation]:
    """validateDownwardAPIVolumeFile; the server reports it at the source, not the item."""
    file_path = text(item, "path")
    violations = [] if file_path else [required(RULE, (*path, "path"))]
    violations += invalid_each(RULE, (*path, "path"), file_path, local_non_reserved_path(file_path))
    field_ref, resource_ref = item.get("fieldRef"), item.get("resourceFieldRef")
    if isinstance(field_ref, dict):
        violations += envvars.field_selector(field_ref, VOLUME_FIELDS, (*path, "fieldRef"), RULE)
        if resource_ref is not None:
            detail = "fieldRef and resourceFieldRef can not be specified simultaneously"
            violations.append(invalid(RULE, path, "resource", detail))
    elif isinstance(resource_ref, dict):
        violations += envvars.resource_selector(
            resource_ref, (*path, "resourceFieldRef"), RULE, volume=True
        )
    else:
        violations.append(required(RULE, path, "one of fieldRef and resourceFieldRef is required"))
    return violations + mode(item.get("mode"), (*path, "mode"))


def projected(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    paths: set[str] = set()
    for i, item in dicts(source, "sources"):
        where = (*path, "sources", i)
        kinds = [k for k, v in item.items() if v is not None]
        if len(kinds) > 1:
            detail = "may not specify more than 1 volume type per source"
            violations.append(forbidden(RULE, where, detail))
        for key in ("secret", "configMap"):
            if isinstance(item.get(key), dict):
                violations += _projected_object(item[key], (*where, key), path, paths)
        for file in [f for _, f in dicts(mapping(item, "downwardAPI"), "items")]:
            violations += downward_file(file, (*where, "downwardAPI"))
            violations += _unique_path(text(file, "path"), path, paths)
        if isinstance(item.get("serviceAccountToken"), dict):
            violations += _token(item["serviceAccountToken"], (*where, "serviceAccountToken"), path)
    return violations


def _projected_object(
    source: dict[str, Any], where: FieldPath, path: FieldPath, paths: set[str]
) -> list[Violation]:
    violations = [] if text(source, "name") else [required(RULE, (*where, "name"))]
    for i, item in dicts(source, "items"):
        violations += key_to_path(item, (*where, "items", i))
        violations += _unique_path(text(item, "path"), path, paths)
    return violations


def _unique_path(file_path: str, path: FieldPath, paths: set[str]) -> list[Violation]:
    if not file_path:
        return []
    if file_path in paths:
        return [invalid(RULE, path, file_path, "conflicting duplicate paths")]
    paths.add(file_path)
    return []


def _token(token: dict[str, Any], where: FieldPath, path: FieldPath) -> list[Violation]:
    seconds = integer(token, "expirationSeconds")
    violations = []
    if seconds < 600:
        detail = "may not specify a duration less than 10 minutes"
        violations.append(invalid(RULE, (*where, "expirationSeconds"), seconds, detail))
    if seconds > 1 << 32:
        detail = "may not specify a duration larger than 2^32 seconds"
        violations.append(invalid(RULE, (*where, "expirationSeconds"), seconds, detail))
    token_path = text(token, "path")
    if not token_path:
        violations.append(required(RULE, (*path, "path")))
    else:
        violations += invalid_each(
            RULE, (*path, "path"), token_path, local_non_reserved_path(token_path)
        )
    return violations
