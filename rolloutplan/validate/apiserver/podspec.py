"""The pod template of a Deployment or ReplicaSet (ValidatePodTemplateSpec, ValidatePodSpec,
and the apps-specific rules on top of them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath, MapKey
from rolloutplan.validate.apiserver import (
    containers,
    metadata,
    pod_annotations,
    primitives,
    resources,
    scheduling,
    security,
    volumes,
)
from rolloutplan.validate.apiserver.access import dicts, integer, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    duplicate,
    forbidden,
    invalid,
    invalid_each,
    not_supported,
    required,
)

RESTART_POLICY = "RP214"
TEMPLATE_FORBIDDEN = "RP215"
DNS = "RP233"
POD_FIELD = "RP235"
TEMPLATE: FieldPath = ("spec", "template")
POD: FieldPath = (*TEMPLATE, "spec")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
MIRROR = "kubernetes.io/config.mirror"
INT32 = range(-(2**31), 2**31)
COST = re.compile(r"-?[0-9]+\Z")


@dataclass(frozen=True, slots=True)
class Options:
    """Behaviour that changed across the supported Kubernetes versions (newest by default)."""

    relaxed_env_names: bool = True  # RelaxedEnvironmentVariableValidation: on from 1.32
    sleep_zero: bool = True  # PodLifecycleSleepActionAllowZero: on from 1.33
    relaxed_dns_search: bool = True  # RelaxedDNSSearchValidation: on from 1.33

    @classmethod
    def for_version(cls, version: str | None) -> Options:
        if version is None:
            return cls()
        minor = int(version.split(".")[1])
        return cls(
            relaxed_env_names=minor >= 32, sleep_zero=minor >= 33, relaxed_dns_search=minor >= 33
        )


def validate_template(template: dict[str, Any], options: Options) -> list[Violation]:
    """ValidatePodTemplateSpec plus the apps workloads' own limits on it."""
    meta, spec = mapping(template, "metadata"), mapping(template, "spec")
    annotations = mapping(meta, "annotations")
    violations = metadata.validate_labels(mapping(meta, "labels"), (*TEMPLATE, "labels"))
    violations += metadata.validate_annotations(annotations, (*TEMPLATE, "annotations"))
    violations += _deletion_cost(annotations)
    if MIRROR in annotations and not text(spec, "nodeName"):
        detail = "must set spec.nodeName if mirror pod annotation is set"
        where = (*TEMPLATE, "annotations", MapKey(MIRROR))
        violations.append(invalid(POD_FIELD, where, str(annotations[MIRROR]), detail))
    violations += pod_annotations.validate(annotations, spec, (*TEMPLATE, "annotations"))
    violations += validate_pod_spec(spec, POD, options)
    if listing(spec, "ephemeralContainers"):
        detail = "ephemeral containers not allowed in pod template"
        violations.append(forbidden(TEMPLATE_FORBIDDEN, (*POD, "ephemeralContainers"), detail))
    restart = text(spec, "restartPolicy")
    if restart != "Always":
        violations.append(
            not_supported(RESTART_POLICY, (*POD, "restartPolicy"), restart, ("Always",))
        )
    if spec.get("activeDeadlineSeconds") is not None:
        detail = "activeDeadlineSeconds in ReplicaSet is not Supported"
        violations.append(forbidden(TEMPLATE_FORBIDDEN, (*POD, "activeDeadlineSeconds"), detail))
    return violations


def _deletion_cost(annotations: dict[str, Any]) -> list[Violation]:
    """The pod-deletion-cost annotation must be a 32-bit integer, without a plus sign or
    leading zeros."""
    if DELETION_COST not in annotations:
        return []
    value = str(annotations[DELETION_COST])
    if COST.match(value) and (value == "0" or value[0] != "0") and int(value) in INT32:
        return []
    where = (*TEMPLATE, "annotations", MapKey(DELETION_COST))
    return [invalid(POD_FIELD, where, value, "must be a 32bit integer")]


def validate_pod_spec(spec: dict[str, Any], path: FieldPath, options: Options) -> list[Violation]:
    usable, violations = volumes.validate(spec, path)
    context = containers.Context(
        volumes=usable,
        grace=integer(spec, "terminationGracePeriodSeconds"),
        relaxed_env_names=options.relaxed_env_names,
        sleep_zero=options.sleep_zero,
        host_users=security.host_users(spec),
        claims=frozenset(
            text(c, "name") for _, c in dicts(spec, "resourceClaims") if text(c, "name")
        ),
    )
    violations += containers.validate(spec, path, context)
    violations += _dns(spec, path, relaxed=options.relaxed_dns_search)
    violations += scheduling.validate(spec, path)
    violations += security.validate_pod(spec, path)
    violations += _pod_fields(spec, path)
    if isinstance(spec.get("resources"), dict):
        violations += resources.validate_pod_level(spec["resources"], (*path, "resources"))
    return violations


def _dns(spec: dict[str, Any], path: FieldPath, *, relaxed: bool) -> list[Violation]:
    policy = text(spec, "dnsPolicy")
    violations = []
    if policy not in DNS_POLICIES:
        violations.append(not_supported(DNS, (*path, "dnsPolicy"), policy, DNS_POLICIES))
    config = spec.get("dnsConfig")
    where = (*path, "dnsConfig")
    if policy == "None":
        if not isinstance(config, dict):
            return [
                *violations,
                required(DNS, where, "must provide `dnsConfig` when `dnsPolicy` is None"),
            ]
        if not listing(config, "nameservers"):
            detail = "must provide at least one DNS nameserver when `dnsPolicy` is None"
            return [*violations, required(DNS, (*where, "nameservers"), detail)]
    if isinstance(config, dict):
        violations += _dns_config(config, where, relaxed=relaxed)
    return violations


def _dns_config(config: dict[str, Any], where: FieldPath, *, relaxed: bool) -> list[Violation]:
    servers, searches = (
        listing(config, "nameservers"),
        [str(s) for s in listing(config, "searches")],
    )
    violations = []
    if len(servers) > 3:
        violations.append(
            invalid(DNS, (*where, "nameservers"), servers, "must not have more than 3 nameservers")
        )
    for i, server in enumerate(servers):
        server = str(server)
        violations += invalid_each(
            DNS, (*where, "nameservers", i), server, primitives.ip_address(server)
        )
    if len(searches) > 32:
        violations.append(
            invalid(DNS, (*where, "searches"), searches, "must not have more than 32 search paths")
        )
    if len(" ".join(searches)) > 2048:
        detail = "must not have more than 2048 characters (including spaces) in the search list"
        violations.append(invalid(DNS, (*where, "searches"), searches, detail))
    for i, search in enumerate(searches):
        # the relaxed rule accepts "." alone and underscores
        if relaxed and search == ".":
            continue
        domain = search.removesuffix(".")
        problems = primitives.dns1123_subdomain(domain.replace("_", "a") if relaxed else domain)
        violations += invalid_each(DNS, (*where, "searches", i), domain, problems)
    for i, option in dicts(config, "options"):
        if not text(option, "name"):
            violations.append(required(DNS, (*where, "options", i), "must not be empty"))
    return violations


def _pod_fields(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    violations = []
    for key, check in (
        ("serviceAccountName", primitives.dns1123_subdomain),
        ("hostname", primitives.dns1123_label),
        ("subdomain", primitives.dns1123_label),
        ("runtimeClassName", primitives.dns1123_subdomain),
    ):
        value = text(spec, key)
        if value or (key == "runtimeClassName" and spec.get(key) is not None):
            violations += invalid_each(POD_FIELD, (*path, key), value, check(value))
    for i, alias in dicts(spec, "hostAliases"):
        where = (*path, "hostAliases", i)
        address = text(alias, "ip")
        violations += invalid_each(
            POD_FIELD, (*where, "ip"), address, primitives.ip_address(address)
        )
        for j, host in enumerate(listing(alias, "hostnames")):
            host = str(host)
            violations += invalid_each(
                POD_FIELD, (*where, "hostnames", j), host, primitives.dns1123_subdomain(host)
            )
    violations += _resource_claims(spec, (*path, "resourceClaims"))
    for i, gate in dicts(spec, "readinessGates"):
        condition = text(gate, "conditionType")
        where = (*path, "readinessGates", i, "conditionType")
        violations += invalid_each(
            POD_FIELD, where, condition, primitives.qualified_name(condition)
        )
    return violations


def _resource_claims(spec: dict[str, Any], path: FieldPath) -> list[Violation]:
    """The pod's dynamic resource claims: unique DNS-label names, each naming exactly one of
    a ResourceClaim or a ResourceClaimTemplate."""
    violations = []
    names: set[str] = set()
    for i, claim in dicts(spec, "resourceClaims"):
        name = text(claim, "name")
        if not name:
            violations.append(required(POD_FIELD, (*path, i, "name")))
        elif name in names:
            violations.append(duplicate(POD_FIELD, (*path, i, "name"), name))
        else:
            violations += invalid_each(
                POD_FIELD, (*path, i, "name"), name, primitives.dns1123_label(name)
            )
            names.add(name)
        sources = [
            k
            for k in ("resourceClaimName", "resourceClaimTemplateName")
            if claim.get(k) is not None
        ]
        if len(sources) > 1:
            detail = (
                "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"
            )
            violations.append(invalid(POD_FIELD, (*path, i), claim, detail))
        elif not sources:
            detail = "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"
            violations.append(invalid(POD_FIELD, (*path, i), claim, detail))
        for key in sources:
            value = str(claim[key])
            violations += invalid_each(
                POD_FIELD, (*path, i, key), value, primitives.dns1123_subdomain(value)
            )
    return violations
