"""Scheduling constraints beyond hostname anti-affinity, through the CLI: required pod
anti-affinity on zones (--zones), DoNotSchedule topologySpreadConstraints (a stall only when
globalMin is held at 0: minDomains above the domains, or a tainted node counted as a
domain), matchLabelKeys pod-template-hash, and Node objects (kubectl get nodes -o yaml) in
the inputs giving the same answers as the flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, RunCli

SCHEDULING = FIXTURES / "scheduling"
ZONE_ANTI = SCHEDULING / "zone-anti-affinity.yaml"  # 3 replicas, maxSurge 2, maxUnavailable 0
SPREAD = SCHEDULING / "spread-zones.yaml"  # maxSkew 1 on zones, minDomains default (1)
MIN_DOMAINS = SCHEDULING / "spread-min-domains.yaml"  # minDomains 5
HASH = SCHEDULING / "spread-min-domains-hash.yaml"  # minDomains 5, matchLabelKeys hash
ANYWAY = SCHEDULING / "spread-schedule-anyway.yaml"  # ScheduleAnyway (minDomains: RP234)
SPREAD_EVENT = "0/6 nodes are available: 6 node(s) didn't match pod topology spread constraints."


def _json(run_cli: RunCli, *args: object) -> dict[str, Any]:
    return json.loads(run_cli("plan", "--format", "json", *args).stdout)


def _plan(run_cli: RunCli, *args: object) -> dict[str, Any]:
    (plan,) = _json(run_cli, *args)["plans"]
    return plan


def _steps(plan: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    return [(s["kind"], s["old"], s["new"], s["available"]) for s in plan["steps"]]


def _rules(report: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in report["findings"] if f["rule"] in ("RP320", "RP321")]


def test_zone_anti_affinity_with_a_zone_per_replica_stalls_at_the_first_step(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, "--nodes", "6", "--zones", "3", ZONE_ANTI)
    (plan,) = report["plans"]
    assert _steps(plan) == [("scale", 3, 2, 3)]
    assert plan["outcome"] == "stalled"
    event = "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules."
    assert plan["stallReason"] == event
    assert plan["scheduling"]["constraints"] == [
        {
            "kind": "podAntiAffinity",
            "topologyKey": "topology.kubernetes.io/zone",
            "domains": 3,
            "podsPerDomain": 1,
            "countsOldPods": True,
        }
    ]
    assert plan["scheduling"]["pendingAtEnd"] == 2
    (finding,) = [f for f in report["findings"] if f["rule"] == "RP320"]
    assert (
        "required pod anti-affinity on topology.kubernetes.io/zone lets each of the 3 "
        in (finding["message"])
    )
    assert "zone(s) run one of these pods" in finding["message"]


def test_zone_anti_affinity_with_one_spare_zone_slows_the_rollout(run_cli: RunCli) -> None:
    free = _plan(run_cli, ZONE_ANTI)
    slowed = _plan(run_cli, "--zones", "4", ZONE_ANTI)
    assert free["outcome"] == slowed["outcome"] == "complete"
    # two surge pods are created, but only one finds a free zone: never more than 4 run
    assert max(s["available"] for s in slowed["steps"]) == 4
    assert max(s["available"] for s in free["steps"]) == 5
    assert slowed["waves"] > free["waves"]
    assert slowed["scheduling"]["pendingAtEnd"] == 0


def test_spread_with_max_skew_1_never_stalls_a_surge_from_a_balanced_start(
    run_cli: RunCli,
) -> None:
    without = _plan(run_cli, SPREAD)
    on_zones = _plan(run_cli, "--nodes", "3", "--zones", "3", SPREAD)
    assert on_zones["outcome"] == "complete"
    assert _steps(on_zones) == _steps(without)
    assert on_zones["scheduling"]["constraints"] == []
    assert (
        "topologySpreadConstraints on topology.kubernetes.io/zone (maxSkew 1, DoNotSchedule): "
        "the domain with the fewest matching pods always takes one more (3 domain(s), "
        "minDomains 1), so the constraint keeps no new pod Pending"
    ) in on_zones["notes"]


def test_spread_with_min_domains_above_the_zones_stalls(run_cli: RunCli) -> None:
    report = _json(run_cli, "--nodes", "6", "--zones", "3", MIN_DOMAINS)
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled"
    assert _steps(plan) == [("scale", 3, 1, 3)]
    assert plan["stallReason"] == SPREAD_EVENT
    assert _rules(report) == ["RP321"]
    assert any("minDomains 5 is above the 3 domain(s)" in note for note in plan["notes"])


def test_pod_template_hash_in_match_label_keys_lets_old_pods_not_block_new_ones(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, "--nodes", "6", "--zones", "3", HASH)
    (plan,) = report["plans"]
    assert plan["outcome"] == "complete"
    assert plan["scheduling"]["constraints"][0]["countsOldPods"] is False
    assert _rules(report) == []


def test_schedule_anyway_never_stalls(run_cli: RunCli, tmp_path: Path) -> None:
    without = run_cli("plan", "--format", "json", ANYWAY)
    given = run_cli("plan", "--format", "json", "--nodes", "6", "--zones", "3", ANYWAY)
    assert given.stdout == without.stdout
    (plan,) = json.loads(given.stdout)["plans"]
    assert plan["outcome"] == "complete" and "scheduling" not in plan
    # the tainted control-plane node that stalls the DoNotSchedule spread only scores here
    unit = tmp_path / "live-tainted"
    shutil.copytree(SCHEDULING / "live-tainted", unit)
    deployment = unit / "deployment.yaml"
    text = deployment.read_text()
    assert text.count("whenUnsatisfiable: DoNotSchedule") == 1
    assert _plan(run_cli, unit)["outcome"] == "stalled"
    deployment.write_text(text.replace("DoNotSchedule", "ScheduleAnyway"))
    report = _json(run_cli, unit)
    assert report["plans"][0]["outcome"] == "complete"
    assert "RP321" not in {f["rule"] for f in report["findings"]}


def test_node_objects_give_the_answer_of_the_equivalent_flags(run_cli: RunCli) -> None:
    live = _plan(run_cli, SCHEDULING / "live-zones")
    flags = _plan(run_cli, "--nodes", "3", "--zones", "3", SCHEDULING / "live-zones")
    assert live["scheduling"]["source"] == "nodes"
    assert flags["scheduling"]["source"] == "flags"
    for key in ("steps", "outcome", "stallReason"):
        assert live[key] == flags[key], key
    assert live["scheduling"]["constraints"] == flags["scheduling"]["constraints"]
    assert (
        "--nodes/--zones given: the Node objects in the inputs are not read for scheduling "
        "(the flags win, as kubectl's flags win over its files)"
    ) in flags["notes"]


def test_a_tainted_control_plane_node_counts_as_a_spread_domain_and_stalls(
    run_cli: RunCli,
) -> None:
    report = _json(run_cli, SCHEDULING / "live-tainted")
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == (
        "0/4 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match pod topology "
        "spread constraints."
    )
    assert _rules(report) == ["RP321"]
    # the same Deployment on the 3 workers alone (flags: no tainted node) completes
    assert _plan(run_cli, "--nodes", "3", SCHEDULING / "live-tainted")["outcome"] == "complete"


def test_node_objects_stay_skipped_in_the_lint_counts(run_cli: RunCli) -> None:
    result = run_cli("lint", "--format", "json", SCHEDULING / "live-tainted" / "nodes.yaml")
    summary = json.loads(result.stdout)["summary"]
    assert summary["skipped"] == {"Node": 4}


def test_a_broken_node_list_is_read_without_a_traceback(run_cli: RunCli, tmp_path: Any) -> None:
    (tmp_path / "nodes.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n"
        "  metadata: {name: n1, labels: [1, 2]}\n  spec: {taints: 7, unschedulable: yes}\n"
        "- apiVersion: v1\n  kind: Node\n  metadata: {name: n2}\n  spec: {taints: [null, 3]}\n"
    )
    (tmp_path / "d.yaml").write_text(ZONE_ANTI.read_text())
    result = run_cli("plan", "--format", "json", tmp_path)
    assert result.exit_code in (0, 1)
    (plan,) = json.loads(result.stdout)["plans"]
    # no node has the zone label: the term lets any number of pods run
    assert plan["outcome"] == "complete"


def test_the_scheduler_message_counts_no_reason_zero_times(run_cli: RunCli, tmp_path: Any) -> None:
    # every node rejected before the spread filter (nodeSelector, taint): the message lists
    # only those reasons, as the scheduler's histogram does
    (tmp_path / "nodes.yaml").write_text((SCHEDULING / "live-tainted" / "nodes.yaml").read_text())
    text = (SCHEDULING / "live-tainted" / "deployment.yaml").read_text()
    text = text.replace(
        "      topologySpreadConstraints:\n",
        "      nodeSelector: {kubernetes.io/hostname: x}\n      topologySpreadConstraints:\n",
    ).replace("maxSkew: 1", "maxSkew: 1\n        minDomains: 2")
    (tmp_path / "deployment.yaml").write_text(text)
    (plan,) = _json(run_cli, tmp_path)["plans"]
    assert plan["outcome"] == "stalled"
    assert plan["stallReason"] == (
        "0/4 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match Pod's node "
        "affinity/selector."
    )


ALL_TAINTED = SCHEDULING / "live-all-tainted"  # redis-cache; 4 nodes tainted, not tolerated
TAINTED_EVENT = (
    "0/4 nodes are available: 4 node(s) had untolerated taint {example.com/dedicated: batch}."
)


def test_anti_affinity_is_not_blamed_when_no_node_takes_the_pods(
    run_cli: RunCli, tmp_path: Any
) -> None:
    report = _json(run_cli, ALL_TAINTED)
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled" and plan["stallReason"] == TAINTED_EVENT
    assert _rules(report) == []  # the taint keeps them Pending, not the anti-affinity
    assert "RP324" in {f["rule"] for f in report["findings"]}
    [note] = [n for n in plan["notes"] if n.startswith("stalled:")]
    assert "let the new pods onto the nodes (tolerations" in note
    assert "maxUnavailable" not in note  # an old pod leaving frees no node for them
    # tolerated, 4 old pods hold the 4 nodes: the anti-affinity leaves no room (RP320)
    tolerated = (
        (ALL_TAINTED / "deployment.yaml")
        .read_text()
        .replace(
            "  replicas: 3\n",
            "  replicas: 4\n  strategy:\n    rollingUpdate:\n      maxUnavailable: 0\n",
        )
        .replace(
            "      containers:\n",
            "      tolerations:\n      - {key: example.com/dedicated, operator: Exists}\n"
            "      containers:\n",
        )
    )
    assert "tolerations" in tolerated and "maxUnavailable: 0" in tolerated
    (tmp_path / "nodes.yaml").write_text((ALL_TAINTED / "nodes.yaml").read_text())
    (tmp_path / "deployment.yaml").write_text(tolerated)
    assert _rules(_json(run_cli, tmp_path)) == ["RP320"]


def test_a_spread_is_not_blamed_when_no_node_takes_the_pods(run_cli: RunCli, tmp_path: Any) -> None:
    (tmp_path / "nodes.yaml").write_text((ALL_TAINTED / "nodes.yaml").read_text())
    spread = (SCHEDULING / "live-tainted" / "deployment.yaml").read_text()
    (tmp_path / "deployment.yaml").write_text(spread)
    report = _json(run_cli, tmp_path)
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled" and plan["stallReason"] == TAINTED_EVENT
    assert _rules(report) == []


SELECTOR_TYPO = SCHEDULING / "live-selector-typo"  # nodeSelector disktype: sdd; nodes: ssd
SELECTOR_EVENT = "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector."
OLD_PODS_NOTE = (
    "none of the 4 Node object(s) in the inputs takes a new pod (the scheduler's filters "
    "before any constraint: cordons, NoSchedule and NoExecute taints, nodeSelector, required "
    "node affinity): only the new template is judged, and the old pods are taken to run where "
    "they are"
)


def _no_node(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == "RP324"]


def _copy(unit: Path, deployment: str) -> Path:
    shutil.copytree(SELECTOR_TYPO, unit)
    (unit / "deployment.yaml").write_text(deployment)
    return unit


def test_a_node_selector_no_node_matches_stalls_without_any_constraint(run_cli: RunCli) -> None:
    report = _json(run_cli, SELECTOR_TYPO)
    (plan,) = report["plans"]
    assert _steps(plan) == [("scale", 3, 1, 3)]
    assert plan["outcome"] == "stalled" and plan["stallReason"] == SELECTOR_EVENT
    assert plan["scheduling"] == {
        "nodes": 4,
        "pendingAtEnd": 1,
        "source": "nodes",
        "constraints": [],
    }
    assert OLD_PODS_NOTE in plan["notes"]
    (finding,) = _no_node(report)
    assert finding["message"].startswith(
        "the rollout stalls at step 1: none of the 4 nodes in the inputs takes a new pod: 1 new "
        f"pod stays Pending ({SELECTOR_EVENT}); let the new pods onto the nodes"
    )
    assert finding["severity"] == "warning" and finding["line"] == 20  # the pod spec
    assert _rules(report) == []


def test_with_max_unavailable_the_old_pods_go_and_the_new_ones_never_run(
    run_cli: RunCli, tmp_path: Path
) -> None:
    text = (SELECTOR_TYPO / "deployment.yaml").read_text()
    assert text.count("maxUnavailable: 0") == 1
    unit = _copy(tmp_path / "unit", text.replace("maxUnavailable: 0", "maxUnavailable: 1"))
    report = _json(run_cli, unit)
    (plan,) = report["plans"]
    assert plan["outcome"] == "stalled" and plan["stallReason"] == SELECTOR_EVENT
    final = plan["steps"][-1]
    assert (final["old"], final["new"], final["available"]) == (2, 2, 2)
    assert plan["scheduling"]["pendingAtEnd"] == 2
    assert "2 new pods stay Pending" in _no_node(report)[0]["message"]


def test_a_node_that_takes_the_pods_changes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    text = (SELECTOR_TYPO / "deployment.yaml").read_text()
    fixed = text.replace("disktype: sdd", "disktype: ssd")
    assert fixed != text
    unit = _copy(tmp_path / "unit", fixed)
    report = _json(run_cli, unit)
    (unit / "nodes.yaml").unlink()
    without = _json(run_cli, unit)
    for key in ("plans", "findings"):
        assert report[key] == without[key], key
    assert "scheduling" not in report["plans"][0]
    assert report["plans"][0]["outcome"] == "complete"
    assert _no_node(report) == []


def test_the_count_flags_do_not_judge_node_selectors(run_cli: RunCli) -> None:
    report = _json(run_cli, "--nodes", "4", SELECTOR_TYPO)
    (plan,) = report["plans"]
    assert plan["outcome"] == "complete" and "scheduling" not in plan
    assert _no_node(report) == []


def test_pods_bound_by_node_name_are_not_judged_as_scheduled(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """spec.nodeName bypasses the scheduler: the kubelet runs the pods on that node despite
    its NoSchedule taint, so no FailedScheduling stall (RP324) and no anti-affinity one."""
    bound = (
        (ALL_TAINTED / "deployment.yaml")
        .read_text()
        .replace("      containers:\n", "      nodeName: worker-a\n      containers:\n", 1)
    )
    assert "nodeName: worker-a" in bound
    (tmp_path / "nodes.yaml").write_text((ALL_TAINTED / "nodes.yaml").read_text())
    (tmp_path / "deployment.yaml").write_text(bound)
    report = _json(run_cli, tmp_path)
    (plan,) = report["plans"]
    assert plan["outcome"] == "complete"
    assert {"RP320", "RP321", "RP324"}.isdisjoint(f["rule"] for f in report["findings"])
    assert any(n.startswith("the pod template sets spec.nodeName worker-a") for n in plan["notes"])
