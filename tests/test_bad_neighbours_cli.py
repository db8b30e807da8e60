"""Bad ResourceQuota and PodDisruptionBudget manifests (issue 16): findings with
file:line:column, the field path and the API server's words, through lint, check and plan;
never a traceback (run_cli raises on one); the other files are still checked and planned,
and an invalid quota or budget, which the API server refuses, shapes no plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, RunCli

DEPLOYMENT = (FIXTURES / "cluster" / "manifests" / "deployment.yaml").read_text(encoding="utf-8")
QUOTAS = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: store
spec:
  hard:
    requests.cpu: 2 cores
    limits.memory: -1Gi
    pods: "10"
    count/deployments.apps: "1.5"
  scopes: [Terminating, NotTerminating]
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: shaped
  namespace: store
spec:
  hard: [pods]
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: tiny
  namespace: store
spec:
  hard:
    pods: 4
  scopes: [1]
"""
BUDGETS = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: cart
  namespace: store
spec:
  minAvailable: 2
  maxUnavailable: 150%
  selector:
    matchLabels:
      app: cart
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: negative
  namespace: store
spec:
  maxUnavailable: -1
  unhealthyPodEvictionPolicy: Sometimes
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: shaped
  namespace: store
spec: [1, 2]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: percent
  namespace: store
spec:
  minAvailable: "50"
  selector: {matchLabels: {app: cart}}
"""
QUOTA_FINDINGS = [
    ("quota.yaml", 8, 19, "RP279", "spec.hard[requests.cpu]",
     "Invalid value: \"2 cores\": quantities must match the regular expression "
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got '2 cores')"),
    ("quota.yaml", 9, 20, "RP279", "spec.hard[limits.memory]",
     'Invalid value: "-1Gi": must be greater than or equal to 0'),
    ("quota.yaml", 11, 29, "RP279", "spec.hard[count/deployments.apps]",
     'Invalid value: "1.5": must be an integer'),
    ("quota.yaml", 12, 3, "RP279", "spec.scopes",
     'Invalid value: ["Terminating", "NotTerminating"]: conflicting scopes'),
    ("quota.yaml", 20, 3, "RP101", "spec.hard", "a list is not of type 'object'"),
    ("quota.yaml", 30, 12, "RP101", "spec.scopes[0]",
     'a string is wanted, but YAML reads 1 as a number: quote it ("1")'),
]  # fmt: skip
BUDGET_FINDINGS = [
    ("pdb.yaml", 6, 1, "RP281", "spec",
     'Invalid value: {minAvailable: 2, maxUnavailable: "150%", selector: {matchLabels: {app: '
     "cart}}}: minAvailable and maxUnavailable cannot be both set"),
    ("pdb.yaml", 8, 19, "RP281", "spec.maxUnavailable",
     'Invalid value: "150%": must not be greater than 100%'),
    ("pdb.yaml", 19, 19, "RP281", "spec.maxUnavailable",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("pdb.yaml", 20, 31, "RP281", "spec.unhealthyPodEvictionPolicy",
     'Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"'),
    ("pdb.yaml", 27, 1, "RP101", "spec", "a list is not of type 'object'"),
    ("pdb.yaml", 35, 17, "RP281", "spec.minAvailable",
     "Invalid value: \"50\": a valid percent string must be a numeric string followed by an "
     "ending '%'"),
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT, "utf-8")
    (tmp_path / "quota.yaml").write_text(QUOTAS, "utf-8")
    (tmp_path / "pdb.yaml").write_text(BUDGETS, "utf-8")
    return tmp_path


@pytest.mark.parametrize("command", ["lint", "check", "plan"])
def test_each_bad_quota_and_budget_is_a_finding_with_its_place_and_the_servers_words(
    run_cli: RunCli, folder: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(folder)
    result = run_cli(command, "--format", "json", "--no-cache", ".")
    assert result.exit_code == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    found = [
        (f["file"], f["line"], f["column"], f["rule"], f["field"], f["message"])
        for f in report["findings"]
    ]
    assert found == BUDGET_FINDINGS + QUOTA_FINDINGS
    assert report["summary"]["checked"] == {
        "Deployment": 1,
        "PodDisruptionBudget": 4,
        "ResourceQuota": 3,
    }
    if command != "lint":
        (plan,) = report["plans"]  # the Deployment's file is still planned
        assert plan["outcome"] == "complete"
        assert "quota" not in plan  # no quota the API server would have admitted


def test_a_valid_budget_beside_bad_ones_is_still_related(run_cli: RunCli, folder: Path) -> None:
    """The invalid budgets are not judged (RP318/RP319); a valid one in another file is."""
    (folder / "good.yaml").write_text(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: good\n"
        "  namespace: store\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n"
        "      app: cart\n",
        "utf-8",
    )
    result = run_cli("check", "--format", "json", "--no-cache", folder)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["name"]) for f in findings if f["rule"].startswith("RP31")] == [
        ("RP319", "good")
    ]


def test_text_output_gives_file_line_column(run_cli: RunCli, folder: Path) -> None:
    text = run_cli("check", "--no-cache", folder / "pdb.yaml").stdout
    assert text.splitlines()[1] == (
        f"{folder / 'pdb.yaml'}:8:19: error RP281 spec.maxUnavailable: Invalid value: "
        '"150%": must not be greater than 100% [PodDisruptionBudget store/cart]'
    )
