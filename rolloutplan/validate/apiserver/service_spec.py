"""The rest of ValidateService: type, externalName, selector, session affinity, load-balancer
fields, traffic policies, traffic distribution and the topology annotations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import MapKey
from rolloutplan.validate.apiserver import metadata, primitives, service_net
from rolloutplan.validate.apiserver import service_common as c

TYPES = (c.CLUSTER_IP_TYPE, c.EXTERNAL_NAME_TYPE, c.LOAD_BALANCER, c.NODE_PORT_TYPE)
AFFINITIES = ("ClientIP", c.NONE)
TRAFFIC_POLICIES = ("Cluster", "Local")
# PreferSameZone and PreferSameNode: PreferSameTrafficDistribution, alpha (off) in 1.33, on
# by default since 1.34, when PreferClose became their deprecated older name
TRAFFIC_DISTRIBUTIONS = ("PreferClose", "PreferSameNode", "PreferSameZone")
PREFER_SAME_SINCE = 34
MAX_CLIENT_IP_TIMEOUT = 86400
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"
DEFAULTED_INTERNAL_POLICY = (c.CLUSTER_IP_TYPE, c.NODE_PORT_TYPE, c.LOAD_BALANCER)
LB_ONLY = "may only be used when `type` is 'LoadBalancer'"


def validate_type(spec: dict[str, Any]) -> list[Violation]:
    kind = c.service_type(spec)
    if not kind:
        return [c.required(c.TYPE, ("spec", "type"))]
    if kind not in TYPES:
        return [c.not_supported(c.TYPE, ("spec", "type"), kind, TYPES)]
    return []


def validate_external_name(spec: dict[str, Any]) -> list[Violation]:
    if c.service_type(spec) != c.EXTERNAL_NAME_TYPE:
        return []
    path = ("spec", "externalName")
    name = str(spec.get("externalName") or "")
    cname = name.removesuffix(".")  # a trailing dot marks a fully qualified name
    if not cname:
        return [c.required(c.EXTERNAL_NAME, path)]
    return [
        c.invalid(c.EXTERNAL_NAME, path, cname, problem)
        for problem in primitives.dns1123_subdomain(cname)
    ]


def validate_selector(spec: dict[str, Any]) -> list[Violation]:
    selector = spec.get("selector")
    return [] if selector is None else metadata.validate_labels(selector, ("spec", "selector"))


def validate_session_affinity(spec: dict[str, Any]) -> list[Violation]:
    path = ("spec", "sessionAffinity")
    affinity = spec.get("sessionAffinity")
    config = spec.get("sessionAffinityConfig")
    config_path = ("spec", "sessionAffinityConfig")
    if not affinity:
        return [c.required(c.SESSION_AFFINITY, path)]
    if affinity not in AFFINITIES:
        return [c.not_supported(c.SESSION_AFFINITY, path, affinity, AFFINITIES)]
    if affinity == c.NONE:
        if config is None:
            return []
        return [
            c.forbidden(
                c.SESSION_AFFINITY, config_path, "must not be set when session affinity is None"
            )
        ]
    detail = "when session affinity type is ClientIP"
    if config is None:
        return [c.required(c.SESSION_AFFINITY, config_path, detail)]
    client_ip = config.get("clientIP")
    if client_ip is None:
        return [c.required(c.SESSION_AFFINITY, (*config_path, "clientIP"), detail)]
    timeout = client_ip.get("timeoutSeconds")
    timeout_path = (*config_path, "clientIP", "timeoutSeconds")
    if timeout is None:
        return [c.required(c.SESSION_AFFINITY, timeout_path, detail)]
    if not 0 < timeout <= MAX_CLIENT_IP_TIMEOUT:
        detail = f"must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT}"
        return [c.invalid(c.SESSION_AFFINITY, timeout_path, timeout, detail)]
    return []


def validate_source_ranges(spec: dict[str, Any], annotations: dict[str, Any]) -> list[Violation]:
    """The field, or when it is empty the older annotation (then checked even when empty)."""
    is_lb = c.service_type(spec) == c.LOAD_BALANCER
    ranges = spec.get("loadBalancerSourceRanges") or []
    violations = []
    if ranges:
        path = ("spec", "LoadBalancerSourceRanges")  # sic: the server's path has a capital L
        if not is_lb:
            violations.append(c.forbidden(c.LB_ONLY, path, LB_ONLY))
        for index, value in enumerate(ranges):
            # padding is tolerated: values came from the comma-separated annotation once
            violations += _cidr(str(value).strip(), (*path, index))
        return violations
    if SOURCE_RANGES_ANNOTATION not in annotations:
        return []
    path = ("metadata", "annotations", MapKey(SOURCE_RANGES_ANNOTATION))
    if not is_lb:
        violations.append(c.forbidden(c.LB_ONLY, path, LB_ONLY))
    value = str(annotations[SOURCE_RANGES_ANNOTATION] or "").strip()
    if value:
        for part in value.split(","):
            violations += _cidr(part.strip(), path)
    return violations


def _cidr(value: str, path: tuple[Any, ...]) -> list[Violation]:
    if service_net.parse_cidr(value) is not None:
        return []
    return [c.invalid(c.LB_SOURCE_RANGE, path, value, service_net.INVALID_CIDR)]


def validate_load_balancer(spec: dict[str, Any]) -> list[Violation]:
    is_lb = c.service_type(spec) == c.LOAD_BALANCER
    violations = []
    allocate = spec.get("allocateLoadBalancerNodePorts")
    if allocate is not None and not is_lb:
        path = ("spec", "allocateLoadBalancerNodePorts")
        violations.append(c.forbidden(c.LB_ONLY, path, LB_ONLY))
    if allocate is None and is_lb:  # the server's path really lacks "spec."
        violations.append(c.required(c.LB_ONLY, ("allocateLoadBalancerNodePorts",)))
    lb_class = spec.get("loadBalancerClass")
    path = ("spec", "loadBalancerClass")
    if lb_class is not None and not is_lb:
        violations.append(c.forbidden(c.LB_ONLY, path, LB_ONLY))
    elif lb_class is not None:
        violations += [
            c.invalid(c.LB_CLASS, path, lb_class, problem)
            for problem in primitives.qualified_name(str(lb_class))
        ]
    return violations


def prefer_same_served(version: str | None) -> bool:
    """Whether a cluster of this minor version ("1.33"; None: the newest) takes PreferSameZone
    and PreferSameNode."""
    return version is None or int(version.split(".")[1]) >= PREFER_SAME_SINCE


def validate_traffic_policies(spec: dict[str, Any], version: str | None = None) -> list[Violation]:
    violations = _external_traffic_policy(spec) + _health_check_node_port(spec)
    internal = spec.get("internalTrafficPolicy")
    path = ("spec", "internalTrafficPolicy")
    if internal is None and c.service_type(spec) in DEFAULTED_INTERNAL_POLICY:
        violations.append(c.required(c.INTERNAL_TRAFFIC_POLICY, path))
    elif internal is not None and internal not in TRAFFIC_POLICIES:
        violations.append(
            c.not_supported(c.INTERNAL_TRAFFIC_POLICY, path, internal, TRAFFIC_POLICIES)
        )
    distribution = spec.get("trafficDistribution")
    served = TRAFFIC_DISTRIBUTIONS if prefer_same_served(version) else ("PreferClose",)
    if distribution is not None and distribution not in served:
        path = ("spec", "trafficDistribution")
        refused = c.not_supported(c.TRAFFIC_DISTRIBUTION, path, distribution, served)
        if distribution in TRAFFIC_DISTRIBUTIONS:
            since = f"1.{PREFER_SAME_SINCE}"
            refused = replace(
                refused, message=f"{refused.message} ({distribution} needs Kubernetes {since})"
            )
        violations.append(refused)
    return violations


def _external_traffic_policy(spec: dict[str, Any]) -> list[Violation]:
    policy = spec.get("externalTrafficPolicy") or ""
    path = ("spec", "externalTrafficPolicy")
    if not c.externally_accessible(spec):
        if not policy:
            return []
        detail = "may only be set for externally-accessible services"
        return [c.invalid(c.EXTERNAL_TRAFFIC_POLICY, path, policy, detail)]
    if not policy:
        return [c.required(c.EXTERNAL_TRAFFIC_POLICY, path)]
    if policy not in TRAFFIC_POLICIES:
        return [c.not_supported(c.EXTERNAL_TRAFFIC_POLICY, path, policy, TRAFFIC_POLICIES)]
    return []


def _health_check_node_port(spec: dict[str, Any]) -> list[Violation]:
    port = spec.get("healthCheckNodePort") or 0
    path = ("spec", "healthCheckNodePort")
    if not c.needs_health_check(spec):
        if port == 0:
            return []
        detail = (
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
        )
        return [c.invalid(c.HEALTH_CHECK_NODE_PORT, path, port, detail)]
    # 0 is filled by the allocator before validation runs
    return [
        c.invalid(c.HEALTH_CHECK_NODE_PORT, path, port, problem)
        for problem in (primitives.port_number(port) if port else [])
    ]


def validate_topology_annotations(annotations: dict[str, Any]) -> list[Violation]:
    if TOPOLOGY_MODE not in annotations or TOPOLOGY_HINTS not in annotations:
        return []
    mode = annotations[TOPOLOGY_MODE]
    if mode == annotations[TOPOLOGY_HINTS]:
        return []
    path = ("metadata", "annotations", MapKey(TOPOLOGY_MODE))
    detail = f"must match annotations[{TOPOLOGY_HINTS}] when both are specified"
    return [c.invalid(c.TOPOLOGY_ANNOTATIONS, path, mode, detail)]
