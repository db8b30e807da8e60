"""Cluster IPs, IP families and external IPs (ValidateServiceClusterIPsRelatedFields, the
type-specific cluster IP rules, and the update rules for upgrading or downgrading dual-stack)."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.validate.apiserver import service_common as c
from rolloutplan.validate.apiserver import service_net

FAMILIES = ("IPv4", "IPv6")
POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
SINGLE_STACK = "SingleStack"


def validate_type_cluster_ips(spec: dict[str, Any]) -> list[Violation]:
    """What the type allows: no headless NodePort or LoadBalancer, nothing on ExternalName."""
    kind = c.service_type(spec)
    if kind in (c.LOAD_BALANCER, c.NODE_PORT_TYPE) and c.is_headless(spec):
        detail = f"may not be set to 'None' for {kind} services"
        return [c.invalid(c.CLUSTER_IP, (*c.CLUSTER_IPS, 0), c.NONE, detail)]
    if kind != c.EXTERNAL_NAME_TYPE:
        return []
    detail = "may not be set for ExternalName services"
    violations = []
    if c.cluster_ips(spec):
        violations.append(c.forbidden(c.CLUSTER_IP, c.CLUSTER_IPS, detail))
    if c.ip_families(spec):
        violations.append(c.forbidden(c.IP_FAMILIES, c.IP_FAMILIES_PATH, detail))
    if spec.get("ipFamilyPolicy") is not None:
        violations.append(c.forbidden(c.IP_FAMILIES, c.IP_FAMILY_POLICY, detail))
    return violations


def validate_cluster_ip_fields(spec: dict[str, Any]) -> list[Violation]:
    """clusterIP and clusterIPs in step, valid and dual-stack; families and policy valid."""
    if c.service_type(spec) == c.EXTERNAL_NAME_TYPE:
        return []
    ips = c.cluster_ips(spec)
    violations = _sync(spec.get("clusterIP") or "", ips)
    violations += _families(c.ip_families(spec))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in POLICIES:
        violations.append(c.not_supported(c.IP_FAMILIES, c.IP_FAMILY_POLICY, policy, POLICIES))
    ip_problems = _addresses(ips)
    violations += ip_problems
    if len(ips) > 2:
        violations.append(
            c.invalid(c.CLUSTER_IP, c.CLUSTER_IPS, ips, "may only hold up to 2 values")
        )
    if ip_problems:  # the dual-stack checks would only repeat the same bad values
        return violations
    if len(ips) > 1 and {service_net.family(ip) for ip in ips} != set(FAMILIES):
        detail = "may specify no more than one IP for each IP family"
        violations.append(c.invalid(c.CLUSTER_IP, c.CLUSTER_IPS, ips, detail))
    if not c.is_headless(spec):
        violations += _match_families(ips, c.ip_families(spec))
    return violations


def _sync(cluster_ip: str, ips: list[str]) -> list[Violation]:
    if cluster_ip:
        if not ips:
            return [c.required(c.CLUSTER_IP, c.CLUSTER_IPS)]
        if ips[0] != cluster_ip:
            detail = "first value must match `clusterIP`"
            return [c.invalid(c.CLUSTER_IP, c.CLUSTER_IPS, ips, detail)]
    elif ips:
        detail = "must be empty when `clusterIP` is not specified"
        return [c.invalid(c.CLUSTER_IP, c.CLUSTER_IPS, ips, detail)]
    return []


def _families(families: list[str]) -> list[Violation]:
    violations = []
    seen: set[str] = set()
    for index, value in enumerate(families):
        path = (*c.IP_FAMILIES_PATH, index)
        if value not in FAMILIES:
            violations.append(c.not_supported(c.IP_FAMILIES, path, value, FAMILIES))
        if value in seen:
            violations.append(c.duplicate(c.IP_FAMILIES, path, value))
        seen.add(value)
    return violations


def _addresses(ips: list[str]) -> list[Violation]:
    violations = []
    for index, ip in enumerate(ips):
        if index == 0 and ip == c.NONE:
            if len(ips) > 1:
                detail = "'None' must be the first and only value"
                violations.append(c.invalid(c.CLUSTER_IP, c.CLUSTER_IPS, ips, detail))
            continue
        if service_net.parse_ip(ip) is None:
            path = (*c.CLUSTER_IPS, index)
            violations.append(c.invalid(c.CLUSTER_IP, path, ip, service_net.INVALID_IP))
    return violations


def _match_families(ips: list[str], families: list[str]) -> list[Violation]:
    violations = []
    for index, (ip, expected) in enumerate(zip(ips, families, strict=False)):
        if expected in FAMILIES and service_net.family(ip) != expected:
            detail = f"expected an {expected} value as indicated by `ipFamilies[{index}]`"
            violations.append(c.invalid(c.CLUSTER_IP, (*c.CLUSTER_IPS, index), ip, detail))
    return violations


def validate_external_ips(spec: dict[str, Any]) -> list[Violation]:
    violations = []
    for index, ip in enumerate(spec.get("externalIPs") or []):
        path = ("spec", "externalIPs", index)
        violations += [
            c.invalid(c.EXTERNAL_IP, path, ip, problem)
            for problem in service_net.special_ip_problems(str(ip))
        ]
    return violations


def validate_cluster_ips_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    """Once set, cluster IPs stay: only a secondary IP may be added, or released with
    SingleStack.  Changing to or from ExternalName starts afresh."""
    kinds = {c.service_type(old), c.service_type(new)}
    if c.EXTERNAL_NAME_TYPE in kinds or (c.is_headless(old) and c.is_headless(new)):
        return []
    before, after = c.cluster_ips(old), c.cluster_ips(new)
    primary = (*c.CLUSTER_IPS, 0)
    changed = "may not change once set"
    if len(before) == len(after):
        return [
            c.invalid(c.IMMUTABLE, (*c.CLUSTER_IPS, index), after, changed)
            for index, ip in enumerate(before)
            if ip != after[index]
        ]
    if len(before) < len(after):
        if before and after[0] != before[0]:
            return [c.invalid(c.IMMUTABLE, primary, after, changed)]
        return []
    violations = []
    if not after:
        violations.append(
            c.invalid(c.IMMUTABLE, primary, after, "primary clusterIP can not be unset")
        )
    elif after[0] != before[0]:
        violations.append(c.invalid(c.IMMUTABLE, primary, after, changed))
    if len(after) == 1 and new.get("ipFamilyPolicy") != SINGLE_STACK:
        detail = "must be set to 'SingleStack' when releasing the secondary clusterIP"
        violations.append(
            c.invalid(c.IP_FAMILIES, c.IP_FAMILY_POLICY, new.get("ipFamilyPolicy"), detail)
        )
    return violations


def validate_ip_families_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    """The primary family stays; headless Services may change theirs."""
    kinds = {c.service_type(old), c.service_type(new)}
    if c.EXTERNAL_NAME_TYPE in kinds or c.is_headless(old) or c.is_headless(new):
        return []
    before, after = c.ip_families(old), c.ip_families(new)
    primary = (*c.IP_FAMILIES_PATH, 0)
    changed = "may not change once set"
    if len(before) == len(after):
        return [
            c.invalid(c.IMMUTABLE, primary, after, changed)
            for index, family in enumerate(before)
            if family != after[index]
        ]
    if len(before) < len(after):
        if before and after[0] != before[0]:
            return [c.invalid(c.IMMUTABLE, primary, after, changed)]
        return []
    violations = []
    if not c.cluster_ips(new):
        violations.append(
            c.invalid(c.IMMUTABLE, primary, after, "primary ipFamily can not be unset")
        )
    if after and after[0] != before[0]:
        violations.append(c.invalid(c.IMMUTABLE, primary, after, changed))
    if len(after) == 1 and new.get("ipFamilyPolicy") != SINGLE_STACK:
        detail = "must be set to 'SingleStack' when releasing the secondary ipFamily"
        violations.append(
            c.invalid(c.IP_FAMILIES, c.IP_FAMILY_POLICY, new.get("ipFamilyPolicy"), detail)
        )
    return violations
