"""The template's deprecated seccomp and AppArmor annotations: their syntax, and that they
agree with the securityContext fields when both are set (ValidateSeccompPodAnnotations,
ValidateAppArmorPodAnnotations and the annotation/field match checks)."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath, MapKey
from rolloutplan.validate.apiserver.access import dicts, mapping, text
from rolloutplan.validate.apiserver.fielderrors import forbidden, invalid, invalid_each
from rolloutplan.validate.apiserver.syntax import local_descending_path

RULE = "RP236"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
LOCALHOST = "localhost/"


def validate(annotations: dict[str, Any], spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    """``path`` is the template's annotations path; ``spec`` the pod spec beside it."""
    annotations = {key: str(value) for key, value in annotations.items()}
    names = {text(c, "name") for key in CONTAINER_LISTS for _, c in dicts(spec, key)}
    violations = []
    for key, value in annotations.items():
        if key == SECCOMP_POD or key.startswith(SECCOMP_CONTAINER):
            violations += _seccomp_syntax(value, (*path, key))
        if key.startswith(APPARMOR_CONTAINER):
            where = (*path, MapKey(key))
            container = key[len(APPARMOR_CONTAINER) :]
            if container not in names:
                violations.append(invalid(RULE, where, container, "container not found"))
            if value not in ("", "runtime/default", "unconfined") and not value.startswith(
                LOCALHOST
            ):
                detail = f'invalid AppArmor profile name: "{value}"'
                violations.append(invalid(RULE, where, value, detail))
    spec_path = (*path[:-1], "spec")
    return (
        violations
        + _seccomp_match(annotations, spec, spec_path)
        + _apparmor_match(annotations, spec, spec_path)
    )


def _seccomp_syntax(value: str, where: FieldPath) -> list[Violation]:
    if value in ("runtime/default", "docker/default", "unconfined"):
        return []
    if value.startswith(LOCALHOST):
        return invalid_each(RULE, where, value, local_descending_path(value[len(LOCALHOST) :]))
    return [invalid(RULE, where, value, "must be a valid seccomp profile")]


def _containers(
    spec: dict[str, Any], spec_path: FieldPath
) -> list[tuple[FieldPath, dict[str, Any]]]:
    return [((*spec_path, key, i), c) for key in CONTAINER_LISTS for i, c in dicts(spec, key)]


def _seccomp_match(
    annotations: dict[str, str], spec: dict[str, Any], spec_path: FieldPath
) -> list[Violation]:
    violations = []
    pod_profile = mapping(spec, "securityContext").get("seccompProfile")
    if isinstance(pod_profile, dict) and SECCOMP_POD in annotations:
        where = (*spec_path, "securityContext", "seccompProfile")
        violations += _seccomp_mismatch(annotations[SECCOMP_POD], pod_profile, where)
    for where, container in _containers(spec, spec_path):
        profile = mapping(container, "securityContext").get("seccompProfile")
        key = SECCOMP_CONTAINER + text(container, "name")
        if isinstance(profile, dict) and key in annotations:
            place = (*where, "securityContext", "seccompProfile")
            violations += _seccomp_mismatch(annotations[key], profile, place)
    return violations


def _seccomp_mismatch(
    annotation: str, profile: dict[str, Any], where: FieldPath
) -> list[Violation]:
    kind = text(profile, "type")
    type_matches = {
        "Unconfined": annotation == "unconfined",
        "RuntimeDefault": annotation in ("runtime/default", "docker/default"),
        "Localhost": annotation.startswith(LOCALHOST),
    }.get(kind, True)
    if not type_matches:
        return [
            forbidden(RULE, (*where, "type"), "seccomp type in annotation and field must match")
        ]
    if kind == "Localhost" and annotation[len(LOCALHOST) :] != profile.get("localhostProfile"):
        detail = "seccomp profile in annotation and field must match"
        return [forbidden(RULE, (*where, "localhostProfile"), detail)]
    return []


def _apparmor_match(
    annotations: dict[str, str], spec: dict[str, Any], spec_path: FieldPath
) -> list[Violation]:
    if text(mapping(spec, "os"), "name") == "windows":
        return []
    pod_profile = mapping(spec, "securityContext").get("appArmorProfile")
    violations = []
    for where, container in _containers(spec, spec_path):
        profile = mapping(container, "securityContext").get("appArmorProfile") or pod_profile
        annotation = annotations.get(APPARMOR_CONTAINER + text(container, "name"))
        if not isinstance(profile, dict) or annotation is None:
            continue
        place = (*where, "securityContext", "appArmorProfile")
        kind = text(profile, "type")
        if (
            (kind == "Unconfined" and annotation != "unconfined")
            or (kind == "RuntimeDefault" and annotation != "runtime/default")
            or (kind == "Localhost" and not annotation.startswith(LOCALHOST))
        ):
            detail = "apparmor type in annotation and field must match"
            violations.append(forbidden(RULE, (*place, "type"), detail))
        elif kind == "Localhost" and annotation[len(LOCALHOST) :] != profile.get(
            "localhostProfile"
        ):
            detail = "apparmor profile in annotation and field must match"
            violations.append(forbidden(RULE, (*place, "localhostProfile"), detail))
    return violations
