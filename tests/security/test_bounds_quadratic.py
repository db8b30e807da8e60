"""Work that stays linear in the input (issue 11): a kubectl-get-like List of many Deployments
and their ReplicaSets, Deployments with hundreds or thousands of live ReplicaSets, and
thousands of unknown fields whose findings must each be located.  The work is counted
(selector matches, ReplicaSet states read, keys read), never timed."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from rolloutplan.load import yaml_docs
from rolloutplan.model.objects import Deployment, LabelSelector, ReplicaSet
from rolloutplan.planner import simulate
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.simulate import NewPods
from tests.conftest import RunCli
from tests.planner.test_runs import both_ways, setups

INT32 = 2**31 - 1
TEMPLATE: dict[str, Any] = {"spec": {"containers": [{"name": "app", "image": "web:2"}]}}


def deployment(name: str, replicas: int, namespace: str = "default") -> dict[str, Any]:
    template = {**TEMPLATE, "metadata": {"labels": {"app": name}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": template,
        },
    }


def replica_set(
    owner: str, index: int, size: int, *, owned: bool = True, namespace: str = "default"
) -> dict[str, Any]:
    labels = {"app": owner, "pod-template-hash": f"h{index}"}
    containers = [{"name": "app", "image": f"web:old{index}"}]
    metadata: dict[str, Any] = {
        "name": f"{owner}-h{index}",
        "namespace": namespace,
        "labels": labels,
        "creationTimestamp": f"2026-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}Z",
    }
    if owned:
        metadata["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": owner, "uid": "u"}
            | {"controller": True}
        ]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": metadata,
        "spec": {
            "replicas": size,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
        },
        "status": {"replicas": size, "availableReplicas": size},
    }


def write_list(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "live.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    return path


def plans(run_cli: RunCli, path: Path) -> dict[str, dict[str, Any]]:
    result = run_cli("plan", "--format", "json", "--no-cache", path)
    assert result.exit_code in (0, 1), result.stdout
    return {p["deployment"]["name"]: p for p in json.loads(result.stdout)["plans"]}


@pytest.fixture
def planner_matches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the planner matched a Deployment's selector against a ReplicaSet."""
    calls = [0]
    matches = LabelSelector.matches

    def counted(self: LabelSelector, labels: Any) -> bool:
        if sys._getframe(1).f_code.co_filename.endswith("planner/start.py"):
            calls[0] += 1
        return matches(self, labels)

    monkeypatch.setattr(LabelSelector, "matches", counted)
    return calls


def test_a_list_of_many_deployments_finds_each_ones_replica_sets_by_index(
    run_cli: RunCli, tmp_path: Path, planner_matches: list[int]
) -> None:
    count = 150
    items: list[dict[str, Any]] = []
    for index in range(count):
        name = f"web{index}"
        items.append(deployment(name, 3))
        items.append(replica_set(name, 0, index + 1))  # owned: found by its owner
        items.append(replica_set(name, 1, 2, owned=False))  # found by its labels
        items.append(replica_set(name, 2, 50, owned=False, namespace="other"))
    found = plans(run_cli, write_list(tmp_path, items))
    assert len(found) == count
    for index in range(count):
        plan = found[f"web{index}"]
        assert plan["start"]["old"] == index + 1 + 2  # its own two, not the other namespace's
        assert "starts from the live state of 2 ReplicaSet(s) in the inputs" in plan["notes"]
    # one candidate per Deployment (its label's bucket), not every ReplicaSet of the namespace
    assert planner_matches[0] <= 2 * count


@pytest.fixture
def states_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """ReplicaSet states the controller's syncs read, however the simulator reaches them."""
    read = [0]
    sync = simulate._sync

    def counted(
        deployment: Deployment, budget: Any, state: Cluster, *args: Any
    ) -> tuple[Cluster, Any]:
        read[0] += len(state.all)
        return sync(deployment, budget, state, *args)

    monkeypatch.setattr(simulate, "_sync", counted)
    yield read


def test_hundreds_of_live_replica_sets_stop_within_the_work_limit(
    run_cli: RunCli, tmp_path: Path, states_read: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate, "MAX_WORK", 50_000)
    olds = 200
    items = [deployment("web", INT32), *(replica_set("web", i, 1_000_000) for i in range(olds))]
    (plan,) = plans(run_cli, write_list(tmp_path, items)).values()
    assert plan["outcome"] == "truncated"
    # every round counts, those that check a run too: the last round and run check overshoot
    assert states_read[0] <= 50_000 + 2 * simulate.MAX_PERIOD * 3 * (olds + 1)


def test_a_hundred_live_replica_sets_are_planned_to_the_end(
    run_cli: RunCli, tmp_path: Path
) -> None:
    items = [deployment("web", INT32), *(replica_set("web", i, 1_000_000) for i in range(100))]
    (plan,) = plans(run_cli, write_list(tmp_path, items)).values()
    # one wave for the pods the surge leaves room for, then one per old pod after the first
    assert (plan["outcome"], plan["waves"]) == ("complete", 100_000_000)
    assert plan["final"] == {"old": 0, "new": INT32, "available": INT32, "upToDate": INT32}


def test_replica_sets_at_zero_are_read_once(
    run_cli: RunCli, tmp_path: Path, states_read: list[int]
) -> None:
    zeros = 400
    items = [deployment("web", 50), *(replica_set("web", i, 0) for i in range(zeros))]
    items.append(replica_set("web", zeros, 50))
    (plan,) = plans(run_cli, write_list(tmp_path, items)).values()
    assert (plan["outcome"], plan["waves"], plan["start"]["old"]) == ("complete", 50, 50)
    # 150 syncs of a 401-ReplicaSet state would read 60,000; set aside, the zeros are
    # read in the first sync only
    assert states_read[0] <= 2 * (zeros + 2) + 150 * 3


@given(setups())
def test_setting_replica_sets_at_zero_aside_changes_no_plan(
    setup: tuple[Deployment, list[ReplicaSet], NewPods],
) -> None:
    parked = both_ways(*setup)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate._Parked, "park", lambda self, state: state)
        assert both_ways(*setup) == parked


def unknown_fields(count: int) -> str:
    keys = "".join(f"  replicazI{index}: 1\n" for index in range(count))
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: example.com/web:1
{keys}"""


def unknown_flow_fields(count: int) -> str:
    keys = ", ".join(f"k{index}: 1" for index in range(count))
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}},"
        f" spec: {{containers: [{{name: app, image: 'web:1'}}]}}}}, {keys}}}\n"
    )


@pytest.fixture
def keys_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Mapping keys read to locate findings."""
    read = [0]
    scalar_or_text = yaml_docs._scalar_or_text

    def counted(node: Any) -> Any:
        read[0] += 1
        return scalar_or_text(node)

    monkeypatch.setattr(yaml_docs, "_scalar_or_text", counted)
    return read


def lint_json(run_cli: RunCli, path: Path) -> list[dict[str, Any]]:
    result = run_cli("lint", "--format", "json", "--no-cache", path)
    assert result.exit_code == 1
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return findings


def test_thousands_of_unknown_fields_are_located_reading_each_key_once(
    run_cli: RunCli, tmp_path: Path, keys_read: list[int]
) -> None:
    count = 2_000
    path = tmp_path / "deploy.yaml"
    path.write_text(unknown_fields(count))
    findings = [f for f in lint_json(run_cli, path) if f["rule"] == "RP102"]
    assert len(findings) == count
    assert [(f["line"], f["column"]) for f in findings] == [(17 + i, 3) for i in range(count)]
    assert keys_read[0] <= count + 50  # a scan per finding would read 2,000,000


def test_unknown_fields_in_a_flow_mapping_keep_their_columns(
    run_cli: RunCli, tmp_path: Path, keys_read: list[int]
) -> None:
    count = 2_000
    path = tmp_path / "deploy.yaml"
    text = unknown_flow_fields(count)
    path.write_text(text)
    findings = [f for f in lint_json(run_cli, path) if f["rule"] == "RP102"]
    line = text.splitlines()[3]
    expected = [(4, line.index(f" k{i}:") + 2) for i in range(count)]
    assert [(f["line"], f["column"]) for f in findings] == expected
    assert keys_read[0] <= count + 50


def test_merged_keys_are_located_where_they_are_written(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text(
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  <<: [{replicazA: 1}, {replicazB: 2, replicazA: 3}]
  replicazB: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: example.com/web:1
"""
    )
    found = {f["field"]: (f["line"], f["column"]) for f in lint_json(run_cli, path)}
    # a key written in the mapping wins over merged ones; the first merged source wins next
    assert found["spec.replicazA"] == (6, 9)
    assert found["spec.replicazB"] == (7, 3)


def test_did_you_mean_is_searched_for_the_first_hundred_unknown_fields_of_a_mapping(
    run_cli: RunCli, tmp_path: Path
) -> None:
    keys = "".join(f"  replicaz{index:03}: 1\n" for index in range(150))
    path = tmp_path / "many.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n" + keys
        + "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        '    spec: {containers: [{name: web, image: "nginx:1.27"}]}\n'
    )  # fmt: skip
    findings = json.loads(run_cli("lint", "--format", "json", path).stdout)["findings"]
    hinted = [f for f in findings if "did you mean" in f["message"]]
    assert len(findings) == 150 and len(hinted) == 100
    assert hinted[0]["message"] == 'unknown field "replicaz000" (did you mean "replicas"?)'


def test_a_truncated_plan_is_reported_by_its_outcome_and_rp316_alone(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate, "MAX_WORK", 5_000)  # the work limit stops it, not the steps
    items = [deployment("web", INT32), *(replica_set("web", i, 1_000_000) for i in range(20))]
    result = run_cli("check", "--no-cache", write_list(tmp_path, items))
    assert result.exit_code == 0
    assert "outcome: truncated: planning stopped at old " in result.stdout
    assert "step limit" not in result.stdout
    assert "planning stopped after" not in result.stdout  # no note repeating RP316
    assert result.stdout.count("RP316") == 1
