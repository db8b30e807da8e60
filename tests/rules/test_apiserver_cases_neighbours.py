"""The HorizontalPodAutoscaler, PodDisruptionBudget, ResourceQuota and LimitRange cases of
fixtures/apiserver-cases/neighbour-cases.json run through ``rolloutplan lint`` as manifests.

The HPA and PDB cases are transcribed from Kubernetes' own validation tests
(pkg/apis/autoscaling/validation, pkg/apis/policy/validation); the quota and LimitRange ones
from reading core ValidateResourceQuota and ValidateLimitRange (each case's ``source`` says
which).  Each case is a base object below plus mutations; an invalid case must give each
expected (rule, field) finding, and a valid one no error at all.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, RunCli
from tests.rules.test_apiserver_cases_workload import apply_mutations

CASES = json.loads((FIXTURES / "apiserver-cases" / "neighbour-cases.json").read_text("utf-8"))

# The tests' base objects, as manifests: the HPA of prepareHPAWithBehavior and the success
# cases (scaling a ReplicationController "myrc"), a PDB with no bounds, and a quota and a
# LimitRange that pass every check.
BASES: dict[str, dict[str, Any]] = {
    "hpa": {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "myautoscaler", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"kind": "ReplicationController", "name": "myrc"},
            "minReplicas": 1,
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    },
    "pdb": {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "pdb", "namespace": "default"},
        "spec": {},
    },
    "quota": {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "quota", "namespace": "default"},
        "spec": {"hard": {"cpu": "2", "memory": "4Gi", "pods": "10"}},
    },
    "limits": {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "limits", "namespace": "default"},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "max": {"cpu": "2"},
                    "min": {"cpu": "100m"},
                    "default": {"cpu": "500m"},
                    "defaultRequest": {"cpu": "200m"},
                    "maxLimitRequestRatio": {"cpu": "10"},
                }
            ]
        },
    },
}


def _lint(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> list[dict[str, Any]]:
    obj = apply_mutations(copy.deepcopy(BASES[case["base"]]), case["mutation"])
    path = tmp_path / "object.json"
    path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    result = run_cli("lint", "--format", "json", path)
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    assert "RP000" not in {f["rule"] for f in findings}
    return findings


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(run_cli: RunCli, tmp_path: Path, case: dict[str, Any]) -> None:
    findings = _lint(run_cli, tmp_path, case)
    errors = [f for f in findings if f["severity"] == "error"]
    if case["valid"]:
        assert errors == []
    else:
        assert case["expected"]
        found = {(f["rule"], f["field"]) for f in errors}
        assert {(e["rule"], e["field"]) for e in case["expected"]} <= found
        for finding in errors:  # every finding points into the file, at a line
            assert finding["line"] >= 1


def test_the_case_file_covers_the_four_kinds() -> None:
    kinds = {case["kind"] for case in CASES}
    assert kinds == {
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ResourceQuota",
        "LimitRange",
    }
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"max": {"cpu": "1e400"}}, []),  # max/min is beyond a float: any ratio is within it
        ({"min": {"cpu": "1e400"}}, ["min", "ratio 10 is greater than max/min = 0.000000"]),
        ({"maxLimitRequestRatio": {"cpu": "1e400"}}, ["ratio 1e400 is greater than"]),
    ],
    ids=["huge-max", "huge-min", "huge-ratio"],
)
def test_limit_range_quantities_beyond_a_float(
    run_cli: RunCli, tmp_path: Path, bounds: dict[str, Any], expected: list[str]
) -> None:
    obj = copy.deepcopy(BASES["limits"])
    item = obj["spec"]["limits"][0]
    item.update(bounds)
    del item["default"], item["defaultRequest"]
    path = tmp_path / "object.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    findings = json.loads(run_cli("lint", "--format", "json", path).stdout)["findings"]
    messages = [f["message"] for f in findings if f["rule"] == "RP280"]
    assert "RP000" not in {f["rule"] for f in findings}
    for part in expected:
        assert any(part in message for message in messages), messages
    assert bool(messages) == bool(expected)
