"""``spec.ports`` as ValidateService checks it: names, numbers, protocols, target ports, app
protocols, and the uniqueness of (protocol, port) and (protocol, nodePort) pairs."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver import service_common as c

PROTOCOLS = ("SCTP", "TCP", "UDP")


def validate_ports(spec: dict[str, Any]) -> list[Violation]:
    ports = c.ports_of(spec)
    violations: list[Violation] = []
    if not ports and not c.is_headless(spec) and c.service_type(spec) != c.EXTERNAL_NAME_TYPE:
        violations.append(c.required(c.PORTS_REQUIRED, c.PORTS))
    names: set[str] = set()
    for index, port in enumerate(ports):
        violations += _port(port, (*c.PORTS, index), len(ports) > 1, names)
    if c.service_type(spec) == c.CLUSTER_IP_TYPE:
        violations += [
            c.forbidden(
                c.NODE_PORT_NOT_ALLOWED,
                (*c.PORTS, index, "nodePort"),
                "may not be used when `type` is 'ClusterIP'",
            )
            for index, port in enumerate(ports)
            if c.node_port(port) != 0
        ]
    return violations + _duplicate_node_ports(ports) + _duplicate_ports(ports)


def _port(
    port: dict[str, Any], path: tuple[str | int, ...], name_required: bool, names: set[str]
) -> list[Violation]:
    violations = _name(str(port.get("name") or ""), (*path, "name"), name_required, names)
    number = port.get("port")
    if isinstance(number, int):
        violations += [
            c.invalid(c.PORT, (*path, "port"), number, problem)
            for problem in primitives.port_number(number)
        ]
    protocol = port.get("protocol")
    if protocol not in PROTOCOLS:
        violations.append(c.not_supported(c.PORT, (*path, "protocol"), protocol, PROTOCOLS))
    violations += _target_port(port.get("targetPort"), (*path, "targetPort"))
    app_protocol = port.get("appProtocol")
    if app_protocol is not None:
        violations += [
            c.invalid(c.APP_PROTOCOL, (*path, "appProtocol"), app_protocol, problem)
            for problem in primitives.qualified_name(str(app_protocol))
        ]
    return violations


def _name(
    name: str, path: tuple[str | int, ...], required: bool, names: set[str]
) -> list[Violation]:
    if not name:
        return [c.required(c.PORT_NAME_REQUIRED, path)] if required else []
    # a Service port name is a DNS label (it becomes part of SRV records), not an IANA name
    violations = [
        c.invalid(c.PORT_NAME, path, name, problem) for problem in primitives.dns1123_label(name)
    ]
    if name in names:
        violations.append(c.duplicate(c.PORT_NAME_DUPLICATE, path, name))
    names.add(name)
    return violations


def _target_port(value: Any, path: tuple[str | int, ...]) -> list[Violation]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        problems = primitives.port_number(value)
    else:
        problems = primitives.port_name(str(value))
    return [c.invalid(c.TARGET_PORT, path, value, problem) for problem in problems]


def _duplicate_node_ports(ports: list[dict[str, Any]]) -> list[Violation]:
    seen: set[tuple[Any, int]] = set()
    violations = []
    for index, port in enumerate(ports):
        number = c.node_port(port)
        if number == 0:
            continue
        key = (port.get("protocol"), number)
        if key in seen:
            path = (*c.PORTS, index, "nodePort")
            violations.append(c.duplicate(c.NODE_PORT_DUPLICATE, path, number))
        seen.add(key)
    return violations


def _duplicate_ports(ports: list[dict[str, Any]]) -> list[Violation]:
    seen: set[tuple[Any, Any]] = set()
    violations = []
    for index, port in enumerate(ports):
        key = (port.get("protocol"), port.get("port"))
        if key in seen:
            value = {"protocol": key[0], "port": key[1]}
            violations.append(c.duplicate(c.PORT_DUPLICATE, (*c.PORTS, index), value))
        seen.add(key)
    return violations
