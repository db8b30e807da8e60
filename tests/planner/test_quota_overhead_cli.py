"""A RuntimeClass in the inputs: its pods are charged its overhead.podFixed (the RuntimeClass
admission plugin sets it as the pod's spec.overhead) in their requests and in the limits
they set; without the RuntimeClass the plan says it cannot count it."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

OVERHEAD = FIXTURES / "quota" / "runtime-overhead.yaml"
STALL = (
    "exceeded quota: compute, requested: requests.cpu=2250m, used: requests.cpu=4500m, "
    "limited: requests.cpu=6500m"
)


def _plan(run_cli: RunCli, *args: object, stdin: str | None = None) -> dict[str, Any]:
    (plan,) = json.loads(run_cli("plan", "--format", "json", *args, stdin=stdin).stdout)["plans"]
    return plan


def test_the_overhead_is_charged_and_stalls_the_rollout(run_cli: RunCli) -> None:
    plan = _plan(run_cli, OVERHEAD)
    assert plan["outcome"] == "stalled" and plan["stallReason"] == STALL
    quota = plan["quota"]
    # 500m + 1500m of limits copied into requests, + 250m; memory 200Mi + 120Mi
    assert quota["perPod"]["requests.cpu"] == "2250m"
    assert quota["perPod"]["requests.memory"] == "320Mi"
    assert quota["perPod"]["limits.cpu"] == "2250m"
    assert quota["quotas"][0]["room"] == {"limits.cpu": "5500m", "requests.cpu": "2"}
    assert any("overhead.podFixed cpu=250m, memory=120Mi" in n for n in plan["notes"])


def test_the_overhead_goes_only_into_the_limits_the_pods_set(run_cli: RunCli) -> None:
    text = OVERHEAD.read_text(encoding="utf-8")
    no_memory = text.replace("            memory: 100Mi\n", "")
    assert no_memory.count("memory") == text.count("memory") - 2
    per_pod = _plan(run_cli, "-", stdin=no_memory)["quota"]["perPod"]
    # no container sets memory: the pod has no memory limit to add it to, but requests it
    assert "limits.memory" not in per_pod
    assert per_pod["requests.memory"] == "120Mi"
    assert per_pod["limits.cpu"] == "2250m"


def test_without_the_runtime_class_its_overhead_is_not_counted(run_cli: RunCli) -> None:
    text = OVERHEAD.read_text(encoding="utf-8")
    start = text.index("apiVersion: node.k8s.io/v1")
    without = text[:start] + text[text.index("---\n", start) + 4 :]
    assert "RuntimeClass" not in without.split("---", 1)[1]
    plan = _plan(run_cli, "-", stdin=without)
    assert plan["outcome"] == "complete"  # one 2-cpu surge pod fits in 2500m
    assert plan["quota"]["perPod"]["requests.cpu"] == "2"
    assert any("which the inputs do not show: not counted" in n for n in plan["notes"])
