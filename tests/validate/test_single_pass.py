"""The second round of validator fast paths gives exactly what the general routines give:
pod warnings skipped where their fields are unset, plain env sources, repeated resource
quantities and single-source volumes (defaulting: tests/validate/test_fast_paths.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.validate.apiserver import envvars, pod_warnings, resources, volumes
from tests.validate.test_fast_paths import outcome

ODD = st.sampled_from([None, "", 0, 1, True, 8080, 80.0, "x", [], {}])
NAMES = st.one_of(st.sampled_from(["A", "B", "A", ""]), ODD)
ENV_ITEM = st.one_of(
    st.fixed_dictionaries(
        {"name": NAMES},
        optional={
            "value": st.sampled_from(["", "$(A)", "x$(A)", "v", 5]),
            "valueFrom": st.one_of(ODD, st.just({"fieldRef": {"fieldPath": "spec.nodeName"}})),
        },
    ),
    ODD,
)
PORT = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "containerPort": st.sampled_from([80, 80, 8080, True, 0, "80", None]),
            "protocol": st.sampled_from(["TCP", "UDP", "", None, 1]),
            "hostIP": st.sampled_from(["", "10.0.0.1", None, 1]),
            "hostPort": st.sampled_from([0, 80, 81, None]),
        },
    ),
    ODD,
)
CONTAINER = st.one_of(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["web", "side", ""])},
        optional={
            "env": st.one_of(st.lists(ENV_ITEM, max_size=4), ODD),
            "ports": st.one_of(st.lists(PORT, max_size=3), ODD),
            "resources": st.fixed_dictionaries(
                {},
                optional={
                    "limits": st.dictionaries(
                        st.sampled_from(["memory", "cpu", "ephemeral-storage"]),
                        st.sampled_from(["1.5", "100m", "128Mi", 1, 0.5]),
                    )
                },
            ),
        },
    ),
    ODD,
)
ANNOTATION_KEYS = st.sampled_from(
    [
        "team",
        "seccomp.security.alpha.kubernetes.io/pod",
        "container.seccomp.security.alpha.kubernetes.io/web",
        "container.apparmor.security.beta.kubernetes.io/side",
        "scheduler.alpha.kubernetes.io/critical-pod",
    ]
)
POD_FIELDS = {
    "containers": st.lists(CONTAINER, max_size=3),
    "initContainers": st.lists(CONTAINER, max_size=2),
    "nodeSelector": st.dictionaries(st.sampled_from(["zone", "beta.kubernetes.io/arch"]), ODD),
    "topologySpreadConstraints": st.lists(
        st.fixed_dictionaries(
            {"topologyKey": st.sampled_from(["zone", "failure-domain.beta.kubernetes.io/zone"])}
        ),
        max_size=2,
    ),
    "affinity": st.just({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{}]}}),
    "volumes": st.lists(st.one_of(st.just({"name": "g", "gitRepo": {}}), ODD), max_size=2),
    "hostAliases": st.lists(st.just({"ip": "1.2.3.4"}), max_size=2),
    "imagePullSecrets": st.lists(st.fixed_dictionaries({"name": NAMES}), max_size=2),
    "overhead": st.just({"memory": "1.5"}),
}
TEMPLATE = st.fixed_dictionaries(
    {"spec": st.fixed_dictionaries({}, optional=POD_FIELDS)},
    optional={
        "metadata": st.fixed_dictionaries(
            {"annotations": st.dictionaries(st.one_of(ANNOTATION_KEYS, st.just(1)), ODD)}
        )
    },
)


def every_warning(template: dict[str, Any]) -> list[Any]:
    """Every pod-warning check, none skipped."""
    spec = template["spec"]
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    return [
        *pod_warnings._node_labels(spec),
        *pod_warnings._null_selectors(spec),
        *pod_warnings._annotations(annotations, spec),
        *pod_warnings._volumes(spec),
        *pod_warnings._pod_lists(spec),
        *pod_warnings._fractional(spec.get("overhead") or {}, (*pod_warnings.POD, "overhead")),
        *pod_warnings._containers(spec),
        *pod_warnings._ports(spec),
        *pod_warnings._grace(spec),
    ]


@given(TEMPLATE)
def test_skipped_pod_warnings_would_have_found_nothing(template: dict[str, Any]) -> None:
    assert pod_warnings.warnings(template) == every_warning(template)


@given(st.one_of(st.lists(ENV_ITEM, max_size=5), ODD))
def test_plain_env_sources_are_valid(env: Any) -> None:
    container = {"env": env}
    with mock.patch.object(envvars, "_plain_value_from", lambda _env: False):
        expected = envvars.validate(container, ("c",), relaxed=True)
    assert envvars.validate(container, ("c",), relaxed=True) == expected


REF = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["cfg", "Bad_Name", "", 3]),
        "key": st.sampled_from(["k", "..", "", "a b", 3]),
        "optional": st.booleans(),
    },
)
VALUE_FROM = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "fieldRef": st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "apiVersion": st.sampled_from(["v1", "v2", ""]),
                        "fieldPath": st.sampled_from(
                            ["metadata.name", "status.podIP", "metadata.labels['a']", "x", 1]
                        ),
                    },
                ),
                ODD,
            ),
            "configMapKeyRef": st.one_of(REF, ODD),
            "secretKeyRef": st.one_of(REF, ODD),
        },
    ),
)


@given(VALUE_FROM, st.sampled_from([None, "", "v", 5]))
def test_plain_value_from_only_where_the_check_finds_nothing(
    value_from: dict[str, Any], value: Any
) -> None:
    env = {"name": "A", "valueFrom": value_from, "value": value}
    if envvars._plain_value_from(env):
        assert envvars._value_from(env, ("v",)) == []


QUANTITY_MAPS = st.dictionaries(
    st.sampled_from(["cpu", "memory", "nvidia.com/gpu", "hugepages-2Mi", "bad name", "pods"]),
    st.sampled_from(["1", "1.5", "-1", "100m", "2Mi", "3Mi", "x", 1, 0.5, True, None]),
)


@given(QUANTITY_MAPS)
def test_remembered_quantities_equal_the_general_check(values: dict[str, Any]) -> None:
    with mock.patch.object(resources, "_valid_quantity", lambda _name, _raw: None):
        expected = resources._quantities(values, ("r",))
    assert resources._quantities(values, ("r",)) == expected


SOURCES = st.sampled_from(["secret", "configMap", "emptyDir", "hostPath", "nfs", "unknown"])
SOURCE = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={"secretName": st.just("s"), "path": st.just("/p"), "defaultMode": ODD},
    ),
    ODD,
)


@given(st.dictionaries(st.one_of(SOURCES, st.just("name")), SOURCE, max_size=3))
def test_single_source_volumes_equal_the_general_check(volume: dict[str, Any]) -> None:
    with mock.patch.object(volumes, "SOURCE_SET", frozenset()):
        expected = outcome(volumes._source, volume, ("v",))
    assert outcome(volumes._source, volume, ("v",)) == expected


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        container.seccomp.security.alpha.kubernetes.io/web: runtime/default
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - {containerPort: 80}
            - {containerPort: 80, hostPort: 8080}
          env:
            - {name: A, value: "1"}
            - {name: A, value: "2"}
            - name: B
              value: x
              valueFrom: {configMapKeyRef: {name: cfg, key: k}}
          resources:
            limits: {memory: 1.5, cpu: 100m}
"""


def test_warnings_and_errors_beside_the_fast_paths(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", path)
    for expected in (
        "overlapping port definition",
        "hides previous definition of",
        "may not be specified when `value` is not empty",
        "fractional byte value",
        "seccompProfile",
    ):
        assert expected in result.stdout
