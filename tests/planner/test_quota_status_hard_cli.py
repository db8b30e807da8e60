"""A quota from a cluster admits pods against its status.hard (the quota controller's copy of
spec.hard), which lags an edit of spec.hard until the controller syncs it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from tests.conftest import FIXTURES, ROOT, RunCli

LIVE = FIXTURES / "quota" / "live-no-room.yaml"
SPEC_CPU = (
    '  spec:\n    hard:\n      limits.cpu: "4"\n      limits.memory: 4Gi\n      pods: "10"\n'
    "      requests.cpu: 1500m\n"
)
STALL = (
    "exceeded quota: mem-cpu-demo, requested: requests.cpu=500m, used: requests.cpu=1500m, "
    "limited: requests.cpu=1500m"
)


def _plan(run_cli: RunCli, text: str) -> dict[str, Any]:
    report = json.loads(run_cli("plan", "--format", "json", "-", stdin=text).stdout)
    (plan,) = report["plans"]
    return plan


def test_a_raised_spec_hard_not_yet_in_status_still_stalls(run_cli: RunCli) -> None:
    text = LIVE.read_text(encoding="utf-8")
    raised = text.replace(SPEC_CPU, SPEC_CPU.replace("requests.cpu: 1500m", "requests.cpu: 3"))
    assert raised != text
    plan = _plan(run_cli, raised)
    assert plan["outcome"] == "stalled" and plan["stallReason"] == STALL
    (quota,) = plan["quota"]["quotas"]
    assert quota["hard"]["requests.cpu"] == "1500m"
    assert any("its status.hard differs from its spec.hard" in n for n in plan["notes"])


def test_once_the_controller_copied_it_the_rollout_runs(run_cli: RunCli) -> None:
    text = LIVE.read_text(encoding="utf-8")
    synced = text.replace(
        "requests.cpu: 1500m\n      requests.memory: 2Gi",
        "requests.cpu: 3\n      requests.memory: 2Gi",
    )
    assert synced.count("requests.cpu: 3\n") == 2
    plan = _plan(run_cli, synced)
    assert plan["outcome"] == "complete" and "stallReason" not in plan
    assert plan["quota"]["quotas"][0]["hard"]["requests.cpu"] == "3"
    assert not any("status.hard differs" in n for n in plan["notes"])


def test_the_same_quota_as_written_has_no_status(run_cli: RunCli) -> None:
    plan = _plan(run_cli, (FIXTURES / "quota" / "no-room.yaml").read_text(encoding="utf-8"))
    assert not any("status.hard differs" in n for n in plan["notes"])
    assert plan["stallReason"] == STALL


STATUS = (
    '  status:\n    hard:\n      limits.cpu: "4"\n      limits.memory: 4Gi\n      pods: "10"\n'
    "      requests.cpu: 1500m\n      requests.memory: 2Gi\n    used:\n"
)
UNSYNCED = "quota mem-cpu-demo: its status has no hard limits yet (the quota controller has not "


def test_a_live_quota_not_yet_synced_admits_every_pod(run_cli: RunCli) -> None:
    """Admission checks a quota's status.hard only: until the quota controller fills it in,
    a quota from a cluster (here with status.used but no status.hard, and as just created,
    `status: {}`) limits nothing, and the same rollout runs."""
    text = LIVE.read_text(encoding="utf-8")
    assert text.count(STATUS) == 1
    used_only = text.replace(STATUS, "  status:\n    used:\n")
    start = text.index(STATUS)
    fresh = text[:start] + "  status: {}\n" + text[text.index("- apiVersion", start) :]
    for variant in (used_only, fresh):
        report = json.loads(run_cli("plan", "--format", "json", "-", stdin=variant).stdout)
        _validates(report)
        (plan,) = report["plans"]
        assert plan["outcome"] == "complete" and "stallReason" not in plan
        assert [n for n in plan["notes"] if n.startswith(UNSYNCED)] == [
            UNSYNCED + "synced its spec.hard): the API server admits pods without checking it "
            "until then, and so does the plan"
        ]
        assert not {"RP330", "RP331"} & {f["rule"] for f in report["findings"]}


def test_a_quota_as_written_is_enforced_at_its_spec_hard(run_cli: RunCli) -> None:
    """No resourceVersion and no status: the quota is applied and its spec.hard copied."""
    text = (FIXTURES / "quota" / "no-room.yaml").read_text(encoding="utf-8")
    plan = _plan(
        run_cli, text.replace("kind: ResourceQuota\n", "kind: ResourceQuota\nstatus: {}\n")
    )
    assert plan["stallReason"] == STALL
    assert not any(n.startswith(UNSYNCED) for n in plan["notes"])


def _validates(report: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
