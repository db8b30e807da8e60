"""core/v1 Service: what ``kubectl apply`` of a manifest would be refused for, offline.

The server's order is followed on a copy of the manifest: v1 defaulting (``SetDefaults_Service``),
the REST storage's preparation and allocation step (cluster IPs in step, node ports and the
health-check port reserved in the node-port range, ``ipFamilyPolicy`` defaulted and checked),
then validation (``ValidateService``; ``ValidateServiceUpdate`` on update, after the strategy
has cleared the fields a type change leaves unused).  Field paths are the server's.

On update the object the server validates is the live one with the manifest applied, so the
previous manifest stands for the live object.  ``metadata.resourceVersion`` is not checked:
``kubectl apply`` patches the live object, which always carries one, so "must be specified for
an update" cannot happen through apply (a stale one copied into a manifest is a conflict, not a
validation error).
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.validate.apiserver import metadata, primitives, service_alloc, service_spec
from rolloutplan.validate.apiserver import service_common as c
from rolloutplan.validate.apiserver.service_alloc import DEFAULT_NODE_PORT_RANGE
from rolloutplan.validate.apiserver.service_defaults import normalize_cluster_ips, with_defaults
from rolloutplan.validate.apiserver.service_ips import (
    validate_cluster_ip_fields,
    validate_cluster_ips_update,
    validate_external_ips,
    validate_ip_families_update,
    validate_type_cluster_ips,
)
from rolloutplan.validate.apiserver.service_ports import validate_ports
from rolloutplan.validate.apiserver.service_strategy import (
    drop_type_dependent_fields,
    patch_allocated_values,
)
from rolloutplan.validate.apiserver.service_warnings import warnings


def validate(
    data: dict[str, Any],
    node_port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE,
    kubernetes_version: str | None = None,
) -> list[Violation]:
    """A new Service; ``node_port_range`` is the cluster's ``--service-node-port-range``,
    ``kubernetes_version`` ("1.33") selects version-dependent values (None: the newest)."""
    service = with_defaults(data)
    normalize_cluster_ips(service, None)
    spec = c.spec_of(service)
    violations = []
    if c.service_type(spec) != c.EXTERNAL_NAME_TYPE:
        service_alloc.default_ip_family_policy(spec, None)
        if not validate_cluster_ip_fields(spec):
            violations += service_alloc.single_stack_conflicts(spec)
    violations += service_alloc.node_ports_on_create(spec, node_port_range)
    version = kubernetes_version
    return violations + validate_service(service, version) + warnings(data, service, version)


def validate_update(
    old: dict[str, Any],
    new: dict[str, Any],
    node_port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE,
    kubernetes_version: str | None = None,
) -> list[Violation]:
    """``new`` applied over the existing ``old``: the create checks in update context (values
    the server allocated are kept, fields a type change leaves unused are cleared) and the
    update rules (cluster IPs, primary IP family, loadBalancerClass and healthCheckNodePort
    stay once set)."""
    before = _as_stored(old)
    after = with_defaults(new)
    patch_allocated_values(after, before)
    normalize_cluster_ips(after, before)
    old_spec, spec = c.spec_of(before), c.spec_of(after)
    violations = []
    if c.service_type(spec) != c.EXTERNAL_NAME_TYPE:
        service_alloc.default_ip_family_policy(spec, old_spec)
        if not validate_cluster_ip_fields(spec):
            service_alloc.single_stack_update(spec, old_spec)
            violations += service_alloc.single_stack_conflicts(spec)
            service_alloc.infer_ip_families(spec, old_spec)
    violations += service_alloc.node_ports_on_update(old_spec, spec, node_port_range)
    drop_type_dependent_fields(after, before)
    violations += metadata.validate_object_meta_update(old, new)
    violations += validate_cluster_ips_update(old_spec, spec)
    violations += validate_ip_families_update(old_spec, spec)
    violations += _load_balancer_class_update(old_spec, spec)
    violations += _health_check_node_port_update(old_spec, spec)
    version = kubernetes_version
    return violations + validate_service(after, version) + warnings(new, after, version)


def validate_service(service: dict[str, Any], version: str | None = None) -> list[Violation]:
    """ValidateService on the prepared copy."""
    spec = c.spec_of(service)
    annotations = c.annotations_of(service)
    return (
        metadata.validate_object_meta(service, primitives.dns1035_label)
        + service_spec.validate_topology_annotations(annotations)
        + validate_ports(spec)
        + validate_type_cluster_ips(spec)
        + service_spec.validate_external_name(spec)
        + service_spec.validate_selector(spec)
        + service_spec.validate_session_affinity(spec)
        + validate_cluster_ip_fields(spec)
        + validate_external_ips(spec)
        + service_spec.validate_type(spec)
        + service_spec.validate_source_ranges(spec, annotations)
        + service_spec.validate_load_balancer(spec)
        + service_spec.validate_traffic_policies(spec, version)
    )


def _as_stored(old: dict[str, Any]) -> dict[str, Any]:
    """The existing object as the server holds it: defaulted, with the fields its creation
    filled in (cluster IPs in step, ipFamilyPolicy and ipFamilies)."""
    stored = with_defaults(old)
    normalize_cluster_ips(stored, None)
    spec = c.spec_of(stored)
    if c.service_type(spec) == c.EXTERNAL_NAME_TYPE:
        spec.pop("internalTrafficPolicy", None)  # dropped on read for ExternalName
    else:
        service_alloc.default_ip_family_policy(spec, None)
        service_alloc.infer_ip_families(spec, None)
    return stored


def _load_balancer_class_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    both_lb = c.service_type(old) == c.service_type(new) == c.LOAD_BALANCER
    if not both_lb or old.get("loadBalancerClass") == new.get("loadBalancerClass"):
        return []
    path = ("spec", "loadBalancerClass")
    return [c.invalid(c.IMMUTABLE, path, new.get("loadBalancerClass"), "may not change once set")]


def _health_check_node_port_update(old: dict[str, Any], new: dict[str, Any]) -> list[Violation]:
    if not (c.needs_health_check(old) and c.needs_health_check(new)):
        return []
    if (old.get("healthCheckNodePort") or 0) == (new.get("healthCheckNodePort") or 0):
        return []
    return [c.forbidden(c.IMMUTABLE, ("spec", "healthCheckNodePort"), "field is immutable")]
