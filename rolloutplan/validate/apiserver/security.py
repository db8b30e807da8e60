"""Security settings: pod and container security contexts, the OS field, host namespaces with
user namespaces, and the seccomp/AppArmor annotations of the template."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver.access import dicts, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import local_descending_path, sysctl_name, unix_id

RULE = "RP236"
SECCOMP_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
APPARMOR_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
PROC_MOUNTS = ("Default", "Unmasked")
SYSCTL_REGEX = r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"
IPC_SYSCTLS = ("kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue.")
WINDOWS_ONLY_POD = ("seLinuxOptions", "seccompProfile", "fsGroup", "fsGroupChangePolicy", "sysctls",
                    "runAsUser", "runAsGroup", "supplementalGroups", "supplementalGroupsPolicy",
                    "seLinuxChangePolicy", "appArmorProfile")  # fmt: skip
WINDOWS_ONLY_CONTAINER = ("appArmorProfile", "seLinuxOptions", "seccompProfile", "capabilities",
                          "readOnlyRootFilesystem", "privileged", "allowPrivilegeEscalation",
                          "procMount", "runAsUser", "runAsGroup")  # fmt: skip


def host_users(spec: dict[str, Any]) -> bool:
    return spec.get("hostUsers") is not False


def validate_pod(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    context = mapping(spec, "securityContext")
    where = (*path, "securityContext")
    violations = _ids(context, where)
    for i, gid in enumerate(listing(context, "supplementalGroups")):
        if isinstance(gid, int):
            violations += invalid_each(RULE, (*where, "supplementalGroups", i), gid, unix_id(gid))
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        detail = "ShareProcessNamespace and HostPID cannot both be enabled"
        violations.append(invalid(RULE, (*where, "shareProcessNamespace"), True, detail))
    violations += _sysctls(context, spec, (*where, "sysctls"))
    violations += _enum(context, "fsGroupChangePolicy", where, ("Always", "OnRootMismatch"))
    violations += _enum(context, "supplementalGroupsPolicy", where, ("Merge", "Strict"))
    violations += _enum(context, "seLinuxChangePolicy", where, ("MountOption", "Recursive"))
    violations += _seccomp(context.get("seccompProfile"), (*where, "seccompProfile"))
    violations += _apparmor(context.get("appArmorProfile"), (*where, "appArmorProfile"))
    if not host_users(spec):
        for key, shown in (
            ("hostNetwork", "hostNetwork"),
            ("hostPID", "HostPID"),
            ("hostIPC", "HostIPC"),
        ):
            if spec.get(key) is True:
                violations.append(
                    forbidden(RULE, (*path, shown), "when `pod.Spec.HostUsers` is false")
                )
    return violations + _os(spec, path)


def _ids(context: dict[str, Any], where: FieldPath) -> list[Violation]:
    violations = []
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        value = context.get(key)
        if isinstance(value, int):
            violations += invalid_each(RULE, (*where, key), value, unix_id(value))
    return violations


def _enum(
    context: dict[str, Any], key: str, where: FieldPath, supported: tuple[str, ...]
) -> list[Violation]:
    value = context.get(key)
    if isinstance(value, str) and value not in supported:
        return [not_supported(RULE, (*where, key), value, supported)]
    return []


def _sysctls(context: dict[str, Any], spec: dict[str, Any], where: FieldPath) -> list[Violation]:
    violations = []
    names: set[str] = set()
    for i, sysctl in dicts(context, "sysctls"):
        name = text(sysctl, "name")
        if not name:
            violations.append(required(RULE, (*where, i, "name")))
        elif not sysctl_name(name):
            detail = f"must have at most 253 characters and match regex {SYSCTL_REGEX}"
            violations.append(invalid(RULE, (*where, i, "name"), name, detail))
        elif name in names:
            violations.append(duplicate(RULE, (*where, i, "name"), name))
        if spec.get("hostNetwork") is True and name.startswith("net."):
            detail = "may not be specified when 'hostNetwork' is true"
            violations.append(invalid(RULE, (*where, i, "name"), name, detail))
        elif spec.get("hostIPC") is True and name.startswith(IPC_SYSCTLS):
            violations.append(
                invalid(
                    RULE, (*where, i, "name"), name, "may not be specified when 'hostIPC' is true"
                )
            )
        names.add(name)
    return violations


def _seccomp(profile: Any, where: FieldPath) -> list[Violation]:
    if not isinstance(profile, dict):
        return []
    kind, local = text(profile, "type"), profile.get("localhostProfile")
    violations = []
    if not kind:
        violations.append(
            required(RULE, (*where, "type"), "type is required when seccompProfile is set")
        )
    elif kind not in SECCOMP_TYPES:
        violations.append(not_supported(RULE, (*where, "type"), kind, SECCOMP_TYPES))
    if kind == "Localhost":
        if local is None:
            detail = "must be set when seccomp type is Localhost"
            violations.append(required(RULE, (*where, "localhostProfile"), detail))
        else:
            violations += invalid_each(
                RULE, (*where, "localhostProfile"), local, local_descending_path(str(local))
            )
    elif local is not None:
        detail = "can only be set when seccomp type is Localhost"
        violations.append(invalid(RULE, (*where, "localhostProfile"), local, detail))
    return violations


def _apparmor(profile: Any, where: FieldPath) -> list[Violation]:
    if not isinstance(profile, dict):
        return []
    kind, local = text(profile, "type"), profile.get("localhostProfile")
    if kind == "Localhost":
        if not isinstance(local, str) or not local.strip():
            detail = "must be set when AppArmor type is Localhost"
            return [required(RULE, (*where, "localhostProfile"), detail)]
        if local != local.strip():
            detail = "must not be padded with whitespace"
            return [invalid(RULE, (*where, "localhostProfile"), local, detail)]
        return []
    if kind in ("RuntimeDefault", "Unconfined"):
        if local is not None:
            detail = "can only be set when AppArmor type is Localhost"
            return [invalid(RULE, (*where, "localhostProfile"), local, detail)]
        return []
    if not kind:
        return [required(RULE, (*where, "type"), "type is required when appArmorProfile is set")]
    return [not_supported(RULE, (*where, "type"), kind, APPARMOR_TYPES)]


def validate_container(
    container: dict[str, Any], path: FieldPath, *, host_users: bool
) -> list[Violation]:
    context = container.get("securityContext")
    if not isinstance(context, dict):
        return []
    where = (*path, "securityContext")
    violations = _ids({k: v for k, v in context.items() if k != "fsGroup"}, where)
    proc_mount = context.get("procMount")
    if isinstance(proc_mount, str):
        if proc_mount not in PROC_MOUNTS:
            violations.append(not_supported(RULE, (*where, "procMount"), proc_mount, PROC_MOUNTS))
        if host_users and proc_mount == "Unmasked":
            detail = "`hostUsers` must be false to use `Unmasked`"
            violations.append(invalid(RULE, (*where, "procMount"), proc_mount, detail))
    violations += _seccomp(context.get("seccompProfile"), (*where, "seccompProfile"))
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            detail = "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
            violations.append(invalid(RULE, where, "", detail))
        if "CAP_SYS_ADMIN" in listing(mapping(context, "capabilities"), "add"):
            detail = (
                "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` "
                "CAP_SYS_ADMIN"
            )
            violations.append(invalid(RULE, where, "", detail))
    return violations + _apparmor(context.get("appArmorProfile"), (*where, "appArmorProfile"))


def _os(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    """With ``os.name`` set, the other OS's settings are forbidden."""
    os_field = spec.get("os")
    if not isinstance(os_field, dict):
        return []
    name = text(os_field, "name")
    if not name:
        return [required(RULE, (*path, "os", "name"), "cannot be empty")]
    if name not in ("linux", "windows"):
        return [not_supported(RULE, (*path, "os"), name, ("linux", "windows"))]
    pod_context = mapping(spec, "securityContext")
    containers = [
        ((*path, key, i), c)
        for key in ("initContainers", "containers")
        for i, c in dicts(spec, key)
    ]
    if name == "linux":
        message = "windows options cannot be set for a linux pod"
        found = (
            [(*path, "securityContext")] if pod_context.get("windowsOptions") is not None else []
        )
        found += [(*w, "securityContext") for w, c in containers
                  if mapping(c, "securityContext").get("windowsOptions") is not None]  # fmt: skip
        return [forbidden(RULE, (*where, "windowsOptions"), message) for where in found]
    message = "cannot be set for a windows pod"
    violations = [forbidden(RULE, (*path, "securityContext", k), message)
                  for k in WINDOWS_ONLY_POD if pod_context.get(k) is not None]  # fmt: skip
    for key in ("hostUsers", "hostPID", "hostIPC", "shareProcessNamespace"):
        flag = spec.get(key) is True if key in ("hostPID", "hostIPC") else spec.get(key) is not None
        if flag:
            violations.append(forbidden(RULE, (*path, key), message))
    for where, container in containers:
        context = mapping(container, "securityContext")
        violations += [forbidden(RULE, (*where, "securityContext", k), message)
                       for k in WINDOWS_ONLY_CONTAINER if context.get(k) is not None]  # fmt: skip
    return violations
