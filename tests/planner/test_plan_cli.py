"""`rolloutplan plan` reproduces the seed chapter's rollouts and the controller's behaviour."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

SEED = FIXTURES / "seed"
PLANS = FIXTURES / "plans"


def plan_json(run_cli: RunCli, *args: object) -> dict[str, Any]:
    result = run_cli("plan", "--format", "json", *args)
    assert result.exit_code == 0, result.stdout
    (plan,) = json.loads(result.stdout)["plans"]
    return plan


def counts(plan: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    return [(s["kind"], s["old"], s["new"], s["available"]) for s in plan["steps"]]


def test_three_replicas_default_resolve_to_surge_1_unavailable_0(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, SEED / "deployment-nginx.yaml")
    assert (plan["maxSurge"], plan["maxUnavailable"]) == (1, 0)
    assert (plan["maxPods"], plan["minAvailable"]) == (4, 3)
    # (3,0) -> (3,1) -> (2,1) -> (2,2) -> (1,2) -> (1,3) -> (0,3), never below 3 available
    assert counts(plan) == [
        ("scale", 3, 1, 3),
        ("wait", 3, 1, 4),
        ("scale", 2, 1, 3),
        ("scale", 2, 2, 3),
        ("wait", 2, 2, 4),
        ("scale", 1, 2, 3),
        ("scale", 1, 3, 3),
        ("wait", 1, 3, 4),
        ("scale", 0, 3, 3),
    ]
    assert (plan["outcome"], plan["waves"], plan["peakPods"]) == ("complete", 3, 4)


def test_the_tuned_form_gives_the_same_bounds_as_the_defaults(run_cli: RunCli) -> None:
    tuned = plan_json(run_cli, SEED / "deployment-nginx-rollingupdate.yaml")
    default = plan_json(run_cli, SEED / "deployment-nginx.yaml")
    assert tuned["steps"] == default["steps"]


def test_four_replicas_25_percent_resolve_to_1_and_1_with_the_controller_steps(
    run_cli: RunCli,
) -> None:
    plan = plan_json(run_cli, PLANS / "deployment-nginx-4-replicas.yaml")
    assert (plan["maxSurge"], plan["maxUnavailable"], plan["maxPods"], plan["minAvailable"]) == (
        1, 1, 5, 3,
    )  # fmt: skip
    # the sync that creates the new ReplicaSet also scales the old one down (4 -> 3)
    assert [s["action"] for s in plan["steps"][:3]] == [
        "create new ReplicaSet nginx-deployment-<new> at 1",
        "scale old ReplicaSet nginx-deployment-<previous> down 4 -> 3",
        "scale new ReplicaSet nginx-deployment-<new> up 1 -> 2",
    ]
    assert counts(plan) == [
        ("scale", 4, 1, 4),
        ("scale", 3, 1, 3),
        ("scale", 3, 2, 3),
        ("wait", 3, 2, 5),
        ("scale", 1, 2, 3),
        ("scale", 1, 4, 3),
        ("wait", 1, 4, 5),
        ("scale", 0, 4, 4),
    ]
    assert plan["outcome"] == "complete"


def test_ten_replicas_with_max_surge_100_percent_reach_20_pods(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, PLANS / "deployment-nginx-maxsurge-100.yaml")
    assert (plan["maxSurge"], plan["maxUnavailable"], plan["maxPods"]) == (10, 2, 20)
    assert plan["peakPods"] == 20
    assert counts(plan)[:2] == [("scale", 10, 10, 10), ("scale", 8, 10, 8)]
    assert plan["waves"] == 1


def test_image_that_cannot_be_pulled_rests_at_old_3_new_1(run_cli: RunCli) -> None:
    plan = plan_json(
        run_cli,
        "--new-pods", "never-ready",
        "--previous", SEED / "deployment-hello-server.yaml",
        SEED / "deployment-hello-server-bad-image.yaml",
    )  # fmt: skip
    assert plan["change"] == "rollout"
    assert plan["outcome"] == "stalled"
    assert plan["final"] == {"old": 3, "new": 1, "available": 3, "upToDate": 1}
    assert plan["progressDeadlineExceededSeconds"] == 600


def test_stalled_text_shows_kubectl_columns(run_cli: RunCli) -> None:
    bad = SEED / "deployment-hello-server-bad-image.yaml"
    result = run_cli("plan", "--new-pods", "never-ready", bad)
    assert result.exit_code == 0
    assert (
        "stalled at old 3 / new 1 (kubectl get deploy: READY 3/3, UP-TO-DATE 1, AVAILABLE 3)"
        in result.stdout
    )
    assert "ProgressDeadlineExceeded at ~600s" in result.stdout


def test_recreate_goes_to_zero_before_any_new_pod(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, SEED / "deployment-nginx-recreate.yaml")
    assert counts(plan) == [
        ("scale", 0, 0, 0),
        ("wait", 0, 0, 0),
        ("scale", 0, 10, 0),
        ("wait", 0, 10, 10),
    ]
    assert plan["steps"][1]["action"] == "wait: 10 old pods terminate"
    # the preStop hook sleeps 10 s before the old pods go
    assert [s["seconds"] for s in plan["steps"]] == [0, 10, 10, 10]
    assert plan["minAvailablePods"] == 0


def test_durations_come_from_probes_and_min_ready_seconds(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, PLANS / "deployment-probes.yaml")
    # 5 s first probe + (2 - 1) x 5 s period + 10 s minReadySeconds = 20 s per wave
    assert plan["waves"] == 2
    assert plan["durationSeconds"] == 40
    assert plan["peakRequests"] == {"cpu": "1250m", "memory": "640Mi"}
    overridden = plan_json(run_cli, "--pod-startup", "30", PLANS / "deployment-probes.yaml")
    assert overridden["durationSeconds"] == 2 * (30 + 10)


def test_previous_manifests_classify_each_change(run_cli: RunCli) -> None:
    previous = ("--previous", SEED / "deployment-nginx.yaml")
    scaled = plan_json(run_cli, *previous, PLANS / "deployment-nginx-scaled.yaml")
    assert scaled["change"] == "scale"
    assert counts(scaled) == [("scale", 0, 5, 3), ("wait", 0, 5, 5)]
    both = plan_json(run_cli, *previous, PLANS / "deployment-nginx-scaled-and-updated.yaml")
    assert both["change"] == "scale-then-rollout"
    first = both["steps"][0]
    assert (first["action"], first["old"], first["new"]) == (
        "scale old ReplicaSet nginx-deployment-<current> up 3 -> 5", 5, 0,
    )  # fmt: skip
    assert both["outcome"] == "complete"
    same = plan_json(run_cli, *previous, SEED / "deployment-nginx.yaml")
    assert (same["change"], same["outcome"], same["steps"]) == ("no-change", "no-rollout", [])
    result = run_cli(
        "plan", "--format", "json", *previous, PLANS / "deployment-nginx-new-selector.yaml"
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    errors = [f for f in document["findings"] if f["severity"] == "error"]
    assert [(f["rule"], f["field"]) for f in errors] == [("RP205", "spec.selector")]
    (refused,) = document["plans"]
    assert (refused["change"], refused["outcome"]) == ("refused", "refused")


def test_a_deployment_absent_from_previous_is_new(run_cli: RunCli) -> None:
    plan = plan_json(
        run_cli, "--previous", SEED / "deployment-nginx.yaml", SEED / "deployment-hello-server.yaml"
    )
    assert plan["change"] == "new"
    assert counts(plan) == [("scale", 0, 3, 0), ("wait", 0, 3, 3)]


def test_paused_deployment_does_not_roll_out(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, PLANS / "deployment-nginx-paused.yaml")
    assert (plan["outcome"], plan["steps"]) == ("paused", [])


def test_live_replica_sets_give_the_starting_state(run_cli: RunCli) -> None:
    plan = plan_json(run_cli, PLANS / "live-hello-server.yaml")
    assert plan["start"] == {"old": 4, "new": 0, "available": 3}
    # the never-ready 1.3 pod is cleaned up first; the new ReplicaSet starts at 0
    assert [s["action"] for s in plan["steps"][:3]] == [
        "create new ReplicaSet hello-server-<new> at 0",
        "scale old ReplicaSet hello-server-84cc6c9ccf down 1 -> 0",
        "scale new ReplicaSet hello-server-<new> up 0 -> 1",
    ]
    assert plan["final"] == {"old": 0, "new": 3, "available": 3, "upToDate": 3}


def test_bare_replica_sets_never_roll_out(run_cli: RunCli) -> None:
    result = run_cli("plan", PLANS / "replicaset-bare.yaml")
    assert result.exit_code == 0
    assert "ReplicaSet default/httpserver (" in result.stdout
    assert "replicaset-bare.yaml): no rollout." in result.stdout
    document = json.loads(
        run_cli("plan", "--format", "json", PLANS / "replicaset-bare.yaml").stdout
    )
    assert document["plans"] == []
    assert document["bareReplicaSets"][0]["outcome"] == "no-rollout"


def test_a_deployment_the_api_server_rejects_is_not_planned(run_cli: RunCli) -> None:
    bad = FIXTURES / "bad" / "missing-selector.yaml"
    result = run_cli("plan", "--format", "json", bad, SEED / "deployment-nginx.yaml")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [f["rule"] for f in document["findings"] if f["severity"] == "error"] == ["RP101"]
    assert [p["deployment"]["name"] for p in document["plans"]] == ["nginx-deployment"]


def test_text_shows_the_arithmetic_and_a_diagram(run_cli: RunCli) -> None:
    result = run_cli("plan", "--diagram", SEED / "deployment-nginx.yaml")
    assert result.exit_code == 0
    assert "maxSurge:        25% of 3 = 0.75 -> 1 (rounded up)" in result.stdout
    assert "maxUnavailable:  25% of 3 = 0.75 -> 0 (rounded down)" in result.stdout
    assert "bounds:          at most 4 pods, at least 3 available" in result.stdout
    assert "STEP    ACTION" in result.stdout
    assert "step 1  OLD: ■ ■ ■   NEW: □" in result.stdout
    assert "step 9  OLD: ✕ ✕ ✕   NEW: ■ ■ ■" in result.stdout


def test_unreadable_previous_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("plan", "--previous", "missing.yaml", SEED / "deployment-nginx.yaml")
    assert result.exit_code == 2
    assert "missing.yaml: error RP012" in result.stdout


def test_plan_output_is_deterministic(run_cli: RunCli) -> None:
    args = ("plan", "--format", "json", SEED, PLANS)
    assert run_cli(*args).stdout == run_cli(*args).stdout
