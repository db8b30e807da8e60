"""Regular and init containers (validateContainers, validateInitContainers,
validateContainerCommon, validateContainerPorts, host port conflicts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import envvars, mounts, primitives, probes, resources, security
from rolloutplan.validate.apiserver.access import dicts, integer, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)

NO_CONTAINERS = "RP216"
NAME = "RP217"
IMAGE = "RP218"
PORT = "RP219"
PORT_NAME = "RP220"
HOST_PORT = "RP221"
RESTART_POLICY = "RP230"
INIT_HOOKS = "RP231"
POLICY = "RP232"
PROTOCOLS = ("SCTP", "TCP", "UDP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
INIT_FORBIDDEN = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True, slots=True)
class Context:
    """What every container's checks need from the pod."""

    volumes: dict[str, dict[str, Any]]
    grace: int
    relaxed_env_names: bool
    sleep_zero: bool
    host_users: bool
    claims: frozenset[str] = frozenset()  # the pod's resourceClaims names


def validate(spec: dict[str, Any], path: FieldPath, context: Context) -> list[Violation]:
    regular = dicts(spec, "containers")
    violations = [] if regular else [required(NO_CONTAINERS, (*path, "containers"))]
    names: set[str] = set()
    for i, container in regular:
        where = (*path, "containers", i)
        violations += _common(container, where, context)
        name = text(container, "name")
        if name in names:
            violations.append(duplicate(NAME, (*where, "name"), name))
        names.add(name)
        violations += probes.validate(
            container, where, context.grace, sleep_zero=context.sleep_zero
        )
        if container.get("restartPolicy") is not None:
            detail = "may not be set for non-init containers"
            violations.append(forbidden(RESTART_POLICY, (*where, "restartPolicy"), detail))
    violations += _host_port_conflicts(regular, (*path, "containers"))
    if spec.get("hostNetwork") is True:
        violations += _host_network_ports(regular, (*path, "containers"))
    return violations + _init_containers(spec, path, context, names)


def _init_containers(
    spec: dict[str, Any], path: FieldPath, context: Context, names: set[str]
) -> list[Violation]:
    violations = []
    for i, container in dicts(spec, "initContainers"):
        where = (*path, "initContainers", i)
        violations += _common(container, where, context)
        restart = container.get("restartPolicy")
        if restart is not None and restart != "Always":
            violations.append(
                not_supported(RESTART_POLICY, (*where, "restartPolicy"), restart, ("Always",))
            )
        name = text(container, "name")
        if name in names:
            violations.append(duplicate(NAME, (*where, "name"), name))
        elif name:
            names.add(name)
        # init containers run one at a time: only ports within one container can collide.  The
        # server checks each alone and so names it initContainers[0] whatever its index; the
        # real index is kept, so that the finding lands on the right container.
        violations += _host_port_conflicts([(i, container)], (*path, "initContainers"))
        if restart == "Always":
            violations += probes.validate(
                container, where, context.grace, sleep_zero=context.sleep_zero
            )
            continue
        for key in INIT_FORBIDDEN:
            if container.get(key) is not None:
                detail = "may not be set for init containers without restartPolicy=Always"
                violations.append(forbidden(INIT_HOOKS, (*where, key), detail))
    return violations


def _common(container: dict[str, Any], path: FieldPath, context: Context) -> list[Violation]:
    name = text(container, "name")
    if not name:
        violations = [required(NAME, (*path, "name"))]
    else:
        violations = invalid_each(NAME, (*path, "name"), name, primitives.dns1123_label(name))
    if not text(container, "image"):
        violations.append(required(IMAGE, (*path, "image")))
    violations += _enum(container, "terminationMessagePolicy", path, MESSAGE_POLICIES)
    violations += _ports(container, path)
    violations += envvars.validate(container, path, relaxed=context.relaxed_env_names)
    violations += mounts.validate(container, path, context.volumes)
    violations += _enum(container, "imagePullPolicy", path, PULL_POLICIES)
    violations += resources.validate(
        mapping(container, "resources"), (*path, "resources"), context.claims
    )
    violations += resources.validate_resize_policy(container, (*path, "resizePolicy"))
    violations += security.validate_container(container, path, host_users=context.host_users)
    return violations


def _enum(
    container: dict[str, Any], key: str, path: FieldPath, supported: tuple[str, ...]
) -> list[Violation]:
    value = text(container, key)
    if value in supported:
        return []
    if not value:
        return [required(POLICY, (*path, key))]
    return [not_supported(POLICY, (*path, key), value, supported)]


def _ports(container: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    names: set[str] = set()
    for i, port in dicts(container, "ports"):
        where = (*path, "ports", i)
        name = text(port, "name")
        if name:
            problems = primitives.port_name(name)
            if problems:
                violations += invalid_each(PORT_NAME, (*where, "name"), name, problems)
            elif name in names:
                violations.append(duplicate(PORT_NAME, (*where, "name"), name))
            names.add(name)
        container_port = integer(port, "containerPort")
        if container_port == 0:
            violations.append(required(PORT, (*where, "containerPort")))
        else:
            problems = primitives.port_number(container_port)
            violations += invalid_each(PORT, (*where, "containerPort"), container_port, problems)
        host_port = integer(port, "hostPort")
        if host_port != 0:
            violations += invalid_each(
                PORT, (*where, "hostPort"), host_port, primitives.port_number(host_port)
            )
        protocol = text(port, "protocol")
        if not protocol:
            violations.append(required(PORT, (*where, "protocol")))
        elif protocol not in PROTOCOLS:
            violations.append(not_supported(PORT, (*where, "protocol"), protocol, PROTOCOLS))
    return violations


def _host_port_conflicts(
    containers: list[tuple[int, dict[str, Any]]], path: FieldPath
) -> list[Violation]:
    """The same protocol, host IP and host port twice (AccumulateUniqueHostPorts)."""
    violations = []
    seen: set[str] = set()
    for i, container in containers:
        for j, port in dicts(container, "ports"):
            host_port = integer(port, "hostPort")
            if host_port == 0:
                continue
            key = f"{text(port, 'protocol')}/{text(port, 'hostIP')}/{host_port}"
            if key in seen:
                violations.append(duplicate(HOST_PORT, (*path, i, "ports", j, "hostPort"), key))
            seen.add(key)
    return violations


def _host_network_ports(
    containers: list[tuple[int, dict[str, Any]]], path: FieldPath
) -> list[Violation]:
    """With hostNetwork a template may leave hostPort 0, but any other value must equal the
    containerPort."""
    violations = []
    for i, container in containers:
        for j, port in dicts(container, "ports"):
            host_port = integer(port, "hostPort")
            if host_port not in (0, integer(port, "containerPort")):
                detail = "must match `containerPort` when `hostNetwork` is true"
                violations.append(
                    invalid(PORT, (*path, i, "ports", j, "hostPort"), host_port, detail)
                )
    return violations
