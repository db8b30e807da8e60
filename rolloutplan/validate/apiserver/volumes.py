"""Pod volumes (ValidateVolumes, validateVolumeSource): names, exactly one source each, and
the source's own fields."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath, MapKey
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver import volume_files as files
from rolloutplan.validate.apiserver.access import dicts, integer, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import (
    local_descending_path,
    no_backsteps,
    quantity,
)

RULE = "RP229"
# validateVolumeSource's order; the source after the first is reported at its own key, except
# that the server spells two of them differently there.
SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
)  # fmt: skip
SOURCE_SET = frozenset(SOURCES)
FORBIDDEN_KEY = {"cephfs": "cephFS", "downwardAPI": "downwarAPI"}
CHECKED_KEY = {"gcePersistentDisk": "persistentDisk"}
REQUIRED_TEXT = {
    "gitRepo": ("repository",), "gcePersistentDisk": ("pdName",),
    "awsElasticBlockStore": ("volumeID",), "secret": ("secretName",), "nfs": ("server", "path"),
    "iscsi": ("targetPortal", "iqn"), "glusterfs": ("endpoints", "path"),
    "persistentVolumeClaim": ("claimName",), "rbd": ("image",), "cinder": ("volumeID",),
    "quobyte": ("volume",), "flexVolume": ("driver",), "configMap": ("name",),
    "azureFile": ("secretName", "shareName"), "vsphereVolume": ("volumePath",),
    "photonPersistentDisk": ("pdID",), "portworxVolume": ("volumeID",),
    "azureDisk": ("diskName", "diskURI"), "storageos": ("volumeName",),
    "scaleIO": ("gateway", "system", "volumeName"), "csi": ("driver",),
}  # fmt: skip
REQUIRED_LIST = {"rbd": "monitors", "cephfs": "monitors"}
HOST_PATH_TYPES = (
    "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
    "Socket",
)  # fmt: skip
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")


def validate(
    spec: dict[str, Any], path: FieldPath
) -> tuple[dict[str, dict[str, Any]], list[Violation]]:
    """The volumes mounts may refer to (those without errors, as the server keeps them) and
    the volumes' violations."""
    usable: dict[str, dict[str, Any]] = {}
    violations = []
    for i, volume in dicts(spec, "volumes"):
        where = (*path, "volumes", i)
        name = text(volume, "name")
        found = _source(volume, where)
        if not name:
            found.append(required(RULE, (*where, "name")))
        else:
            found += invalid_each(RULE, (*where, "name"), name, primitives.dns1123_label(name))
        if name in usable:
            found.append(duplicate(RULE, (*where, "name"), name))
        if found:
            violations += found
        else:
            usable[name] = volume
    return usable, violations


def _source(volume: dict[str, Any], path: FieldPath) -> list[Violation]:
    present = [key for key, value in volume.items() if key in SOURCE_SET and value is not None]
    if len(present) == 1:  # the usual case: the loop below would choose just this one
        key = present[0]
        source = volume[key] if isinstance(volume[key], dict) else {}
        return _source_fields(key, source, (*path, CHECKED_KEY.get(key, key)))
    violations = []
    chosen = ""
    for key in SOURCES:
        if volume.get(key) is None:
            continue
        if chosen:
            where = (*path, FORBIDDEN_KEY.get(key, key))
            violations.append(forbidden(RULE, where, "may not specify more than 1 volume type"))
            continue
        chosen = key
        source = volume[key] if isinstance(volume[key], dict) else {}
        violations += _source_fields(key, source, (*path, CHECKED_KEY.get(key, key)))
    if not chosen:
        violations.append(required(RULE, path, "must specify a volume type"))
    return violations


def _source_fields(key: str, source: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = [
        required(RULE, (*path, f)) for f in REQUIRED_TEXT.get(key, ()) if not text(source, f)
    ]
    if key in REQUIRED_LIST and not listing(source, REQUIRED_LIST[key]):
        violations.append(required(RULE, (*path, REQUIRED_LIST[key])))
    violations += files.mode(source.get("defaultMode"), (*path, "defaultMode"))
    for i, item in dicts(source, "items"):
        if key in ("secret", "configMap"):
            violations += files.key_to_path(item, (*path, "items", i))
        elif key == "downwardAPI":
            violations += files.downward_file(item, path)
    checks = {
        "emptyDir": _empty_dir, "hostPath": _host_path, "gitRepo": _git_repo, "nfs": _nfs,
        "gcePersistentDisk": _partition, "awsElasticBlockStore": _partition,
        "projected": files.projected, "ephemeral": _ephemeral,
    }  # fmt: skip
    if key in checks:
        violations += checks[key](source, path)
    return violations


def _empty_dir(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    size = source.get("sizeLimit")
    value = quantity(size) if size is not None else None
    if value is not None and value < 0:
        detail = "SizeLimit field must be a valid resource quantity"
        return [forbidden(RULE, (*path, "sizeLimit"), detail)]
    return []


def _host_path(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    host = text(source, "path")
    if not host:
        return [required(RULE, (*path, "path"))]
    violations = invalid_each(RULE, (*path, "path"), host, no_backsteps(host))
    kind = source.get("type")
    if isinstance(kind, str) and kind not in HOST_PATH_TYPES:
        violations.append(not_supported(RULE, (*path, "type"), kind, HOST_PATH_TYPES))
    return violations


def _git_repo(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    directory = text(source, "directory")
    return invalid_each(RULE, (*path, "directory"), directory, local_descending_path(directory))


def _nfs(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    if text(source, "path").startswith("/"):
        return []
    return [invalid(RULE, (*path, "path"), text(source, "path"), "must be an absolute path")]


def _partition(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    partition = integer(source, "partition")
    if 0 <= partition <= 255:
        return []
    return [invalid(RULE, (*path, "partition"), partition, "must be between 1 and 255, inclusive")]


def _ephemeral(source: dict[str, Any], path: FieldPath) -> list[Violation]:
    """The claim template's spec, as ValidatePersistentVolumeClaimSpec checks it."""
    template = source.get("volumeClaimTemplate")
    if not isinstance(template, dict):
        return [required(RULE, (*path, "volumeClaimTemplate"))]
    spec_path = (*path, "volumeClaimTemplate", "spec")
    spec = mapping(template, "spec")
    modes = [m for m in listing(spec, "accessModes") if isinstance(m, str)]
    violations = []
    if not modes:
        detail = "at least 1 access mode is required"
        violations.append(required(RULE, (*spec_path, "accessModes"), detail))
    for mode in modes:
        if mode not in ACCESS_MODES:
            violations.append(not_supported(RULE, (*spec_path, "accessModes"), mode, ACCESS_MODES))
    storage = mapping(mapping(spec, "resources"), "requests").get("storage")
    where = (*spec_path, "resources", MapKey("storage"))
    value = quantity(storage) if storage is not None else None
    if storage is None:
        violations.append(required(RULE, where))
    elif value is None or value <= 0:
        violations.append(invalid(RULE, where, storage, "must be greater than zero"))
    return violations
