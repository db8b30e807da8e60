"""The validators' fast paths give exactly what the general routines they stand in for give:
the range-checking pre-check, defaulting on a partial copy, remembered syntax checks and
quantity shortcuts."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.model import quantity
from rolloutplan.validate import apiserver, schemas
from rolloutplan.validate.apiserver import (
    defaults,
    pod_warnings,
    primitives,
    resources,
    service_defaults,
    syntax,
)
from rolloutplan.validate.apiserver.access import copied

EDGES = [2**31, 2**63, 10**40]
NUMBERS = st.one_of(
    st.sampled_from(
        [e + d for e in EDGES for d in (-1, 0)] + [-e + d for e in EDGES for d in (-1, 0)]
    ),
    st.integers(),
    st.sampled_from([2.0**31, -(2.0**31) - 1, 2.0**63, -(2.0**63), 1.5, 3.0, 1e300]),
    st.booleans(),
)
INT_PATHS = [
    ("spec", "replicas"),
    ("spec", "progressDeadlineSeconds"),
    ("spec", "strategy", "rollingUpdate", "maxSurge"),
    ("spec", "template", "spec", "terminationGracePeriodSeconds"),
    ("spec", "template", "spec", "securityContext", "runAsUser"),
    ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"),
    ("spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "port"),
    ("spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"),
    ("spec", "template", "metadata", "labels", "app"),
    ("spec", "template", "spec", "nodeSelector", "zone"),
]


def deployment() -> dict[str, Any]:
    container = {
        "name": "web",
        "image": "nginx:1.27",
        "ports": [{"containerPort": 8080, "name": "http"}],
        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
        "resources": {"limits": {"cpu": "1"}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container], "securityContext": {}},
            },
        },
    }


def put(data: dict[str, Any], path: tuple[object, ...], value: object) -> None:
    node: Any = data
    for step in path[:-1]:
        node = node[step] if isinstance(step, int) else node.setdefault(step, {})
    node[path[-1]] = value


@pytest.mark.parametrize("version", ["1.30", "1.37"])
@given(st.lists(st.tuples(st.sampled_from(INT_PATHS), NUMBERS), max_size=4))
def test_the_ranged_pre_check_accepts_exactly_what_both_walks_accept(
    version: str, changes: list[tuple[tuple[object, ...], object]]
) -> None:
    data = deployment()
    for path, value in changes:
        put(data, path, value)
    stem = "deployment-apps-v1"
    walked = list(schemas._out_of_range(data, schemas._integer_trie(version, stem), ()))
    plain = schemas._fast_validator(version, stem).is_valid(data)
    assert schemas._ranged_validator(version, stem).is_valid(data) == (plain and not walked)


def test_out_of_range_integers_are_still_reported_by_the_cli(run_cli: Any, tmp_path: Path) -> None:
    data = deployment()
    put(data, ("spec", "replicas"), 2**31)
    put(data, ("spec", "template", "spec", "terminationGracePeriodSeconds"), 2**63 - 1)
    manifest = tmp_path / "big.json"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", manifest)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["field"]) for f in findings if f["rule"] == "RP101"] == [
        ("RP101", "spec.replicas")
    ]
    assert "into a field of type int32" in findings[0]["message"]


# Defaulting works on a copy of only what it changes: generated manifests reach each place
# it writes to, with values of every kind (missing, null, zero values, wrong types).
SCALARS = st.sampled_from([None, "", 0, False, "x", 7])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, SCALARS)  # a structure half of the time


def fields(**children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: maybe(v) for k, v in children.items()})


def full(**children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with all of these fields: the way down to where defaulting writes."""
    return st.fixed_dictionaries(children)


def items(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(st.one_of(strategy, strategy, SCALARS), min_size=1, max_size=2)


FIELD_REF = fields(apiVersion=st.just("v1"), fieldPath=st.just("metadata.name"))
HANDLER = fields(httpGet=fields(path=st.just("/x"), scheme=st.just("HTTPS"), port=st.just(80)))
PROBE = fields(
    httpGet=fields(path=st.just("/x"), scheme=st.just("HTTP")),
    periodSeconds=st.just(5),
    timeoutSeconds=st.just(0),
)
ENV = full(name=st.just("A"), valueFrom=maybe(full(fieldRef=maybe(FIELD_REF))))
CONTAINER = full(
    image=st.sampled_from(["nginx", "nginx:latest", "nginx:1", "r/x@sha256:ab"]),
    imagePullPolicy=maybe(st.just("Never")),
    ports=maybe(items(fields(protocol=st.just("UDP"), containerPort=st.just(80)))),
    livenessProbe=maybe(PROBE),
    readinessProbe=maybe(PROBE),
    lifecycle=maybe(fields(preStop=HANDLER, postStart=HANDLER)),
    env=maybe(items(ENV)),
)
DOWNWARD = full(items=items(full(path=st.just("p"), fieldRef=maybe(FIELD_REF))))
VOLUME = fields(
    name=st.just("v"),
    secret=fields(defaultMode=st.just(0o400)),
    configMap=fields(name=st.just("c")),
    downwardAPI=DOWNWARD,
    projected=full(
        sources=items(
            fields(downwardAPI=DOWNWARD, serviceAccountToken=fields(expirationSeconds=SCALARS))
        )
    ),
    azureDisk=fields(kind=st.just("Managed")),
)
POD = full(
    containers=items(CONTAINER),
    initContainers=items(CONTAINER),
    volumes=items(VOLUME),
    dnsPolicy=maybe(st.just("Default")),
)
WORKLOAD = full(
    kind=st.sampled_from(["Deployment", "ReplicaSet"]),
    spec=full(
        replicas=SCALARS,
        strategy=fields(type=st.just("RollingUpdate"), rollingUpdate=fields(maxSurge=SCALARS)),
        template=full(spec=POD),
    ),
)
SERVICE = fields(
    kind=st.just("Service"),
    spec=fields(
        type=st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]),
        ports=items(fields(port=st.just(80), targetPort=SCALARS, protocol=SCALARS)),
        sessionAffinity=st.sampled_from(["", "None", "ClientIP"]),
        sessionAffinityConfig=fields(clientIP=fields(timeoutSeconds=SCALARS)),
        externalIPs=st.just(["1.2.3.4"]),
    ),
)


def alias_repeats(data: Any) -> Any:
    """The same mapping at several places, as a YAML alias gives it (the loader shares them)."""
    if isinstance(data, dict):
        return {key: alias_repeats(value) for key, value in data.items()}
    if isinstance(data, list):
        shared = [alias_repeats(item) for item in data]
        return shared + shared[:1]  # the first item twice: one object, two places
    return data


def outcome(function: Any, *args: Any) -> Any:
    """What a call gives, or which exception it raises (a value of the wrong type, which the
    schema rejects first, can make defaulting raise: the fast path must raise alike)."""
    try:
        return function(*args)
    except (AttributeError, TypeError, ValueError) as error:
        return type(error).__name__


@given(WORKLOAD, st.booleans())
def test_workload_defaults_equal_defaulting_a_deep_copy(data: dict[str, Any], alias: bool) -> None:
    data = alias_repeats(data) if alias else data
    before = copy.deepcopy(data)
    kind = data.get("kind") or "Deployment"
    expected = outcome(defaults.default_in_place, kind, copied(data))
    # repr: the same values, and even the keys in the same order
    assert repr(outcome(defaults.apply, kind, data)) == repr(expected)
    assert data == before  # the manifest itself is never changed


@given(SERVICE, st.booleans())
def test_service_defaults_equal_defaulting_a_deep_copy(data: dict[str, Any], alias: bool) -> None:
    data = alias_repeats(data) if alias else data
    before = copy.deepcopy(data)
    expected = outcome(service_defaults.default_in_place, copied(data))
    assert outcome(service_defaults.with_defaults, data) == expected
    old = copy.deepcopy(data)
    outcome(apiserver.validate_create, data)
    outcome(apiserver.validate_update, old, data)
    assert data == before


def test_aliased_containers_are_defaulted_apart(run_cli: Any, tmp_path: Path) -> None:
    manifest = tmp_path / "aliases.yaml"
    manifest.write_text(
        """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - name: init
        image: nginx:1.27
        env: &env [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
      containers:
      - name: web
        image: nginx:1.27
        env: *env
        ports: &ports [{containerPort: 80}]
        readinessProbe: &probe {httpGet: {port: 80}}
        livenessProbe: *probe
      - name: sidecar
        image: nginx:1.27
        ports: *ports
""",
        encoding="utf-8",
    )
    result = run_cli("check", "--format", "json", "--no-cache", manifest)
    findings = json.loads(result.stdout)["findings"]
    # the shared ports and probe defaulted in each place: no "Required value" for them
    assert [(f["rule"], f["field"]) for f in findings] == [
        ("RP240", "spec.template.spec.containers[1].ports[0]"),
        ("RP301", "spec.template.spec.containers[1].name"),
    ]


# Syntax checks remember valid values: the answer is the same, and still a list of its own.
CHECKS = [
    primitives.dns1123_label,
    primitives.dns1123_subdomain,
    primitives.dns1035_label,
    primitives.qualified_name,
    primitives.label_value,
    primitives.port_name,
]
NAMES = st.one_of(st.from_regex(r"[a-z0-9./_-]{0,70}", fullmatch=True), st.text(max_size=20))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@given(NAMES)
def test_remembered_checks_answer_as_the_check(check: Any, value: str) -> None:
    first = check(value)
    assert first == check.__wrapped__(value)
    first.append("changed by a caller")
    assert check(value) == check.__wrapped__(value)


@given(NAMES, st.booleans())
def test_env_var_names_fast_path(value: str, relaxed: bool) -> None:
    if relaxed:
        valid = all(" " <= c <= "~" and c != "=" for c in value)
    else:
        valid = syntax._ENV_VAR_NAME.match(value) is not None
    assert (syntax.env_var_name(value, relaxed=relaxed) == []) == valid


QUANTITIES = st.one_of(
    st.from_regex(
        r"[+-]?([0-9]{1,25}(\.[0-9]{0,12})?|\.[0-9]{1,5})(e[+-]?[0-9]{1,4}|Ki|Mi|Gi|Ei|n|u|m|k|M|G|T|P|E)?",
        fullmatch=True,
    ),
    st.integers(),
    st.sampled_from([10**1000, 10**1000 + 1, -(10**1000) - 1, 10**2000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@given(QUANTITIES)
def test_quantity_shortcuts_equal_the_general_parse(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        assert quantity.parse_quantity(value) == quantity._capped(Fraction(value))
    plain = value.__class__ in (str, int, float)
    if plain:
        assert resources._milli(value) == resources._rounded_up(value)
        assert pod_warnings._whole_bytes(value) == pod_warnings._whole_bytes.__wrapped__(value)
