"""The Service REST storage's allocation step, which runs before validation and can refuse an
object too (pkg/registry/core/service/storage/alloc.go).

Offline we can check what depends only on the object and the node-port range: a requested node
port or health-check port outside the range, one port requested twice in one object, and an
``ipFamilyPolicy`` (given, or defaulted here) that cannot hold two IPs or families.  Whether a
port or IP is already taken by another Service, or the cluster serves a family, needs the
cluster and is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import service_common as c
from rolloutplan.validate.apiserver import service_net

DEFAULT_NODE_PORT_RANGE = (30000, 32767)
_AUTO = -1  # a port the allocator picks itself: never equal to a requested one


@dataclass
class _Operation:
    """One allocation transaction: ports taken so far, in a range.  The server stops at the
    first refusal; every refusal is reported here, so that one run shows them all."""

    low: int
    high: int
    taken: set[int] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)

    def allocate(self, port: int, path: FieldPath) -> None:
        if not self.low <= port <= self.high:
            detail = (
                "provided port is not in the valid range. "
                f"The range of valid ports is {self.low}-{self.high}"
            )
            self.violations.append(c.invalid(c.NODE_PORT_RANGE, path, port, detail))
        elif port in self.taken:
            detail = "provided port is already allocated"
            self.violations.append(c.invalid(c.NODE_PORT_DUPLICATE, path, port, detail))
        else:
            self.taken.add(port)


def _allocates_node_ports(spec: dict[str, Any]) -> bool:
    kind = c.service_type(spec)
    return kind == c.NODE_PORT_TYPE or (
        kind == c.LOAD_BALANCER and spec.get("allocateLoadBalancerNodePorts") is not False
    )


def node_ports_on_create(spec: dict[str, Any], port_range: tuple[int, int]) -> list[Violation]:
    """Ports sharing a port number share the node port; any other repeat is a second request
    for a port this same operation already holds."""
    operation = _Operation(*port_range)
    if c.needs_node_ports(spec):
        ports = c.ports_of(spec)
        by_number: dict[Any, int] = {}
        for index, port in enumerate(ports):
            requested = c.node_port(port)
            if requested == 0 and not _allocates_node_ports(spec):
                continue
            path = (*c.PORTS, index, "nodePort")
            assigned = by_number.get(port.get("port"), 0)
            if assigned == 0:
                shared = _requested_for(port.get("port"), ports)
                if shared:
                    operation.allocate(shared, path)
                by_number[port.get("port")] = shared or _AUTO
            elif requested not in (0, assigned):
                operation.allocate(requested, path)
    _health_check_port(spec, operation)
    return operation.violations


def _requested_for(number: Any, ports: list[dict[str, Any]]) -> int:
    return next((c.node_port(p) for p in ports if p.get("port") == number and c.node_port(p)), 0)


def node_ports_on_update(
    old: dict[str, Any], new: dict[str, Any], port_range: tuple[int, int]
) -> list[Violation]:
    """Only node ports the old object did not hold are allocated again (``old``/``new`` are
    the specs)."""
    operation = _Operation(*port_range)
    held = {c.node_port(port) for port in c.ports_of(old)}
    if c.needs_node_ports(new):
        for index, port in enumerate(c.ports_of(new)):
            requested = c.node_port(port)
            if requested and requested not in held and requested not in operation.taken:
                operation.allocate(requested, (*c.PORTS, index, "nodePort"))
    if not c.needs_health_check(old):
        operation.taken |= {c.node_port(port) for port in c.ports_of(new)} - {0}
        _health_check_port(new, operation)
    return operation.violations


def _health_check_port(spec: dict[str, Any], operation: _Operation) -> None:
    port = spec.get("healthCheckNodePort") or 0
    # out of 1-65535 is validation's to report (invalid-health-check-node-port)
    if c.needs_health_check(spec) and 1 <= port <= 65535:
        path = ("spec", "healthCheckNodePort")
        operation.allocate(port, path)


def default_ip_family_policy(spec: dict[str, Any], old: dict[str, Any] | None) -> None:
    """An unset ipFamilyPolicy: the old object's on update, else SingleStack (RequireDualStack
    for a headless Service without selector, whose endpoints may be of both families)."""
    if spec.get("ipFamilyPolicy") is not None:
        return
    if old is not None and old.get("ipFamilyPolicy") is not None:
        spec["ipFamilyPolicy"] = old["ipFamilyPolicy"]
    elif spec.get("clusterIP") == c.NONE and not spec.get("selector"):
        spec["ipFamilyPolicy"] = "RequireDualStack"
    else:
        spec["ipFamilyPolicy"] = "SingleStack"


def single_stack_update(spec: dict[str, Any], old: dict[str, Any]) -> None:
    """Setting SingleStack on an unchanged dual-stack Service releases the secondary values."""
    if spec.get("ipFamilyPolicy") != "SingleStack":
        return
    if c.cluster_ips(spec) == c.cluster_ips(old) and len(c.cluster_ips(spec)) > 1:
        spec["clusterIPs"] = c.cluster_ips(spec)[:1]
    if c.ip_families(spec) == c.ip_families(old) and len(c.ip_families(spec)) > 1:
        spec["ipFamilies"] = c.ip_families(spec)[:1]


def single_stack_conflicts(spec: dict[str, Any]) -> list[Violation]:
    if spec.get("ipFamilyPolicy") != "SingleStack":
        return []
    violations = []
    for values, what in (
        (c.cluster_ips(spec), "cluster IPs"),
        (c.ip_families(spec), "IP families"),
    ):
        if len(values) == 2:
            detail = (
                f"must be 'RequireDualStack' or 'PreferDualStack' when multiple {what} are "
                "specified"
            )
            violations.append(c.invalid(c.IP_FAMILIES, c.IP_FAMILY_POLICY, "SingleStack", detail))
    return violations


def infer_ip_families(spec: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Families the allocator adds for the given cluster IPs; with neither, the cluster's
    default, taken here to be the old object's."""
    families = c.ip_families(spec)
    for index, ip in enumerate(c.cluster_ips(spec)):
        if ip == c.NONE:
            break
        if index >= len(families):
            families.append(service_net.family(ip))
    if not families and old is not None:
        families = c.ip_families(old)
    if families:
        spec["ipFamilies"] = families
