"""The pre-commit `check` hook prints the findings and one line per Deployment
(`--plans brief` in its entry); `--plans full` in the hook's `args:` brings the plans back."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.ci.test_check_git import SERVICE, deployment, git
from tests.conftest import ROOT, RunCli

HOOKS = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
(CHECK_HOOK,) = [hook for hook in HOOKS if hook["id"] == "rolloutplan-check"]
# the hook's command line without the program: pre-commit adds `args:`, then the files
HOOK_ARGS = shlex.split(CHECK_HOOK["entry"])[1:]


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two Deployments (one untagged: a finding) and a Service, as a hook would be given."""
    monkeypatch.chdir(tmp_path)
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "web.yaml").write_text(deployment("web", replicas=10) + "---\n" + SERVICE)
    (deploy / "api.yaml").write_text(deployment("api").replace(":1.0.0", ""))
    return deploy


def test_the_check_hook_asks_for_brief_plans() -> None:
    assert HOOK_ARGS == ["check", "--plans", "brief"]


def test_the_hook_prints_findings_and_a_line_per_deployment(
    run_cli: RunCli, manifests: Path
) -> None:
    result = run_cli(*HOOK_ARGS, "deploy/web.yaml", "deploy/api.yaml")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    findings = [line for line in lines if line.startswith("deploy/")]
    assert [line.split()[2] for line in findings] == ["RP302"]
    assert lines[1:3] == [
        "Deployment default/api (deploy/api.yaml): rollout, 9 steps, 3 waves x start-up, "
        "peak 4 pods, "
        "min available 3: complete",
        "Deployment default/web (deploy/web.yaml): rollout, 8 steps, 2 waves x start-up, "
        "peak 13 pods, "
        "min available 8: complete",
    ]
    # findings + Deployments + the pointer to the full plans and the summary
    assert len(lines) <= len(findings) + 2 + 2
    assert "--plans full" in lines[-2]
    assert lines[-1].startswith("2 files, 3 objects checked")


def test_a_plans_full_in_the_hooks_args_wins(run_cli: RunCli, manifests: Path) -> None:
    """pre-commit appends `args:` to the entry: the last --plans counts."""
    full = run_cli(*HOOK_ARGS, "--plans", "full", "deploy").stdout
    assert full == run_cli("check", "deploy").stdout
    assert "STEP    ACTION" in full


def test_a_change_names_what_changed_and_the_outcome(
    run_cli: RunCli, manifests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(manifests.parent, "init", "-q")
    git(manifests.parent, "add", ".")
    git(manifests.parent, "commit", "-qm", "base")
    web = deployment("web", replicas=10, tag="1.1.0").replace("replicas: 10", "replicas: 12")
    (manifests / "web.yaml").write_text(web + "---\n" + SERVICE)
    (manifests / "api.yaml").write_text(deployment("api", label="api-v2").replace(":1.0.0", ""))
    result = run_cli(*HOOK_ARGS, "--base", "HEAD", "deploy")
    plans = [line for line in result.stdout.splitlines() if line.startswith("Deployment ")]
    assert plans[0].startswith("Deployment default/api (deploy/api.yaml): refused, ")
    assert plans[0].endswith("the current pods keep running")
    assert plans[1].startswith(
        "Deployment default/web (deploy/web.yaml): scale-then-rollout, "
        "image app: example.com/web:1.0.0 -> example.com/web:1.1.0, replicas: 10 -> 12, "
    )
    assert plans[1].endswith(": complete")
