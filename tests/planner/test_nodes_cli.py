"""Plans on a number of nodes (``--nodes``), through the CLI: required pod anti-affinity on
kubernetes.io/hostname between a Deployment's own pods leaves a surge pod Pending when the
old pods hold every node, which stalls a rollout with maxUnavailable 0 at its first step
(RP320, with the scheduler's message); with maxUnavailable 1 an old pod frees its node and
the rollout completes; without --nodes nothing changes."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

SCHEDULING = FIXTURES / "scheduling"
STALLS = SCHEDULING / "redis-cache.yaml"  # 3 replicas, maxSurge 1, maxUnavailable 0
COMPLETES = SCHEDULING / "redis-cache-unavailable-1.yaml"  # maxSurge 1, maxUnavailable 1
EVENT = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
HOST_LIMIT = {
    "kind": "podAntiAffinity",
    "topologyKey": "kubernetes.io/hostname",
    "domains": 3,
    "podsPerDomain": 1,
    "countsOldPods": True,
}
SCHEDULING_3 = {"nodes": 3, "podsPerNode": 1, "source": "flags", "constraints": [HOST_LIMIT]}
FIX = (
    "set maxUnavailable to 1 or more (an old pod then leaves its node to a new one), or "
    "maxSurge to 0, or add nodes"
)


def _json(run_cli: RunCli, *args: object) -> dict[str, Any]:
    return json.loads(run_cli("plan", "--format", "json", *args).stdout)


def _steps(plan: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    return [(s["kind"], s["old"], s["new"], s["available"]) for s in plan["steps"]]


def test_as_many_replicas_as_nodes_and_max_unavailable_0_stall_at_the_first_step(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, "--nodes", "3", STALLS)
    (plan,) = report["plans"]
    # the surge pod is created (4 pods exist) but has no node: it never becomes available,
    # and no old pod may go before it does
    assert _steps(plan) == [("scale", 3, 1, 3)]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == EVENT
    assert plan["scheduling"] == {**SCHEDULING_3, "pendingAtEnd": 1}
    stalled = f"stalled: 1 new pod(s) stay Pending ({EVENT}; FailedScheduling); {FIX}"
    assert stalled in plan["notes"]
    (finding,) = [f for f in report["findings"] if f["rule"] == "RP320"]
    assert finding["severity"] == "warning"
    assert finding["message"] == (
        "the rollout stalls at step 1: required pod anti-affinity on kubernetes.io/hostname "
        "lets each of the 3 node(s) run one of these pods, and the old pods hold them all: "
        f"1 new pod stays Pending ({EVENT}); {FIX}"
    )


def test_the_text_outcome_gives_the_schedulers_message(run_cli: RunCli) -> None:
    result = run_cli("plan", "--nodes", "3", STALLS)
    assert "outcome: stalled at old 3 / new 1 " in result.stdout
    assert f"nothing is rolled back; {EVENT}\n" in result.stdout
    assert "warning RP320 spec.strategy: the rollout stalls at step 1" in result.stdout


def test_max_unavailable_1_lets_an_old_pod_free_its_node_and_the_rollout_completes(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, "--nodes", "3", COMPLETES)
    (plan,) = report["plans"]
    assert plan["outcome"] == "complete"
    assert "stallReason" not in plan
    assert plan["scheduling"] == {**SCHEDULING_3, "pendingAtEnd": 0}
    assert not [f for f in report["findings"] if f["rule"] == "RP320"]
    # a new pod becomes available only once an old pod has gone: never more available pods
    # than the 3 nodes hold
    assert _steps(plan) == [
        ("scale", 3, 1, 3),
        ("scale", 2, 1, 2),
        ("scale", 2, 2, 2),
        ("wait", 2, 2, 2),  # the old pod terminates: its node is free
        ("wait", 2, 2, 3),
        ("scale", 1, 2, 2),
        ("scale", 1, 3, 2),
        ("wait", 1, 3, 2),
        ("wait", 1, 3, 3),
        ("scale", 0, 3, 2),
        ("wait", 0, 3, 2),
        ("wait", 0, 3, 3),
    ]


def test_a_spare_node_takes_the_surge_pod(run_cli: RunCli) -> None:
    (plan,) = _json(run_cli, "--nodes", "4", STALLS)["plans"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["pendingAtEnd"] == 0


def test_fewer_nodes_than_running_pods_are_named(run_cli: RunCli) -> None:
    (plan,) = _json(run_cli, "--nodes", "1", COMPLETES)["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == (
        "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."
    )
    assert (
        "the rollout starts with 3 pods where these constraints let 1 run: 2 of them would "
        "be Pending already; the plan takes them to run"
    ) in plan["notes"]


def test_without_nodes_nothing_changes(run_cli: RunCli) -> None:
    (plan,) = _json(run_cli, STALLS)["plans"]
    assert plan["outcome"] == "complete"
    assert "scheduling" not in plan and "stallReason" not in plan
    assert not any("anti-affinity" in note for note in plan["notes"])


def test_nodes_change_nothing_for_pods_without_the_anti_affinity(run_cli: RunCli) -> None:
    other = FIXTURES / "quota" / "surge-slowed.yaml"
    for args in (["--format", "json"], []):
        without = run_cli("plan", *args, other)
        given = run_cli("plan", *args, "--nodes", "1", other)
        assert (given.stdout, given.stderr, given.exit_code) == (
            without.stdout,
            without.stderr,
            without.exit_code,
        )


def test_nodes_must_be_at_least_1(run_cli: RunCli) -> None:
    result = run_cli("plan", "--nodes", "0", STALLS)
    assert result.exit_code == 2
    assert "--nodes" in result.stderr


def test_help_and_explain(run_cli: RunCli) -> None:
    assert "--nodes N" in run_cli("plan", "--help").stdout
    explained = run_cli("explain", "RP320")
    assert explained.exit_code == 0
    assert "anti-affinity-blocks-rollout" in explained.stdout
    assert "maxUnavailable: 1" in explained.stdout
