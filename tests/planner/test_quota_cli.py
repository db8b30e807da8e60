"""Plans under a ResourceQuota and LimitRange of the Deployment's namespace, through the CLI:
fewer new pods per step when the quota has room for only some surge pods, a stall at the
first step when it has none (with the API server's message), LimitRange defaults charged,
and live input with status.used giving the same answers as files."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

QUOTA = FIXTURES / "quota"
FIX = (
    "raise the quota, or lower maxSurge (maxSurge 0 with maxUnavailable 1 or more: old pods "
    "make room for the new ones)"
)
STALL = (
    "exceeded quota: mem-cpu-demo, requested: requests.cpu=500m, used: requests.cpu=1500m, "
    "limited: requests.cpu=1500m"
)


def _json(run_cli: RunCli, *args: object) -> dict[str, Any]:
    return json.loads(run_cli("plan", "--format", "json", *args).stdout)


def _steps(plan: dict[str, Any]) -> list[tuple[str, int, int, int | None, int, int]]:
    return [
        (s["kind"], s["old"], s["new"], s.get("newCreated"), s["available"], s["seconds"])
        for s in plan["steps"]
    ]


def test_a_quota_with_room_for_one_surge_pod_creates_one_new_pod_per_step(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, QUOTA / "surge-slowed.yaml")
    (plan,) = report["plans"]
    # maxSurge 3 asks for 3 new pods; the quota (requests.cpu 1500m of 2 used) has room for
    # one; each old pod scaled down frees its room once it has terminated
    assert _steps(plan) == [
        ("scale", 3, 3, 1, 3, 0),
        ("wait", 3, 3, 1, 4, 5),
        ("scale", 2, 3, 1, 3, 5),
        ("wait", 2, 3, 1, 3, 5),  # the old pod terminates
        ("wait", 2, 3, 2, 4, 10),
        ("scale", 1, 3, 2, 3, 10),
        ("wait", 1, 3, 2, 3, 10),
        ("wait", 1, 3, None, 4, 15),
        ("scale", 0, 3, None, 3, 15),
    ]
    assert plan["outcome"] == "complete" and plan["waves"] == 3
    assert "stallReason" not in plan
    quota = plan["quota"]
    assert quota["quotas"] == [
        {
            "name": "mem-cpu-demo",
            "usedFrom": "assumed",
            "hard": {"limits.cpu": "4", "limits.memory": "4Gi", "pods": "10",
                     "requests.cpu": "2", "requests.memory": "2Gi"},
            "used": {"limits.cpu": "3", "limits.memory": "1536Mi", "pods": "3",
                     "requests.cpu": "1500m", "requests.memory": "768Mi"},
            "room": {"limits.cpu": "1", "limits.memory": "2560Mi", "pods": "7",
                     "requests.cpu": "500m", "requests.memory": "1280Mi"},
        }
    ]  # fmt: skip
    assert quota["peakPods"] == 4
    assert quota["peakRequests"] == {"requests.cpu": "2", "requests.memory": "1Gi"}
    assert quota["peakLimits"] == {"limits.cpu": "4", "limits.memory": "2Gi"}
    assumed = (
        "quota mem-cpu-demo has no status.used: assumes quota mem-cpu-demo is used by this "
        "Deployment's 3 current pod(s), and no other pod of namespace quota-mem-cpu-example"
    )
    assert assumed in plan["notes"]
    (finding,) = [f for f in report["findings"] if f["rule"].startswith("RP33")]
    assert (finding["rule"], finding["severity"], finding["line"]) == ("RP331", "warning", 25)
    assert "from step 1: 1 of 3 created" in finding["message"]


def test_the_step_table_shows_desired_and_created_new_pods(run_cli: RunCli) -> None:
    text = run_cli("plan", QUOTA / "surge-slowed.yaml").stdout
    assert (
        "create new ReplicaSet nginx-deployment-<new> at 3             3      3 (1 created)" in text
    )
    assert "wait: 1 old pod terminates" in text
    assert "quota mem-cpu-demo: room limits.cpu=1, limits.memory=2560Mi, pods=7, " in text
    assert "peak 4 pods exist at once (requests.cpu=2, requests.memory=1Gi, " in text


def test_no_room_and_max_unavailable_0_stalls_at_the_first_step(run_cli: RunCli) -> None:
    report = _json(run_cli, QUOTA / "no-room.yaml")
    (plan,) = report["plans"]
    assert _steps(plan) == [("scale", 3, 3, 0, 3, 0)]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == STALL
    assert plan["final"] == {"old": 3, "new": 3, "available": 3, "upToDate": 0}
    assert plan["progressDeadlineExceededSeconds"] == 600
    assert f"stalled: {STALL}: the ReplicaSet controller cannot create the new pods " \
        f"(FailedCreate, ReplicaFailure); {FIX}" in plan["notes"]  # fmt: skip
    (finding,) = [f for f in report["findings"] if f["rule"].startswith("RP33")]
    assert finding["rule"] == "RP331" and finding["severity"] == "warning"
    assert finding["message"] == (
        f"the rollout stalls at step 1: {STALL} (assuming quota mem-cpu-demo is "
        "used by this Deployment's 3 current pod(s), and no other pod of namespace "
        f"quota-mem-cpu-example); the new pods are never created; {FIX}"
    )


def test_the_stall_reason_is_in_text_markdown_and_sarif(run_cli: RunCli) -> None:
    path = QUOTA / "no-room.yaml"
    text = run_cli("plan", path).stdout
    assert (
        "outcome: stalled at old 3 / new 3 " in text
        and f"nothing is rolled back; {STALL}\n" in text
    )
    markdown = run_cli("plan", "--format", "markdown", path).stdout
    assert STALL in markdown
    sarif = json.loads(run_cli("plan", "--format", "sarif", path).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "RP331"]
    assert STALL in result["message"]["text"]


def test_a_limit_range_default_request_is_charged(run_cli: RunCli) -> None:
    report = _json(run_cli, QUOTA / "limitrange-defaults.yaml")
    (plan,) = report["plans"]
    # no resources in the container: the LimitRange's defaultRequest cpu 0.5 and default
    # cpu 1 are what each pod is charged
    assert plan["quota"]["perPod"] == {
        "count/pods": "1", "cpu": "500m", "limits.cpu": "1", "pods": "1", "requests.cpu": "500m"
    }  # fmt: skip
    assert plan["quota"]["quotas"][0]["room"] == {"requests.cpu": "500m"}
    assert plan["steps"][0]["new"] == 2 and plan["steps"][0]["newCreated"] == 1
    assert plan["outcome"] == "complete" and plan["waves"] == 3


def test_live_input_with_status_used_gives_the_same_answers_as_files(run_cli: RunCli) -> None:
    files = _json(run_cli, QUOTA / "no-room.yaml")
    live = _json(run_cli, QUOTA / "live-no-room.yaml")
    (from_files,), (from_live,) = files["plans"], live["plans"]
    for key in ("outcome", "stallReason", "final", "waves", "durationSeconds"):
        assert from_live[key] == from_files[key], key
    assert _steps(from_live) == _steps(from_files)
    for quota in (from_files["quota"], from_live["quota"]):
        assert [q.pop("usedFrom") for q in quota["quotas"]] in (["assumed"], ["status.used"])
    assert from_live["quota"] == from_files["quota"]
    (finding,) = [f for f in live["findings"] if f["rule"].startswith("RP33")]
    # usage from status.used: proven, an error; without it the same plan is a warning
    assert (finding["rule"], finding["severity"]) == ("RP330", "error")
    assert STALL in finding["message"] and "assuming" not in finding["message"]


def test_a_deployment_of_another_namespace_is_not_limited(run_cli: RunCli) -> None:
    text = (QUOTA / "no-room.yaml").read_text(encoding="utf-8")
    other = text.replace(
        "  name: nginx-deployment\n  namespace: quota-mem-cpu-example",
        "  name: nginx-deployment\n  namespace: shop",
    )
    assert other != text
    result = run_cli("plan", "--format", "json", "-", stdin=other)
    (plan,) = json.loads(result.stdout)["plans"]
    assert plan["outcome"] == "complete" and "quota" not in plan
