"""What the server accepts with a warning, or accepts and then ignores (RP290-RP292).

The non-standard IP and deprecation warnings are the server's own (``GetWarningsForService``);
the ignored fields add what people expect to be refused but is silently dropped or unused.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import MapKey
from rolloutplan.validate.apiserver import service_common as c
from rolloutplan.validate.apiserver import service_net
from rolloutplan.validate.apiserver.service_spec import (
    TOPOLOGY_HINTS,
    TOPOLOGY_MODE,
    prefer_same_served,
)


def warnings(
    raw: dict[str, Any], service: dict[str, Any], version: str | None = None
) -> list[Violation]:
    """``raw`` is the manifest as written, ``service`` the copy the server validates;
    ``version`` is the cluster's minor version (None: the newest)."""
    spec = c.spec_of(service)
    return (
        _ignored(c.spec_of(raw), spec)
        + _non_standard_ips(spec)
        + _deprecated(spec, c.annotations_of(service), version)
    )


def _ignored(raw_spec: dict[str, Any], spec: dict[str, Any]) -> list[Violation]:
    rule = c.INEFFECTIVE_FIELD
    found = []
    kind = c.service_type(spec)
    if raw_spec.get("sessionAffinityConfig") is not None and spec["sessionAffinity"] == c.NONE:
        found.append((
            ("spec", "sessionAffinityConfig"),
            "dropped by the server: sessionAffinity is None, so the config is removed before "
            "validation; set sessionAffinity: ClientIP for it to apply",
        ))  # fmt: skip
    if kind == c.EXTERNAL_NAME_TYPE:
        if spec.get("selector"):
            found.append((
                ("spec", "selector"),
                "ignored for an ExternalName Service: no endpoints are kept for it, DNS answers "
                "with a CNAME to externalName",
            ))  # fmt: skip
        if spec.get("externalIPs"):
            found.append((("spec", "externalIPs"), 'ignored when spec.type is "ExternalName"'))
        found += [
            ((*c.PORTS, index, "nodePort"), "ignored: an ExternalName Service has no node ports")
            for index, port in enumerate(c.ports_of(spec))
            if c.node_port(port)
        ]
    elif spec.get("externalName"):
        found.append((("spec", "externalName"), 'ignored when spec.type is not "ExternalName"'))
    if kind == c.CLUSTER_IP_TYPE and spec.get("clusterIP") == c.NONE:
        for key in ("loadBalancerIP", "externalIPs"):
            if spec.get(key):
                found.append((("spec", key), "ignored for headless services"))
        if spec.get("sessionAffinity") != c.NONE:
            found.append((("spec", "sessionAffinity"), "ignored for headless services"))
    return [c.warning(rule, path, message) for path, message in found]


def _non_standard_ips(spec: dict[str, Any]) -> list[Violation]:
    found: list[tuple[tuple[Any, ...], str]] = []
    if spec.get("clusterIP") not in (None, "", c.NONE):
        for index, ip in enumerate(c.cluster_ips(spec)):
            found += [((*c.CLUSTER_IPS, index), w) for w in service_net.ip_warnings(ip)]
    for index, ip in enumerate(spec.get("externalIPs") or []):
        found += [(("spec", "externalIPs", index), w) for w in service_net.ip_warnings(str(ip))]
    if spec.get("loadBalancerIP"):
        path = ("spec", "loadBalancerIP")
        found += [(path, w) for w in service_net.ip_warnings(str(spec["loadBalancerIP"]))]
    for index, cidr in enumerate(spec.get("loadBalancerSourceRanges") or []):
        path = ("spec", "loadBalancerSourceRanges", index)
        found += [(path, w) for w in service_net.cidr_warnings(str(cidr))]
    return [c.warning(c.NON_STANDARD_IP, path, message) for path, message in found]


def _deprecated(
    spec: dict[str, Any], annotations: dict[str, Any], version: str | None
) -> list[Violation]:
    found = []
    if TOPOLOGY_HINTS in annotations:
        path = ("metadata", "annotations", MapKey(TOPOLOGY_HINTS))
        message = f"annotation {TOPOLOGY_HINTS} is deprecated, please use {TOPOLOGY_MODE} instead"
        found.append(c.warning(c.DEPRECATED_FIELD, path, message))
    # before 1.34 PreferClose is the only value: nothing to move to
    if spec.get("trafficDistribution") == "PreferClose" and prefer_same_served(version):
        message = '"PreferClose" is deprecated; use "PreferSameZone"'
        found.append(c.warning(c.DEPRECATED_FIELD, ("spec", "trafficDistribution"), message))
    return found
