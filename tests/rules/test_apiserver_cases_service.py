"""The Service cases of fixtures/apiserver-cases, each built as a v1 manifest and linted.

Every case is transcribed from Kubernetes' own validation tests, which validate internal
objects directly.  A v1 manifest sent with ``kubectl apply`` goes through more first (v1
defaulting, the REST storage's allocation step, the update strategy), so some cases end
differently: those are in ``V1_OUTCOMES`` with what the server really does and why.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.model.source import format_field_path
from rolloutplan.validate.apiserver import service, service_net
from tests.conftest import FIXTURES, RunCli

CASES_FILE = FIXTURES / "apiserver-cases" / "apiserver-cases.json"
CASES = [c for c in json.loads(CASES_FILE.read_text(encoding="utf-8")) if c["kind"] == "Service"]

# svc-core-test-valid (makeValidService() in core validation_test.go), as a v1 manifest.
BASE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "name": "valid",
        "namespace": "valid",
        "resourceVersion": "1",
        "labels": {},
        "annotations": {},
    },
    "spec": {
        "selector": {"key": "val"},
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "ports": [{"name": "p", "protocol": "TCP", "port": 8675, "targetPort": 8675}],
        "internalTrafficPolicy": "Cluster",
    },
}

# The rule each rejected case is reported under, at the case's expected_error_field.
RULE_OF = {
    "svc-invalid-namespace": "RP202",
    "svc-missing-name": "RP201",
    "svc-invalid-name": "RP201",
    "svc-name-too-long": "RP201",
    "svc-invalid-generatename": "RP201",
    "svc-generatename-too-long": "RP201",
    "svc-invalid-label-key": "RP203",
    "svc-invalid-annotation-key": "RP204",
    "svc-invalid-selector-key": "RP203",
    "svc-missing-ports": "RP251",
    "svc-second-port-no-name": "RP253",
    "svc-multiport-first-no-name": "RP253",
    "svc-port-name-uppercase": "RP254",
    "svc-port-protocol-invalid": "RP252",
    "svc-clusterip-garbage": "RP262",
    "svc-port-zero": "RP252",
    "svc-port-65536": "RP252",
    "svc-targetport-65536": "RP257",
    "svc-externalip-loopback": "RP266",
    "svc-externalip-unspecified": "RP266",
    "svc-externalip-hostname": "RP266",
    "svc-port-name-duplicate": "RP255",
    "svc-duplicate-nodeports": "RP260",
    "svc-duplicate-port-same-proto": "RP256",
    "svc-clusterip-with-nodeport": "RP259",
    "svc-public-duplicate-nodeport": "RP260",
    "svc-lb-sourcerange-annotation-hostname": "RP268",
    "svc-lb-sourcerange-annotation-bad-cidr": "RP268",
    "svc-sourcerange-annotation-non-lb": "RP267",
    "svc-sourcerange-annotation-empty-non-lb": "RP267",
    "svc-lb-sourceranges-blank": "RP268",
    "svc-lb-sourceranges-hostname": "RP268",
    "svc-lb-sourceranges-bad-cidr": "RP268",
    "svc-sourceranges-non-lb": "RP267",
    "svc-externalname-with-clusterip": "RP262",
    "svc-externalname-with-none": "RP262",
    "svc-externalname-not-dns": "RP264",
    "svc-lb-headless": "RP262",
    "svc-nodeport-headless": "RP262",
    "svc-etp-invalid-value": "RP270",
    "svc-itp-invalid": "RP272",
    "svc-hcnp-negative": "RP271",
    "svc-clientip-timeout-negative": "RP265",
    "svc-ipfamilies-invalid": "RP263",
    "svc-ipfamilies-invalid-second": "RP263",
    "svc-ipfamilies-three": "RP263",
    "svc-ipfamilies-same": "RP263",
    "svc-clusterips-two-garbage": "RP262",
    "svc-clusterips-garbage-second": "RP262",
    "svc-clusterips-none-plus-ip": "RP262",
    "svc-clusterips-ip-plus-none": "RP262",
    "svc-clusterips-empty-plus-ip": "RP262",
    "svc-clusterips-same-family-v6": "RP262",
    "svc-clusterips-three": "RP262",
    "svc-family-mismatch-v4-as-v6": "RP262",
    "svc-family-mismatch-v6-as-v4": "RP262",
    "svc-appprotocol-invalid": "RP258",
    "svc-clusterip-mismatch-multi": "RP262",
    "svc-clusterip-mismatch-single": "RP262",
    "svc-allocate-lb-nodeports-non-lb": "RP267",
    "svc-lbclass-invalid": "RP269",
    "svc-lbclass-non-lb": "RP267",
    "svc-topology-annotations-mismatch": "RP274",
    "svc-trafficdistribution-random": "RP273",
    "svc-hcnp-lb-cluster": "RP271",
    "svc-hcnp-nodeport": "RP271",
    "svc-etp-hcnp-clusterip": "RP270",
    "svc-etp-externalname": "RP270",
    "svc-upd-change-clusterip": "RP205",
    "svc-upd-lb-headless": "RP262",
    "svc-upd-none-to-ip": "RP205",
    "svc-upd-ip-to-none": "RP205",
    "svc-upd-clusterip-to-nodeport-change-ip": "RP205",
    "svc-upd-nodeport-to-clusterip-change-ip": "RP205",
    "svc-upd-lb-change-ip": "RP205",
    "svc-upd-change-primary-family": "RP205",
    "svc-upd-flip-families": "RP205",
    "svc-upd-change-first-ip-dualstack": "RP205",
    "svc-upd-change-second-ip-dualstack": "RP205",
    "svc-upd-downgrade-without-singlestack": "RP263",
    "svc-upd-downgrade-change-primary": "RP205",
    "svc-upd-invalid-appprotocol": "RP258",
    "svc-upd-allocate-lb-np-non-lb": "RP267",
    "svc-upd-lbclass-changed": "RP205",
    "svc-upd-lbclass-unset": "RP205",
    "svc-upd-lbclass-set-later": "RP205",
}


@dataclass(frozen=True)
class V1Outcome:
    """What ``kubectl apply`` of the case's v1 manifest really gives: the (field, rule) errors
    (none: accepted) and warnings expected, and why it differs from the unit test."""

    reason: str
    errors: tuple[tuple[str, str], ...] = ()
    warnings: tuple[tuple[str, str], ...] = ()


DEFAULTED = "v1 defaulting (SetDefaults_Service) fills the field before validation"
RANGE = "the node-port allocator refuses a port outside --service-node-port-range (30000-32767)"
V1_OUTCOMES = {
    "svc-missing-namespace": V1Outcome(
        "kubectl sends the namespace of its context when the manifest has none"
    ),
    "svc-missing-sessionaffinity": V1Outcome(f"{DEFAULTED}: sessionAffinity None"),
    "svc-missing-type": V1Outcome(f"{DEFAULTED}: type ClusterIP"),
    "svc-port-protocol-missing": V1Outcome(f"{DEFAULTED}: protocol TCP"),
    "svc-lb-allocate-missing": V1Outcome(f"{DEFAULTED}: allocateLoadBalancerNodePorts true"),
    "svc-itp-nil": V1Outcome(f"{DEFAULTED}: internalTrafficPolicy Cluster"),
    "svc-etp-required-nodeport": V1Outcome(f"{DEFAULTED}: externalTrafficPolicy Cluster"),
    "svc-etp-required-lb": V1Outcome(f"{DEFAULTED}: externalTrafficPolicy Cluster"),
    "svc-affinity-none-with-config": V1Outcome(
        f"{DEFAULTED}: with sessionAffinity None it drops sessionAffinityConfig, so the "
        "server accepts the manifest; rolloutplan warns that the config is dropped",
        warnings=(("spec.sessionAffinityConfig", "RP290"),),
    ),
    "svc-lb-nodeport-outside-default-range-ok": V1Outcome(
        f"validation accepts nodePort 12345, but {RANGE}",
        errors=(("spec.ports[1].nodePort", "RP261"),),
    ),
    "svc-nodeport-with-nodeport-ok": V1Outcome(
        f"validation accepts nodePort 12345, but {RANGE}",
        errors=(("spec.ports[1].nodePort", "RP261"),),
    ),
    "svc-duplicate-nodeports-diff-proto-ok": V1Outcome(
        f"validation accepts nodePort 1 under three protocols, but {RANGE} (alloc.go "
        "initNodePorts; with an in-range port the second request would be 'already allocated', "
        "since only ports with the same port number share a node port)",
        errors=(("spec.ports[1].nodePort", "RP261"),),
    ),
    "svc-etp-lb-local-hcnp-ok": V1Outcome(
        "validation accepts healthCheckNodePort 34567, but the allocator reserves a requested "
        "health-check port in the node-port range (alloc.go allocHealthCheckNodePort)",
        errors=(("spec.healthCheckNodePort", "RP261"),),
    ),
    "svc-singlestack-two-families-validation-ok": V1Outcome(
        "the allocation step (alloc.go initIPFamilyFields) refuses SingleStack with two "
        "families before validation runs",
        errors=(("spec.ipFamilyPolicy", "RP263"),),
    ),
    "svc-clusterips-two-singlestack-validation-ok": V1Outcome(
        "the allocation step refuses SingleStack with two cluster IPs (and two families)",
        errors=(("spec.ipFamilyPolicy", "RP263"),),
    ),
    "svc-trafficdistribution-preferclose-ok": V1Outcome(
        "accepted; the server warns that PreferClose is deprecated for PreferSameZone",
        warnings=(("spec.trafficDistribution", "RP292"),),
    ),
    "svc-externalname-with-selector-ok": V1Outcome(
        "accepted (design note 12); rolloutplan warns that the selector is ignored",
        warnings=(("spec.selector", "RP290"),),
    ),
    "svc-upd-change-name": V1Outcome(
        "kubectl apply finds objects by name: a renamed manifest creates a new Service"
    ),
    "svc-upd-change-namespace": V1Outcome(
        "kubectl apply finds objects by namespace and name: this creates a new Service"
    ),
    "svc-upd-remove-clusterip": V1Outcome(
        "the REST storage restores the allocated cluster IPs a PUT leaves out "
        "(storage.go patchAllocatedValues, in beginUpdate, before validation)"
    ),
    "svc-upd-none-removed": V1Outcome(
        "patchAllocatedValues restores clusterIP None when the new object leaves it out"
    ),
    "svc-upd-remove-affinity": V1Outcome(f"{DEFAULTED}: sessionAffinity None"),
    "svc-upd-remove-type": V1Outcome(f"{DEFAULTED}: type ClusterIP"),
    "svc-upd-to-externalname-keeping-ip": V1Outcome(
        "the update strategy (dropTypeDependentFields) clears the unchanged clusterIPs, "
        "ipFamilies and ipFamilyPolicy when the type becomes ExternalName; the unit test "
        "bypasses the strategy"
    ),
}
# Cases whose v1 outcome needs a change outside this test's reach, with what is missing.


def _set(target: dict[str, Any], path: str, value: Any, remove: bool) -> None:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    node: Any = target
    for part in parts[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    if remove:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = copy.deepcopy(value)


def build(mutations: list[dict[str, Any]]) -> dict[str, Any]:
    manifest = copy.deepcopy(BASE)
    for mutation in mutations:
        _set(manifest, mutation["path"], mutation.get("value"), mutation.get("op") == "remove")
    return manifest


def lint(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> list[dict[str, Any]]:
    mutation = case["mutation"]
    new = tmp_path / "new.json"
    if case["operation"] == "update":
        old = tmp_path / "old.json"
        old.write_text(json.dumps(build(mutation["old"])), encoding="utf-8")
        new.write_text(json.dumps(build(mutation["new"])), encoding="utf-8")
        result = run_cli("lint", "--format", "json", "--previous", old, new)
    else:
        new.write_text(json.dumps(build(mutation)), encoding="utf-8")
        result = run_cli("lint", "--format", "json", new)
    assert result.exit_code in (0, 1)
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return findings


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_service_case(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> None:
    findings = lint(run_cli, tmp_path, case)
    errors = {(f["field"], f["rule"]) for f in findings if f["severity"] == "error"}
    outcome = V1_OUTCOMES.get(case["id"])
    if outcome is not None:
        if outcome.errors:
            assert set(outcome.errors) <= errors
        else:
            assert errors == set()
        found = {(f["field"], f["rule"]) for f in findings if f["severity"] == "warning"}
        assert set(outcome.warnings) <= found
    elif case["valid"]:
        assert errors == set()
    else:
        assert (case["expected_error_field"], RULE_OF[case["id"]]) in errors
        error_fields = {field for field, _ in errors}
        for expected in case.get("expected_errors", []):
            assert expected["field"] in error_fields


def test_every_case_has_one_expectation() -> None:
    ids = {c["id"] for c in CASES}
    assert len(CASES) == 155
    assert set(RULE_OF) <= ids and set(V1_OUTCOMES) <= ids
    rejected = {c["id"] for c in CASES if not c["valid"]}
    assert rejected - set(V1_OUTCOMES) == set(RULE_OF)
    assert not set(RULE_OF) & set(V1_OUTCOMES)


# Behaviour the transcribed cases do not reach: the allocation and update steps of a real
# server, called directly.


def _service(**spec: Any) -> dict[str, Any]:
    base = {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {**base, **spec},
    }


def _found(violations: list[Any]) -> set[tuple[str, str]]:
    return {(v.rule_id, format_field_path(v.field)) for v in violations}


def test_node_port_range_is_the_clusters() -> None:
    manifest = _service(type="NodePort", ports=[{"name": "http", "port": 80, "nodePort": 8080}])
    assert ("RP261", "spec.ports[0].nodePort") in _found(service.validate(manifest))
    assert _found(service.validate(manifest, node_port_range=(8000, 9000))) == set()


def test_resubmitting_a_manifest_keeps_what_the_server_allocated() -> None:
    live = _service(
        type="LoadBalancer",
        clusterIP="10.96.12.34",
        clusterIPs=["10.96.12.34"],
        ipFamilies=["IPv4"],
        ipFamilyPolicy="SingleStack",
        externalTrafficPolicy="Local",
        healthCheckNodePort=31999,
        ports=[{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 31080}],
    )
    manifest = _service(type="LoadBalancer", externalTrafficPolicy="Local")
    assert _found(service.validate_update(live, manifest)) == set()
    moved = _service(type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=32000)
    assert _found(service.validate_update(live, moved)) == {("RP205", "spec.healthCheckNodePort")}


def test_type_change_clears_only_unchanged_fields() -> None:
    live = _service(
        type="NodePort",
        externalTrafficPolicy="Local",
        ports=[{"name": "http", "port": 80, "nodePort": 30080}],
    )
    same = _service(
        type="ClusterIP",
        externalTrafficPolicy="Local",
        ports=[{"name": "http", "port": 80, "nodePort": 30080}],
    )
    assert _found(service.validate_update(live, same)) == set()
    changed = _service(type="ClusterIP", ports=[{"name": "http", "port": 80, "nodePort": 30081}])
    assert _found(service.validate_update(live, changed)) == {("RP259", "spec.ports[0].nodePort")}


def test_node_ports_already_held_are_not_allocated_again() -> None:
    # a Service created with --service-node-port-range 8000-9000, checked with the default
    live = _service(type="NodePort", ports=[{"name": "http", "port": 80, "nodePort": 8080}])
    added = _service(
        type="NodePort",
        ports=[
            {"name": "http", "port": 80, "nodePort": 8080},
            {"name": "https", "port": 443, "nodePort": 8443},
        ],
    )
    assert _found(service.validate_update(live, added)) == {("RP261", "spec.ports[1].nodePort")}


@pytest.mark.parametrize(
    ("text", "accepted", "ipv6"),
    [
        ("10.0.0.1", True, False),
        ("010.000.000.001", True, False),  # leading zeros: read as decimal, with a warning
        ("::ffff:10.0.0.1", True, False),  # IPv4-mapped counts as IPv4
        ("2001:DB8::1", True, True),
        ("00002001:db8::1", True, True),  # Go's parser takes more than 4 hex digits
        ("fe80::1%eth0", False, False),  # no zones
        ("10.0.0.1 ", False, False),
        ("10.0.0", False, False),
    ],
)
def test_ip_parsing_follows_the_servers_sloppy_parser(
    text: str, accepted: bool, ipv6: bool
) -> None:
    assert (service_net.parse_ip(text) is not None) is accepted
    assert service_net.is_ipv6(text) is ipv6
