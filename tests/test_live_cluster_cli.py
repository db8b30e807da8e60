"""Issue 16, done-when: live input (`kubectl get deploy,rs,hpa,quota,limitrange,pdb -o yaml`)
gives the same answers as the same objects as files, through `plan` and `check`
(fixtures/cluster/README.md describes the two inputs).

Where live state legitimately says more, the tests name it: the autoscaler's
status.currentReplicas (one plan at 4) instead of its range (plans at minReplicas 4 and
maxReplicas 8); the old ReplicaSet's real name and image instead of `<previous>` and an
unknown change; the quota's status.used instead of an assumed usage (RP330, an error, instead
of RP331, a warning with the assumption in its message)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, RunCli

CLUSTER = FIXTURES / "cluster"
MANIFESTS, LIVE = CLUSTER / "manifests", CLUSTER / "kubectl-get.yaml"
ASSUMED = (
    " (assuming quota compute is used by this Deployment's 4 current pod(s), and no other pod "
    "of namespace store)"
)


def _unassumed(message: str) -> str:
    """Without the assumption about the quota's usage, and which of the files' two plans
    the finding is about (live input has one plan)."""
    return message.replace(ASSUMED, "").removesuffix(" (the plan at minReplicas 4)")


def _json(run_cli: RunCli, command: str, path: Path) -> dict[str, Any]:
    result = run_cli(command, "--format", "json", "--no-cache", path)
    assert result.exit_code == (1 if path == LIVE else 0), result.stderr  # RP330 is an error
    assert result.stderr == ""
    return json.loads(result.stdout)


def _comparable(plan: dict[str, Any], live_name: str = "") -> dict[str, Any]:
    """The plan without what live state legitimately tells apart (see the docstring)."""
    plan = {k: v for k, v in plan.items() if k not in ("file", "notes", "replicasFrom", "changes")}
    if live_name:
        plan["steps"] = [
            {**step, "action": step["action"].replace(live_name, "cart-<previous>")}
            for step in plan["steps"]
        ]
    quotas = [{k: v for k, v in q.items() if k != "usedFrom"} for q in plan["quota"]["quotas"]]
    plan["quota"] = {**plan["quota"], "quotas": quotas}
    return plan


@pytest.mark.parametrize("command", ["plan", "check"])
def test_the_live_plan_is_the_files_plan_at_the_autoscalers_current_replicas(
    run_cli: RunCli, command: str
) -> None:
    files, live = _json(run_cli, command, MANIFESTS), _json(run_cli, command, LIVE)
    low, high = files["plans"]
    (current,) = live["plans"]
    assert [low["replicasFrom"]["field"], high["replicasFrom"]["field"]] == [
        "spec.minReplicas",
        "spec.maxReplicas",
    ]
    assert current["replicasFrom"] == {
        "kind": "HorizontalPodAutoscaler",
        "name": "cart",
        "field": "status.currentReplicas",
        "replicas": 4,
    }
    assert _comparable(current, live_name="cart-7d4c9b8f5c") == _comparable(low)
    # the quota's room, the LimitRange's default cpu limit and the slowed steps, read both ways
    assert current["quota"]["perPod"]["limits.cpu"] == "500m"
    assert current["quota"]["quotas"][0]["room"]["limits.cpu"] == "500m"
    assert [s.get("newCreated") for s in current["steps"] if s["kind"] == "scale"] == [
        None, None, 1, None, 3, None,
    ]  # fmt: skip
    assert (low["quota"]["quotas"][0]["usedFrom"], current["quota"]["quotas"][0]["usedFrom"]) == (
        "assumed",
        "status.used",
    )
    assert current["changes"] == [
        {
            "what": "image cart",
            "before": "registry.example.com/store/cart:2.8.0",
            "after": "registry.example.com/store/cart:2.8.1",
        }
    ]
    assert files["summary"]["checked"] | {"ReplicaSet": 1} == live["summary"]["checked"]


@pytest.mark.parametrize("command", ["plan", "check"])
def test_the_findings_are_the_same_but_the_quotas_usage_is_known_live(
    run_cli: RunCli, command: str
) -> None:
    files, live = _json(run_cli, command, MANIFESTS), _json(run_cli, command, LIVE)

    def seen(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
        return [
            (f["rule"], f["severity"], f["kind"], f["field"], _unassumed(f["message"]))
            for f in report["findings"]
        ]

    slowed = (
        "the quota leaves no room for some of the new pods the Deployment asks for (from step "
        "3: 1 of 3 created), which slows the rollout; raise the quota, or lower maxSurge "
        "(maxSurge 0 with maxUnavailable 1 or more: old pods make room for the new ones)"
    )
    on_files, on_live = seen(files), seen(live)
    # the files' plan at maxReplicas 8 has no room at all: a stall only that plan has
    (stall,) = [f for f in on_files if f[4].startswith("the rollout stalls at step 4")]
    on_files.remove(stall)
    assert [f[:4] for f in on_files] == [
        ("RP317", "warning", "Deployment", "spec.replicas"),
        ("RP331", "warning", "Deployment", "spec.strategy"),
        ("RP319", "info", "PodDisruptionBudget", "spec.maxUnavailable"),
    ]
    assert [f[:4] for f in on_live] == [
        ("RP317", "warning", "Deployment", "spec.replicas"),
        ("RP330", "error", "Deployment", "spec.strategy"),
        ("RP319", "info", "PodDisruptionBudget", "spec.maxUnavailable"),
    ]
    assert [f[4] for f in on_files] == [f[4] for f in on_live]
    assert on_live[1][4] == slowed
    assert ASSUMED in files["findings"][1]["message"]
    assert files["findings"][1]["message"].endswith(" (the plan at minReplicas 4)")
    # live positions point into the List's items
    assert [(f["line"], f["column"]) for f in live["findings"]] == [(132, 15), (137, 5), (596, 21)]
