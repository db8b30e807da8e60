"""`check --base REV` and `plan --previous` with a HorizontalPodAutoscaler beside the
Deployment (issue 16): the autoscaler's replicas on both sides, its findings compared like any
other, and a change of the autoscaler alone rolls nothing out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.ci.test_check_git import git
from tests.conftest import FIXTURES, RunCli

WEB = (FIXTURES / "autoscaled" / "web.yaml").read_text(encoding="utf-8")
HPA_START, PDB_START = WEB.index("apiVersion: autoscaling/v2"), WEB.index("apiVersion: policy/v1")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """web.yaml (Deployment with replicas: 4, autoscaler 2..6, budget) committed."""
    git(tmp_path, "init", "-q")
    (tmp_path / "web.yaml").write_text(WEB, "utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(run_cli: RunCli, text: str) -> dict[str, Any]:
    Path("web.yaml").write_text(text, "utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", "--base", "HEAD", ".")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _rules(findings: list[dict[str, Any]]) -> list[str]:
    return [f["rule"] for f in findings]


def test_a_rollout_is_planned_at_the_autoscalers_replicas_from_an_old_replica_set_as_large(
    run_cli: RunCli, repo: Path
) -> None:
    """Both sides have the autoscaler: the old pods run at its count too, not spec.replicas 4."""
    report = _check(run_cli, WEB.replace("web:1.5.0", "web:1.6.0"))
    assert [(p["change"], p["replicas"], p["start"]) for p in report["plans"]] == [
        ("rollout", 2, {"old": 2, "new": 0, "available": 2}),
        ("rollout", 6, {"old": 6, "new": 0, "available": 6}),
    ]
    assert [p["replicasFrom"]["field"] for p in report["plans"]] == [
        "spec.minReplicas",
        "spec.maxReplicas",
    ]
    assert report["findings"] == [] and report["fixed"] == []
    assert report["summary"]["baseline"] == {"new": 0, "unchanged": 2, "notShown": 2, "fixed": 0}


def test_a_change_of_the_autoscaler_alone_plans_nothing(run_cli: RunCli, repo: Path) -> None:
    report = _check(run_cli, WEB.replace("maxReplicas: 6", "maxReplicas: 10"))
    assert report["plans"] == []
    assert report["findings"] == [] and report["fixed"] == []


def test_removing_spec_replicas_fixes_the_conflict_and_warns_of_the_drop_to_one(
    run_cli: RunCli, repo: Path
) -> None:
    """The apply that removes the field resets it to 1 (RP322, once for both of the
    autoscaler's plans); the count afterwards is the autoscaler's, so nothing rolls out."""
    report = _check(run_cli, WEB.replace("  replicas: 4\n", ""))
    assert _rules(report["fixed"]) == ["RP317"]
    assert _rules(report["findings"]) == ["RP322"]
    [finding] = report["findings"]
    assert (finding["line"], finding["column"], finding["field"]) == (8, 1, "spec")
    assert "spec.replicas (4 in the previous manifest) is removed" in finding["message"]
    assert "kubectl apply edit-last-applied deployment/web" in finding["message"]
    assert report["plans"] == []


def test_a_change_that_keeps_spec_replicas_out_warns_of_no_drop(
    run_cli: RunCli, repo: Path
) -> None:
    without = WEB.replace("  replicas: 4\n", "")
    Path("web.yaml").write_text(without, "utf-8")
    git(repo, "commit", "-qam", "replicas removed")
    report = _check(run_cli, without.replace("web:1.5.0", "web:1.6.0"))
    assert report["findings"] == []
    assert [p["change"] for p in report["plans"]] == ["rollout", "rollout"]
    assert all(not any("is removed" in n for n in p["notes"]) for p in report["plans"])


def test_removing_spec_replicas_0_scales_up_from_0_and_warns_of_no_drop(
    run_cli: RunCli, repo: Path
) -> None:
    """At 0 replicas the autoscaler was not scaling (ScalingDisabled): no pods run, so the
    apply's default 1 is a scale-up that wakes it, not a drop; the plan starts from 0."""
    at_zero = WEB.replace("  replicas: 4\n", "  replicas: 0\n")
    Path("web.yaml").write_text(at_zero, "utf-8")
    git(repo, "commit", "-qam", "scaled to 0")
    report = _check(run_cli, WEB.replace("  replicas: 4\n", "").replace(":1.5.0", ":1.6.0"))
    assert "RP322" not in _rules(report["findings"])
    assert [(p["replicas"], p["start"]["old"]) for p in report["plans"]] == [(2, 0), (6, 0)]
    assert all(not any("is removed" in n for n in p["notes"]) for p in report["plans"])


def test_plan_previous_notes_the_drop_to_one(run_cli: RunCli, tmp_path: Path) -> None:
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(WEB, "utf-8")
    after.write_text(WEB.replace("  replicas: 4\n", "").replace(":1.5.0", ":1.6.0"), "utf-8")
    result = run_cli("plan", "--format", "json", "--previous", str(before), str(after))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(p["change"], p["replicas"]) for p in report["plans"]] == [
        ("rollout", 2),
        ("rollout", 6),
    ]
    assert [f["rule"] for f in report["findings"] if f["rule"] == "RP322"] == ["RP322"]
    for plan in report["plans"]:
        assert any(
            n.startswith("spec.replicas (4 in the previous manifest) is removed")
            for n in plan["notes"]
        )


def test_adding_an_autoscaler_beside_spec_replicas_introduces_the_conflict(
    run_cli: RunCli, repo: Path
) -> None:
    without = WEB[:HPA_START] + WEB[PDB_START:]
    Path("web.yaml").write_text(without, "utf-8")
    git(repo, "commit", "-qam", "no autoscaler")
    report = _check(run_cli, WEB)
    assert _rules(report["findings"]) == ["RP317"]
    # the budget's finding was there before, at spec.replicas 4, and stays
    assert report["summary"]["baseline"]["unchanged"] == 1


def test_the_autoscaler_in_another_file_is_read_at_the_base_too(
    run_cli: RunCli, repo: Path
) -> None:
    """Only the Deployment's file changes: the unchanged autoscaler file still sets its
    replicas on both sides."""
    Path("web.yaml").write_text(WEB[:HPA_START], "utf-8")
    Path("hpa.yaml").write_text(WEB[HPA_START:PDB_START], "utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "split")
    report = _check(run_cli, WEB[:HPA_START].replace("web:1.5.0", "web:1.6.0"))
    assert [(p["replicas"], p["start"]["old"]) for p in report["plans"]] == [(2, 2), (6, 6)]


def test_plan_previous_gives_the_same_plans_as_check_base(
    run_cli: RunCli, repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    head = WEB.replace("web:1.5.0", "web:1.6.0")
    from_base = _check(run_cli, head)["plans"]
    previous = tmp_path_factory.mktemp("previous") / "web.yaml"
    previous.write_text(WEB, "utf-8")
    result = run_cli("plan", "--format", "json", "--no-cache", "--previous", previous, ".")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["plans"] == from_base
