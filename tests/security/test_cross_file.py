"""Answers that must not change with the order of inputs, the hash seed, or a broken
previous version: issue 11's cases across files."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.test_check_git import DEPLOYMENT, deployment, git
from tests.ci.test_check_git import repo as repo  # the fixture
from tests.conftest import FIXTURES, RunCli

ANCHORED_PORTS = """\
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
    spec:
      containers:
      - name: a
        image: nginx:1.27
        ports: &ports [{containerPort: 70000, name: Bad_Name}]
      - name: b
        image: nginx:1.27
        ports: *ports
      - name: c
        image: nginx:1.27
        ports: *ports
"""
NODE_PORT_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: edge
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
    nodePort: {node_port}
"""


def test_a_deployment_that_gains_an_error_is_reported_not_deleted(
    run_cli: RunCli, repo: Path
) -> None:
    broken = deployment("api").replace("  replicas: 3\n", "  replicas: 3\n  replica: 4\n")
    (repo / "deploy" / "api.yaml").write_text(broken)
    result = run_cli("check", "--format", "json", "--base", "HEAD", "deploy")
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["rule"], f["name"]) for f in document["findings"]] == [("RP102", "api")]
    assert document.get("deletedDeployments", []) == []
    text = run_cli("check", "--base", "HEAD", "deploy").stdout
    assert "deleted" not in text


def test_a_deployment_really_deleted_is_still_listed(run_cli: RunCli, repo: Path) -> None:
    (repo / "deploy" / "api.yaml").unlink()
    document = json.loads(run_cli("check", "--format", "json", "--base", "HEAD", "deploy").stdout)
    assert document["deletedDeployments"] == [
        {"namespace": "default", "name": "api", "file": "deploy/api.yaml"}
    ]


def test_an_invalid_base_service_is_reported_and_the_file_still_checked(
    run_cli: RunCli, repo: Path
) -> None:
    service = repo / "deploy" / "service.yaml"
    service.write_text(NODE_PORT_SERVICE.format(node_port="${NODE_PORT}"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a templated Service")
    broken = deployment("cron").replace("  replicas: 3\n", "  replica: 3\n")
    service.write_text(NODE_PORT_SERVICE.format(node_port=30080) + "---\n" + broken)
    result = run_cli("check", "--format", "json", "--base", "HEAD", "deploy")
    findings = [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert findings == [("RP238", 3), ("RP102", 19)]
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert "deploy/service.yaml:12" in document["findings"][0]["message"]


def test_an_invalid_previous_object_with_an_immutable_change_is_not_an_internal_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    previous = tmp_path / "previous.yaml"
    previous.write_text(
        NODE_PORT_SERVICE.format(node_port=30080).replace("  type: NodePort\n", "  type: [1]\n")
    )
    current = tmp_path / "current.yaml"
    current.write_text(NODE_PORT_SERVICE.format(node_port=30080))
    result = run_cli("lint", "--format", "json", "--previous", previous, current)
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["RP238"]
    assert result.exit_code == 0


def run_module(*args: str | Path, seed: int, cwd: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    command = [sys.executable, "-m", "rolloutplan", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False).stdout


def test_output_is_the_same_bytes_under_ten_hash_seeds(tmp_path: Path) -> None:
    (tmp_path / "anchored.yaml").write_text(ANCHORED_PORTS)
    (tmp_path / "seed").mkdir()
    for path in (FIXTURES / "seed").glob("*.yaml"):
        (tmp_path / "seed" / path.name).write_bytes(path.read_bytes())
    args = ("check", "--no-cache", "anchored.yaml", "seed")
    outputs = {run_module(*args, seed=seed, cwd=tmp_path) for seed in range(10)}
    assert len(outputs) == 1
    assert b"RP219" in outputs.pop()


def test_findings_that_tie_on_place_and_message_are_ordered_by_field(
    run_cli: RunCli, tmp_path: Path
) -> None:
    (tmp_path / "anchored.yaml").write_text(ANCHORED_PORTS)
    findings = json.loads(run_cli("lint", "--format", "json", tmp_path).stdout)["findings"]
    ports = [f["field"] for f in findings if f["rule"] == "RP219"]
    assert len(ports) == 3 and len({f["line"] for f in findings if f["rule"] == "RP219"}) == 1
    assert ports == sorted(ports)


@pytest.mark.parametrize("command", ["lint", "plan", "check"])
def test_argument_order_does_not_change_the_output(
    run_cli: RunCli, tmp_path: Path, command: str
) -> None:
    """The same Deployment in two files, and a Service that selects only one copy's pods:
    whichever order the files are given in, the same copy counts."""
    (tmp_path / "a.yaml").write_text(deployment("web", label="web"))
    (tmp_path / "b.yaml").write_text(DEPLOYMENT.format(
        name="web", replicas=2, label="web-v2", tag="2.0.0"
    ))  # fmt: skip
    (tmp_path / "c.yaml").write_text(ANCHORED_PORTS.replace("name: web", "name: other"))
    (tmp_path / "service.yaml").write_text(NODE_PORT_SERVICE.format(node_port=30080))
    names = ["a.yaml", "b.yaml", "c.yaml", "service.yaml"]
    orders = list(itertools.permutations(names))[::5][:5]
    outputs = set()
    codes = set()
    for order in orders:
        result = run_cli(command, "--format", "json", *(tmp_path / name for name in order))
        outputs.add(result.stdout)
        codes.add(result.exit_code)
    assert len(orders) == 5
    assert len(outputs) == 1 and len(codes) == 1


@pytest.mark.parametrize("damage", [b"  x: [\n", b"\xff\n"], ids=["syntax-error", "not-utf-8"])
def test_a_deployment_whose_file_cannot_be_read_now_is_not_deleted(
    run_cli: RunCli, repo: Path, damage: bytes
) -> None:
    api = repo / "deploy" / "api.yaml"
    api.write_bytes(api.read_bytes() + damage)
    document = json.loads(run_cli("check", "--format", "json", "--base", "HEAD", "deploy").stdout)
    assert [f["rule"] for f in document["findings"]] in (["RP001"], ["RP003"])
    assert document["deletedDeployments"] == []


@pytest.mark.parametrize("command", ["lint", "plan", "check"])
def test_a_missing_previous_path_is_unreadable_input(
    run_cli: RunCli, tmp_path: Path, command: str
) -> None:
    current = tmp_path / "current.yaml"
    current.write_text(deployment("web"))
    result = run_cli(command, "--previous", tmp_path / "gone.yaml", current)
    assert result.exit_code == 2
    assert f"{tmp_path / 'gone.yaml'}: error RP012 --previous: no such file or directory" in (
        result.stdout
    )
