"""What the server does to an updated Service before validating it: the REST storage restores
values it allocated that the new object leaves out (``patchAllocatedValues``), and the registry
strategy clears the fields a type change makes meaningless (``dropTypeDependentFields``).

Both work in place on defaulted copies.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.validate.apiserver.service_common import (
    EXTERNAL_NAME_TYPE,
    LOAD_BALANCER,
    NODE_PORT_TYPE,
    needs_health_check,
    needs_node_ports,
    node_port,
    ports_of,
    service_type,
    spec_of,
)


def needs_cluster_ip(spec: dict[str, Any]) -> bool:
    return service_type(spec) != EXTERNAL_NAME_TYPE


def patch_allocated_values(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Resubmitting a manifest that never named its cluster IP, node ports or health-check
    port keeps the ones the server allocated, instead of failing as a change."""
    new_spec, old_spec = spec_of(new), spec_of(old)
    if needs_cluster_ip(old_spec) and needs_cluster_ip(new_spec):
        if not new_spec.get("clusterIP"):
            new_spec["clusterIP"] = old_spec.get("clusterIP") or ""
        if not new_spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            new_spec["clusterIPs"] = list(old_spec["clusterIPs"])
    if needs_node_ports(old_spec) and needs_node_ports(new_spec):
        used = _node_ports(old_spec) & _node_ports(new_spec)
        by_name = {port.get("name") or "": node_port(port) for port in ports_of(old_spec)}
        for port in ports_of(new_spec):
            if node_port(port) == 0:
                previous = by_name.get(port.get("name") or "", 0)
                if previous not in used:
                    port["nodePort"] = previous
    both_local = needs_health_check(old_spec) and needs_health_check(new_spec)
    if both_local and not new_spec.get("healthCheckNodePort"):
        new_spec["healthCheckNodePort"] = old_spec.get("healthCheckNodePort") or 0


def drop_type_dependent_fields(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Clear what the new type does not use, when the user left it as it was (a changed value
    is kept, and validation then refuses it)."""
    new_spec, old_spec = spec_of(new), spec_of(old)
    if needs_cluster_ip(old_spec) and not needs_cluster_ip(new_spec):
        if _same(old_spec, new_spec, "clusterIP") and _same_list(old_spec, new_spec, "clusterIPs"):
            new_spec["clusterIP"] = ""
            new_spec["clusterIPs"] = None
        if _same_list(old_spec, new_spec, "ipFamilies"):
            new_spec["ipFamilies"] = None
        if _same_pointer(old_spec, new_spec, "ipFamilyPolicy"):
            new_spec["ipFamilyPolicy"] = None
    if (
        needs_node_ports(old_spec)
        and not needs_node_ports(new_spec)
        and _node_ports(new_spec) <= _node_ports(old_spec)
    ):
        for port in ports_of(new_spec):
            port["nodePort"] = 0
    no_longer_local = needs_health_check(old_spec) and not needs_health_check(new_spec)
    same_port = (old_spec.get("healthCheckNodePort") or 0) == (
        new_spec.get("healthCheckNodePort") or 0
    )
    if no_longer_local and same_port:
        new_spec["healthCheckNodePort"] = 0
    was_lb = service_type(old_spec) == LOAD_BALANCER
    if was_lb and service_type(new_spec) != LOAD_BALANCER:
        allocate = new_spec.get("allocateLoadBalancerNodePorts")
        if allocate is not None and allocate == old_spec.get("allocateLoadBalancerNodePorts"):
            new_spec["allocateLoadBalancerNodePorts"] = None
        if _same_pointer(old_spec, new_spec, "loadBalancerClass"):
            new_spec["loadBalancerClass"] = None
    external = (NODE_PORT_TYPE, LOAD_BALANCER)
    left_external = service_type(old_spec) in external and service_type(new_spec) not in external
    if left_external and _same(old_spec, new_spec, "externalTrafficPolicy"):
        new_spec["externalTrafficPolicy"] = ""


def _node_ports(spec: dict[str, Any]) -> set[int]:
    return {node_port(port) for port in ports_of(spec) if node_port(port)}


def _same(old: dict[str, Any], new: dict[str, Any], key: str) -> bool:
    """A string field: absent and "" are the same value."""
    return (old.get(key) or "") == (new.get(key) or "")


def _same_pointer(old: dict[str, Any], new: dict[str, Any], key: str) -> bool:
    """An optional field: absent (nil) and "" differ."""
    return old.get(key) == new.get(key)


def _same_list(old: dict[str, Any], new: dict[str, Any], key: str) -> bool:
    return list(old.get(key) or []) == list(new.get(key) or [])
