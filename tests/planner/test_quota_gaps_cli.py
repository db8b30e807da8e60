"""Quota modelling through the CLI: a quota on cpu or memory refusing pods whose containers
leave it unset (RP332), sidecar init containers in a pod's charge, PriorityClass scopes, the
API server's quantity format in its messages, and what the plan states it cannot know."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

QUOTA = FIXTURES / "quota"
REFUSAL = (
    "failed quota: compute-resources: must specify limits.cpu for: nginx; "
    "limits.memory for: log-shipper,nginx"
)


def _report(run_cli: RunCli, *args: object, stdin: str | None = None) -> dict[str, Any]:
    return json.loads(run_cli("plan", "--format", "json", *args, stdin=stdin).stdout)


def _steps(plan: dict[str, Any]) -> list[tuple[str, int, int, int | None, int]]:
    return [
        (s["kind"], s["old"], s["new"], s.get("newCreated"), s["available"]) for s in plan["steps"]
    ]


def _quota_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"].startswith("RP33")]


def test_a_quota_on_limits_refuses_pods_without_them_whatever_its_room(run_cli: RunCli) -> None:
    report = _report(run_cli, QUOTA / "must-specify.yaml")
    (plan,) = report["plans"]
    # the new ReplicaSet never gets a pod; the old one goes down only within maxUnavailable 1
    assert _steps(plan) == [
        ("scale", 3, 1, 0, 3),
        ("scale", 2, 1, 0, 2),
        ("scale", 2, 2, 0, 2),
        ("wait", 2, 2, 0, 2),  # the old pod scaled down terminates
    ]
    assert plan["outcome"] == "stalled" and plan["stallReason"] == REFUSAL
    assert plan["final"] == {"old": 2, "new": 2, "available": 2, "upToDate": 0}
    (finding,) = _quota_findings(report)
    assert (finding["rule"], finding["severity"]) == ("RP332", "warning")
    assert finding["message"].startswith(f"the rollout stalls at step 4: {REFUSAL}: ")
    assert "unless a LimitRange not in the inputs sets a default" in finding["message"]
    assert any(n.startswith(f"stalled: {REFUSAL}: ") and "LimitRange" in n for n in plan["notes"])


def test_the_refusal_is_in_text_markdown_and_sarif(run_cli: RunCli) -> None:
    path = QUOTA / "must-specify.yaml"
    assert f"nothing is rolled back; {REFUSAL}\n" in run_cli("plan", path).stdout
    assert REFUSAL in run_cli("plan", "--format", "markdown", path).stdout
    sarif = json.loads(run_cli("plan", "--format", "sarif", path).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "RP332"]
    assert REFUSAL in result["message"]["text"]


def test_limit_range_defaults_end_the_refusal(run_cli: RunCli) -> None:
    text = (QUOTA / "must-specify.yaml").read_text(encoding="utf-8")
    defaults = (
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: cpu-mem-defaults\n"
        "  namespace: quota-example\nspec:\n  limits:\n  - type: Container\n    default:\n"
        "      cpu: 200m\n      memory: 256Mi\n---\n"
    )
    report = _report(run_cli, "-", stdin=defaults + text)
    (plan,) = report["plans"]
    assert "stallReason" not in plan and plan["outcome"] == "complete"
    assert not [f for f in _quota_findings(report) if f["rule"] == "RP332"]


def test_a_quota_without_cpu_or_memory_refuses_nothing(run_cli: RunCli) -> None:
    text = (QUOTA / "must-specify.yaml").read_text(encoding="utf-8")
    counted = text.replace(
        '    requests.cpu: "1"\n    requests.memory: 1Gi\n    limits.cpu: "2"\n'
        "    limits.memory: 2Gi\n",
        '    pods: "10"\n    requests.ephemeral-storage: 10Gi\n',
    )
    assert counted != text
    (plan,) = _report(run_cli, "-", stdin=counted)["plans"]
    assert plan["outcome"] == "complete" and "stallReason" not in plan


def test_sidecars_count_in_each_pods_charge(run_cli: RunCli) -> None:
    report = _report(run_cli, QUOTA / "sidecar-charge.yaml")
    (plan,) = report["plans"]
    # by hand (see the fixture): cpu max(500m + 250m, 250m + 1) = 1250m per pod, memory
    # max(512Mi + 256Mi, 256Mi + 1Gi) = 1280Mi; without the sidecar 1 cpu would fit
    assert plan["quota"]["perPod"]["requests.cpu"] == "1250m"
    assert plan["quota"]["perPod"]["requests.memory"] == "1280Mi"
    # the quota's values print as the API server prints them: "3.5" as 3500m, "3000000000"
    # as 3G (the format it is written in), the pods' sums in their own (binary) format
    assert plan["stallReason"] == (
        "exceeded quota: compute, requested: requests.cpu=1250m,requests.memory=1280Mi, "
        "used: requests.cpu=2500m,requests.memory=2560Mi, "
        "limited: requests.cpu=3500m,requests.memory=3G"
    )
    assert plan["quota"]["quotas"][0]["hard"] == {
        "pods": "10", "requests.cpu": "3500m", "requests.memory": "3G"
    }  # fmt: skip
    assert plan["quota"]["quotas"][0]["room"]["requests.memory"] == "315645440"


def test_only_the_quota_of_the_pods_priority_class_counts(run_cli: RunCli) -> None:
    report = _report(run_cli, QUOTA / "priority-scoped.yaml")
    (plan,) = report["plans"]
    assert [q["name"] for q in plan["quota"]["quotas"]] == ["pods-high"]
    assert plan["steps"][0]["new"] == 3 and plan["steps"][0]["newCreated"] == 1
    assert plan["outcome"] == "complete"
    assert not any("pods-medium" in n or "pods-low" in n for n in plan["notes"])
    (finding,) = _quota_findings(report)
    assert finding["rule"] == "RP331" and "quota pods-high" in finding["message"]


def test_pods_without_a_priority_class_and_the_assumptions_stated(run_cli: RunCli) -> None:
    text = (QUOTA / "priority-scoped.yaml").read_text(encoding="utf-8")
    unclassed = text.replace("      priorityClassName: high\n", "      runtimeClassName: gvisor\n")
    assert unclassed != text
    (plan,) = _report(run_cli, "-", stdin=unclassed)["plans"]
    assert "quota" not in plan or not plan["quota"]["quotas"]  # In selects no unclassed pod
    assert plan["outcome"] == "complete"
    unset = text.replace(
        '      - operator: In\n        scopeName: PriorityClass\n        values: ["low"]',
        "      - operator: DoesNotExist\n        scopeName: PriorityClass",
    )
    assert unset != text
    classless = unset.replace("      priorityClassName: high\n", "      runtimeClassName: gvisor\n")
    (plan,) = _report(run_cli, "-", stdin=classless)["plans"]
    assert [q["name"] for q in plan["quota"]["quotas"]] == ["pods-low"]
    notes = "\n".join(plan["notes"])
    assert "assumes no PriorityClass is the cluster's globalDefault" in notes
    assert "pods of RuntimeClass gvisor are also charged its pod overhead" in notes


EXTENDED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: infer, labels: {app: infer}}
spec:
  replicas: 2
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: infer}}
  template:
    metadata: {labels: {app: infer}}
    spec:
      containers:
      - name: infer
        image: registry.example.com/infer:1.0
        readinessProbe: {httpGet: {path: /, port: 8080}}
        resources:
          requests: {cpu: 100m}
          limits: {nvidia.com/gpu: 1, hugepages-2Mi: 100Mi, memory: 200Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: %s}
spec:
  hard: {%s: %s}
"""


def test_a_quota_charges_limits_only_of_cpu_memory_and_ephemeral_storage(
    run_cli: RunCli,
) -> None:
    # the pod evaluator counts limits.<name> for these three only: a quota on
    # limits.nvidia.com/gpu (valid: a qualified name) is never used, however small
    report = _report(run_cli, "-", stdin=EXTENDED % ("gpus", "limits.nvidia.com/gpu", '"1"'))
    (plan,) = report["plans"]
    assert plan["outcome"] == "complete" and not _quota_findings(report)
    # the same resource as requests.<name> is counted (requests copied from the limits)
    report = _report(run_cli, "-", stdin=EXTENDED % ("gpus", "requests.nvidia.com/gpu", '"2"'))
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"].startswith("exceeded quota: gpus, requested: requests.nvidia.com")


def test_a_quota_on_bare_hugepages_counts_the_pods_requests(run_cli: RunCli) -> None:
    # hugepages-<size> is tracked bare as well as requests.hugepages-<size>
    report = _report(run_cli, "-", stdin=EXTENDED % ("pages", "hugepages-2Mi", "200Mi"))
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == (
        "exceeded quota: pages, requested: hugepages-2Mi=100Mi, used: hugepages-2Mi=200Mi, "
        "limited: hugepages-2Mi=200Mi"
    )
