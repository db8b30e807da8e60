"""What the API server fills in before it validates a v1 Service (``SetDefaults_Service``), and
how its REST storage keeps ``clusterIP`` and ``clusterIPs`` in step (``normalizeClusterIPs``).

Everything works on a copy; the manifest itself is never changed.  The copy shares what
neither defaulting nor the server's preparation steps change (only the spec and its ports are
changed in place).
"""

from __future__ import annotations

from typing import Any

from rolloutplan.validate.apiserver.service_common import (
    CLUSTER_IP_TYPE,
    LOAD_BALANCER,
    NODE_PORT_TYPE,
    NONE,
    externally_accessible,
    ports_of,
    spec_of,
)

DEFAULT_CLIENT_IP_TIMEOUT = 10800


def with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """A defaulted copy of the manifest, as the server sees it after decoding."""
    return default_in_place(writable(data))


def writable(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the manifest, its spec and its ports, sharing everything else."""
    result = dict(data)
    spec = result.get("spec")
    if isinstance(spec, dict):
        spec = result["spec"] = dict(spec)
        ports = spec.get("ports")
        if isinstance(ports, list):
            spec["ports"] = [dict(p) if isinstance(p, dict) else p for p in ports]
    return result


def default_in_place(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with the defaults filled in; it must not share its spec or ports."""
    spec = result.get("spec")
    if not isinstance(spec, dict):
        spec = result["spec"] = {}
    _session_affinity(spec)
    if not spec.get("type"):
        spec["type"] = CLUSTER_IP_TYPE
    for port in ports_of(spec):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    kind = spec["type"]
    if spec.get("internalTrafficPolicy") is None and kind in (
        CLUSTER_IP_TYPE,
        NODE_PORT_TYPE,
        LOAD_BALANCER,
    ):
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == LOAD_BALANCER and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    return result


def _session_affinity(spec: dict[str, Any]) -> None:
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = NONE
    if spec["sessionAffinity"] == NONE:
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig") or {}
        client_ip = config.get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {
                "clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_TIMEOUT}
            }


def normalize_cluster_ips(new: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Fill ``clusterIPs`` from ``clusterIP`` the way the REST storage does, before validation:
    a client that only knows the singular field still gets consistent values."""
    new_spec = spec_of(new)
    cluster_ip = new_spec.get("clusterIP") or ""
    cluster_ips = new_spec.get("clusterIPs") or []
    if old is None:
        if cluster_ip and not cluster_ips:
            new_spec["clusterIPs"] = [cluster_ip]
        return
    old_spec = spec_of(old)
    old_ip = old_spec.get("clusterIP") or ""
    old_ips = old_spec.get("clusterIPs") or []
    # An old client that dropped the plural field while keeping the singular one.  (The
    # server's other branches compare both fields after the singular one changed, so they
    # never apply.)
    if old_ips and not cluster_ips and old_ip == cluster_ip:
        new_spec["clusterIPs"] = list(old_ips)
