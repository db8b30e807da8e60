"""A container's volume mounts and block devices (ValidateVolumeMounts, ValidateVolumeDevices).

Several of the server's paths for mount problems leave out the mount's index
(``volumeMounts.subPath``); they are kept as the server reports them.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver.access import dicts, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    not_found,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import local_descending_path, no_backsteps

UNKNOWN = "RP227"
RULE = "RP228"
PROPAGATION = ("Bidirectional", "HostToContainer", "None")
RECURSIVE_READ_ONLY = ("Disabled", "Enabled", "IfPossible")

Volumes = dict[str, dict[str, Any]]


def validate(container: dict[str, Any], path: FieldPath, volumes: Volumes) -> list[Violation]:
    mounts = {text(m, "name"): text(m, "mountPath") for _, m in dicts(container, "volumeMounts")}
    devices = {text(d, "name"): text(d, "devicePath") for _, d in dicts(container, "volumeDevices")}
    violations = []
    seen: set[str] = set()
    for i, mount in dicts(container, "volumeMounts"):
        violations += _mount(mount, path, i, volumes, devices, seen)
        violations += _propagation(mount, container, (*path, "volumeMounts"))
    return violations + _devices(container, path, volumes, mounts)


def _mount(
    mount: dict[str, Any],
    path: FieldPath,
    i: int,
    volumes: Volumes,
    devices: dict[str, str],
    seen: set[str],
) -> list[Violation]:
    base = (*path, "volumeMounts")
    where = (*base, i)
    name, mount_path = text(mount, "name"), text(mount, "mountPath")
    violations = [] if name else [required(RULE, (*where, "name"))]
    if name not in volumes:
        violations.append(not_found(UNKNOWN, (*where, "name"), name))
    if not mount_path:
        violations.append(required(RULE, (*where, "mountPath")))
    if mount_path in seen:
        violations.append(invalid(RULE, (*where, "mountPath"), mount_path, "must be unique"))
    seen.add(mount_path)
    if name in devices:
        detail = "must not already exist in volumeDevices"
        violations.append(invalid(RULE, (*where, "name"), name, detail))
    if mount_path in devices.values():
        detail = "must not already exist as a path in volumeDevices"
        violations.append(invalid(RULE, (*where, "mountPath"), mount_path, detail))
    sub_path, sub_expr = text(mount, "subPath"), text(mount, "subPathExpr")
    if name in volumes and volumes[name].get("image") is not None:
        for key, value in (("subPath", sub_path), ("subPathExpr", sub_expr)):
            if value:
                violations.append(
                    invalid(RULE, (*where, key), value, "not allowed in image volume sources")
                )
    if sub_path:
        violations += invalid_each(
            RULE, (*base, "subPath"), sub_path, local_descending_path(sub_path)
        )
    if sub_expr:
        if sub_path:
            detail = "subPathExpr and subPath are mutually exclusive"
            violations.append(invalid(RULE, (*where, "subPathExpr"), sub_expr, detail))
        problems = local_descending_path(sub_expr)
        violations += invalid_each(RULE, (*base, "subPathExpr"), sub_expr, problems)
    return violations


def _propagation(
    mount: dict[str, Any], container: dict[str, Any], base: FieldPath
) -> list[Violation]:
    violations = []
    propagation = mount.get("mountPropagation")
    if isinstance(propagation, str):
        if propagation not in PROPAGATION:
            violations.append(
                not_supported(RULE, (*base, "mountPropagation"), propagation, PROPAGATION)
            )
        privileged = mapping(container, "securityContext").get("privileged") is True
        if propagation == "Bidirectional" and not privileged:
            detail = "Bidirectional mount propagation is available only to privileged containers"
            violations.append(forbidden(RULE, (*base, "mountPropagation"), detail))
    recursive = mount.get("recursiveReadOnly")
    where = (*base, "recursiveReadOnly")
    if recursive in ("Enabled", "IfPossible"):
        if mount.get("readOnly") is not True:
            violations.append(forbidden(RULE, where, "may only be specified when readOnly is true"))
        if propagation not in (None, "None"):
            detail = "may only be specified when mountPropagation is None or not specified"
            violations.append(forbidden(RULE, where, detail))
    elif isinstance(recursive, str) and recursive != "Disabled":
        violations.append(not_supported(RULE, where, recursive, RECURSIVE_READ_ONLY))
    return violations


def _devices(
    container: dict[str, Any], path: FieldPath, volumes: Volumes, mounts: dict[str, str]
) -> list[Violation]:
    violations = []
    names: set[str] = set()
    paths: set[str] = set()
    for i, device in dicts(container, "volumeDevices"):
        where = (*path, "volumeDevices", i)
        name, device_path = text(device, "name"), text(device, "devicePath")
        volume = volumes.get(name)
        if not name:
            violations.append(required(RULE, (*where, "name")))
        if name in names:
            violations.append(invalid(RULE, (*where, "name"), name, "must be unique"))
        if (
            volume is not None
            and volume.get("persistentVolumeClaim") is None
            and volume.get("ephemeral") is None
        ):
            detail = (
                "can only use volume source type of PersistentVolumeClaim or Ephemeral for "
                "block mode"
            )
            violations.append(invalid(RULE, (*where, "name"), name, detail))
        if volume is None:
            violations.append(not_found(UNKNOWN, (*where, "name"), name))
        if not device_path:
            violations.append(required(RULE, (*where, "devicePath")))
        if device_path in paths:
            violations.append(invalid(RULE, (*where, "devicePath"), device_path, "must be unique"))
        if device_path and no_backsteps(device_path):
            detail = "can not contain backsteps ('..')"
            violations.append(invalid(RULE, (*where, "devicePath"), device_path, detail))
        else:
            paths.add(device_path)
        if name in mounts:
            violations.append(
                invalid(RULE, (*where, "name"), name, "must not already exist in volumeMounts")
            )
        if device_path in mounts.values():
            detail = "must not already exist as a path in volumeMounts"
            violations.append(invalid(RULE, (*where, "devicePath"), device_path, detail))
        if name:
            names.add(name)
    return violations
