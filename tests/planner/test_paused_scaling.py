"""A paused Deployment is still scaled: syncDeployment sends it to sync(), which runs scale()."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, RunCli

PAUSED = FIXTURES / "plans" / "live-paused-mid-rollout.yaml"


def test_paused_mid_rollout_fills_the_surge_gap_on_the_newer_replica_set(run_cli: RunCli) -> None:
    """sync.go scale(): 2 active ReplicaSets, 4 of 5 allowed pods, so 1 to add; both have 2,
    ReplicaSetsBySizeNewer puts the newer one first and it takes the leftover. Nothing else
    happens while paused: no rollout step."""
    result = run_cli("plan", "--format", "json", str(PAUSED))
    plan = json.loads(result.output)["plans"][0]
    assert plan["outcome"] == "paused"
    steps = [(step["action"], step["old"], step["new"]) for step in plan["steps"]]
    assert steps == [("scale new ReplicaSet web-new up 2 -> 3", 2, 3)]


def test_paused_without_a_gap_takes_no_step(run_cli: RunCli, tmp_path: Path) -> None:
    """With 5 pods of the 5 allowed (the new ReplicaSet at 3), scale() has nothing to add."""
    text = PAUSED.read_text(encoding="utf-8")
    new_spec = "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web, pod-template-hash: 7c9"
    assert text.count(new_spec) == 1
    manifest = tmp_path / "paused.yaml"
    manifest.write_text(text.replace(new_spec, new_spec.replace("2", "3", 1)), encoding="utf-8")
    plan = json.loads(run_cli("plan", "--format", "json", str(manifest)).output)["plans"][0]
    assert plan["outcome"] == "paused"
    assert plan["steps"] == []
    assert (plan["final"]["old"], plan["final"]["new"]) == (2, 3)
