"""Shared pieces of the Service checks: rule ids, the server's error shapes, field readers.

Messages follow the API server's ``field.Error`` forms ("Invalid value: ...", "Required
value", "Forbidden: ...", "Unsupported value: ...", "Duplicate value: ...").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath

TYPE = "RP250"
PORTS_REQUIRED = "RP251"
PORT = "RP252"
PORT_NAME_REQUIRED = "RP253"
PORT_NAME = "RP254"
PORT_NAME_DUPLICATE = "RP255"
PORT_DUPLICATE = "RP256"
TARGET_PORT = "RP257"
APP_PROTOCOL = "RP258"
NODE_PORT_NOT_ALLOWED = "RP259"
NODE_PORT_DUPLICATE = "RP260"
NODE_PORT_RANGE = "RP261"
CLUSTER_IP = "RP262"
IP_FAMILIES = "RP263"
EXTERNAL_NAME = "RP264"
SESSION_AFFINITY = "RP265"
EXTERNAL_IP = "RP266"
LB_ONLY = "RP267"
LB_SOURCE_RANGE = "RP268"
LB_CLASS = "RP269"
EXTERNAL_TRAFFIC_POLICY = "RP270"
HEALTH_CHECK_NODE_PORT = "RP271"
INTERNAL_TRAFFIC_POLICY = "RP272"
TRAFFIC_DISTRIBUTION = "RP273"
TOPOLOGY_ANNOTATIONS = "RP274"
INEFFECTIVE_FIELD = "RP290"
NON_STANDARD_IP = "RP291"
DEPRECATED_FIELD = "RP292"
IMMUTABLE = "RP205"  # the metadata rule, shared by every kind's immutable fields

CLUSTER_IP_TYPE = "ClusterIP"
NODE_PORT_TYPE = "NodePort"
LOAD_BALANCER = "LoadBalancer"
EXTERNAL_NAME_TYPE = "ExternalName"
NONE = "None"
PORTS = ("spec", "ports")
CLUSTER_IPS = ("spec", "clusterIPs")
IP_FAMILIES_PATH = ("spec", "ipFamilies")
IP_FAMILY_POLICY = ("spec", "ipFamilyPolicy")


def show(value: Any) -> str:
    """A value as the server prints it: strings quoted, numbers bare."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def invalid(rule: str, path: FieldPath, value: Any, detail: str) -> Violation:
    return Violation(rule, f"Invalid value: {show(value)}: {detail}", path)


def required(rule: str, path: FieldPath, detail: str = "") -> Violation:
    return Violation(rule, f"Required value{': ' + detail if detail else ''}", path)


def forbidden(rule: str, path: FieldPath, detail: str) -> Violation:
    return Violation(rule, f"Forbidden: {detail}", path)


def not_supported(rule: str, path: FieldPath, value: Any, supported: Iterable[str]) -> Violation:
    values = ", ".join(json.dumps(s) for s in sorted(supported))
    return Violation(rule, f"Unsupported value: {show(value)}: supported values: {values}", path)


def duplicate(rule: str, path: FieldPath, value: Any) -> Violation:
    return Violation(rule, f"Duplicate value: {show(value)}", path)


def warning(rule: str, path: FieldPath, message: str) -> Violation:
    return Violation(rule, message, path)


def spec_of(data: dict[str, Any]) -> dict[str, Any]:
    spec = data.get("spec")
    return spec if isinstance(spec, dict) else {}


def annotations_of(data: dict[str, Any]) -> dict[str, Any]:
    metadata = data.get("metadata") or {}
    return metadata.get("annotations") or {}


def service_type(spec: dict[str, Any]) -> str:
    return str(spec.get("type") or "")


def ports_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [port for port in spec.get("ports") or [] if isinstance(port, dict)]


def cluster_ips(spec: dict[str, Any]) -> list[str]:
    return [str(ip) for ip in spec.get("clusterIPs") or []]


def ip_families(spec: dict[str, Any]) -> list[str]:
    return [str(f) for f in spec.get("ipFamilies") or []]


def is_headless(spec: dict[str, Any]) -> bool:
    """What the server calls headless: clusterIPs is exactly ["None"]."""
    return cluster_ips(spec) == [NONE]


def node_port(port: dict[str, Any]) -> int:
    return int(port.get("nodePort") or 0)


def externally_accessible(spec: dict[str, Any]) -> bool:
    kind = service_type(spec)
    return kind in (NODE_PORT_TYPE, LOAD_BALANCER) or (
        kind == CLUSTER_IP_TYPE and bool(spec.get("externalIPs"))
    )


def needs_health_check(spec: dict[str, Any]) -> bool:
    return service_type(spec) == LOAD_BALANCER and spec.get("externalTrafficPolicy") == "Local"


def needs_node_ports(spec: dict[str, Any]) -> bool:
    return service_type(spec) in (NODE_PORT_TYPE, LOAD_BALANCER)
