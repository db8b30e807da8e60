"""The stored form of a file's results: read back equal to what checking gave, with
repeated values shared; typed objects stay stored until read; anything else is a ValueError."""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan.collect import Config, PreviousIndex, _check_source
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.objects import Service
from rolloutplan.model.source import Location, MapKey, SourceText
from rolloutplan.tally import ObjectList, Suppressed, Tally, freeze, thaw
from tests.cache.test_result_cache import cached_count
from tests.conftest import RunCli

WEB = Service(ObjectRef("Service", "default", "web"), "ClusterIP", (("app", "web"),), ())
API = Service(ObjectRef("Service", "default", "api"), "ClusterIP", (("app", "api"),), ())

# Every shape a file's results are stored in: waivers (kept with their documents, applied to
# findings added across files), a map key in a field path, selector expressions, a Service
# without a selector and an ExternalName one, a ReplicaSet's owner, a skipped kind, and
# findings added across files (RP307, RP401, RP402, RP406) at positions in stored documents,
# pod sources with the ports their containers mention and a custom resource's (incomplete).
SHAPES = {
    "a-web.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    rolloutplan.io/ignore-no-readiness-probe: "probed by the mesh"
    rolloutplan.io/ignore-overlapping-selectors: "kept apart by hand"
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: tier, operator: In, values: [front, edge]}
      - {key: legacy, operator: DoesNotExist}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          args: ["--admin=:9999"]
          ports: [{containerPort: 8080, name: http}, {containerPort: 9090, protocol: UDP}]
          resources:
            requests: {cpu: 500m, memory: 64Mi}
            limits: {cpu: "1"}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    rolloutplan.io/ignore-target-port-not-declared: "declared elsewhere"
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http, nodePort: 30080}
    - {name: other, port: 81, targetPort: 7777}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
""",
    "b-api.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers: [{name: api, image: "api:latest"}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: api-6d5f
  namespace: default
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: u1, controller: true}]
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "api:1", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: outside, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: manual}
spec:
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: broken}
spec:
  selector: {app: nobody}
  ports: [{port: 80, targetPort: 8080}]
""",
    "c-broken.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  replicas: 1
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers: [{name: b, image: "b:1", resources: {requests: {cpu: lots}}}]
---
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main}
spec:
  replicas: 1
  podMetadata: {labels: {app: alerts}}
""",
}


def _write_shapes(folder: Path) -> list[SourceText]:
    folder.mkdir(exist_ok=True)
    for name, text in SHAPES.items():
        (folder / name).write_text(text)
    return [SourceText(str(folder / name), text.encode()) for name, text in SHAPES.items()]


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_a_warm_run_of_every_stored_shape_gives_a_fresh_runs_bytes(
    run_cli: RunCli, tmp_path: Path, output_format: str
) -> None:
    _write_shapes(tmp_path / "shapes")
    args = ("-v", "--format", output_format, tmp_path / "shapes")  # -v: the waived ones too
    fresh = run_cli("lint", "--no-cache", *args)
    cache = ("--cache-dir", tmp_path / "cache")
    assert run_cli("lint", *cache, *args).stdout == fresh.stdout
    warm = run_cli("lint", *cache, *args)
    assert cached_count(warm.stderr) == (3, 3)
    assert (warm.exit_code, warm.stdout) == (fresh.exit_code, fresh.stdout)
    for rule in ("RP226", "RP307", "RP401", "RP402", "RP406", "requests[cpu]"):
        assert rule in fresh.stdout


def _checked(tmp_path: Path) -> list[tuple[SourceText, Tally]]:
    config = Config(kubernetes_version="1.35")
    sources = _write_shapes(tmp_path / "shapes")
    return [(source, _check_source(source, config, PreviousIndex())) for source in sources]


STORED = ("findings", "suppressed", "claims", "declared_deployments", "documents", "checked",
          "skipped", "pod_sources", "services", "deployment_documents")  # fmt: skip


def test_thawed_results_equal_the_checked_ones(tmp_path: Path) -> None:
    for source, checked in _checked(tmp_path):
        thawed = thaw(freeze(checked), source)
        for name in STORED:
            assert getattr(thawed, name) == getattr(checked, name), name
        assert list(thawed.objects) == list(checked.objects)
        pairs = [*zip(checked.services, thawed.services, strict=True)]
        pairs += [((None, d), (None, thawed.deployment_documents[r]))
                  for r, d in checked.deployment_documents.items()]  # fmt: skip
        for (_, before), (_, after) in pairs:  # data and text are not compared by ==
            assert (after.data, after.text) == (before.data, before.text)
        for before, after in zip(checked.findings, thawed.findings, strict=True):
            assert list(map(type, after.field)) == list(map(type, before.field))
    waived = [s for _, t in _checked(tmp_path) for s in t.suppressed]
    assert waived and all(isinstance(s, Suppressed) for s in waived)


def test_repeated_values_are_read_back_as_one_object(tmp_path: Path) -> None:
    (source, checked), *_ = _checked(tmp_path)
    thawed = thaw(freeze(checked), source)
    (claim,), (pods,) = thawed.claims, thawed.pod_sources
    assert claim.ref is thawed.declared_deployments[0] is pods.ref
    assert claim.ref in thawed.deployment_documents
    assert claim.labels is pods.labels
    ((_, document),) = thawed.services
    waived = thawed.suppressed[0].finding.location
    assert document.path is document.start.path is waived.path


def test_a_field_path_keeps_its_map_keys() -> None:
    key = MapKey("cpu")
    finding = Finding("RP226", Severity.ERROR, "m", Location("a.yaml", 1, 2), None,
                      ("spec", 0, key, "requests"))  # fmt: skip
    (back,) = thaw(freeze(Tally(findings=[finding])), None).findings
    assert back == finding
    assert list(map(type, back.field)) == [str, int, MapKey, str]


def test_a_value_the_stored_form_would_change_is_not_stored() -> None:
    class Ref(ObjectRef):  # would come back as an ObjectRef
        __slots__ = ()

    with pytest.raises(TypeError):
        freeze(Tally(declared_deployments=[Ref("Deployment", "default", "web")]))


def test_objects_read_back_in_order_whether_stored_or_not() -> None:
    merged = ObjectList([WEB])
    merged.extend(thaw(freeze(Tally(objects=ObjectList([API, WEB]))), None).objects)
    merged.append(API)
    assert list(merged) == [WEB, API, WEB, API]
    assert len(merged) == 4 and merged[1] == API
    assert merged == ObjectList([WEB, API, WEB, API])


def test_extending_does_not_share_the_other_list() -> None:
    source = ObjectList([WEB])
    merged = ObjectList()
    merged.extend(source)
    merged.append(API)
    assert list(source) == [WEB]
    assert list(merged) == [WEB, API]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=12,
)


def _paths(value: Any, at: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    found = [at]
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*at, i))
    return found


def _replaced(value: Any, path: tuple[int, ...], new: Any) -> Any:
    if not path:
        return new
    copy = list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@functools.cache
def _sample() -> bytes:
    config = Config(kubernetes_version="1.35")
    text = SHAPES["a-web.yaml"].encode()
    return freeze(_check_source(SourceText("a.yaml", text), config, PreviousIndex()))


@given(st.data(), JSON)
def test_any_other_data_in_a_stored_result_is_a_value_error(data: st.DataObject, new: Any) -> None:
    """Sealed entries are the tool's own, but a bug must make a miss, never a crash."""
    head, _, objects = _sample().partition(b"\n")
    value = json.loads(head)
    path = data.draw(st.sampled_from(_paths(value)))
    damaged = json.dumps(_replaced(value, path, new)).encode() + b"\n" + objects
    with contextlib.suppress(ValueError):
        thaw(damaged, SourceText("a.yaml", SHAPES["a-web.yaml"].encode()))
