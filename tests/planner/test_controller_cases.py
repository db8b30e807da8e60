"""The Deployment controller's own unit-test cases, run against the planner.

The cases come from kubernetes/kubernetes pkg/controller/deployment (see
fixtures/controller-cases/README.md for what is covered and what is out of scope).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.model.objects import IntOrPercent, StrategyType
from rolloutplan.planner.budget import Budget, budget_for, resolve_fenceposts, scaled_value
from rolloutplan.planner.controller import (
    Cluster,
    ReplicaSetState,
    ScaleAction,
    cleanup_unhealthy,
    new_rs_new_replicas,
    old_pods_running,
    proportional_scale,
    reconcile_new,
    reconcile_old,
    recreate_scale_down,
    recreate_scale_up,
    replica_set_fraction,
    scale_down_old_for_rolling,
)

CASES_PATH = (
    Path(__file__).resolve().parents[2] / "fixtures" / "controller-cases" / "controller-cases.json"
)

Case = dict[str, Any]


def _load_by_function() -> dict[str, list[Case]]:
    grouped: dict[str, list[Case]] = defaultdict(list)
    for case in json.loads(CASES_PATH.read_text(encoding="utf-8")):
        grouped[case["function"]].append(case)
    return dict(grouped)


BY_FUNCTION = _load_by_function()

OUT_OF_SCOPE: dict[str, str] = {
    "sync_rollout_status": "Progressing condition: the planner keeps no status conditions",
    "requeue_stuck_deployment": "progress-deadline requeue timing: no status conditions",
    "deployment_progressing": "compares two DeploymentStatus values: no status object",
    "deployment_timed_out": "progress deadline against a condition's lastUpdateTime",
    "deployment_complete": "DeploymentComplete reads DeploymentStatus: no status object",
    "cleanup_deployment": "revisionHistoryLimit cleanup of old ReplicaSets",
    "cleanup_deployment_order": "revisionHistoryLimit cleanup of old ReplicaSets",
    "equal_ignore_hash": "compares Go PodTemplateSpecs; the planner gets template fingerprints",
    "find_new_rs": "template identity (hash label, fingerprints), done by the loader",
    "find_old_rs": "template identity (hash label, fingerprints), done by the loader",
    "annotation_nonneg_int32": "annotation parsing: ReplicaSetState takes parsed numbers",
    "replicas_annotations_need_update": "annotation bookkeeping: no annotations in the API",
    "replicas_annotations": "annotation writes and IsSaturated, neither in the API",
    "revision_history": "revision and revision-history annotations",
}

TERMINAL_PHASES = frozenset({"Failed", "Succeeded"})


def _no_exclusion(case: Case) -> str | None:
    return None


def _termination_complete(case: Case) -> str | None:
    if case["input"].get("podReplacementPolicy") == "TerminationComplete":
        return "podReplacementPolicy TerminationComplete (alpha) counts terminating pods"
    return None


def _nil_int_or_string(case: Case) -> str | None:
    if case["input"]["value"] is None:
        return "a nil IntOrString: the API has no nil value (scaled_value reads None as 0)"
    return None


ROW_EXCLUSIONS: dict[str, Callable[[Case], str | None]] = {
    "reconcile_new_rs": _termination_complete,
    "scaled_value_from_int_or_percent": _nil_int_or_string,
}


def _rows(function: str) -> list[Any]:
    exclusion = ROW_EXCLUSIONS.get(function, _no_exclusion)
    rows = []
    for index, case in enumerate(BY_FUNCTION[function]):
        if exclusion(case) is not None:
            continue
        rows.append(pytest.param(case, id=f"{function}-{index}"))
    return rows


COVERED = frozenset(
    {
        "resolve_fenceposts",
        "max_unavailable",
        "min_available",
        "int_or_percent_parse",
        "scaled_value_from_int_or_percent",
        "new_rs_new_replicas",
        "reconcile_new_rs",
        "reconcile_old_rs",
        "cleanup_unhealthy",
        "scale_down_old_rolling",
        "proportional_scale",
        "replica_set_fraction",
        "recreate_scale_down_old",
        "old_pods_running",
        "rollout_recreate",
        "replica_counts",
    }
)


def _int_or_percent(raw: int | str | None) -> IntOrPercent | None:
    return None if raw is None else IntOrPercent.parse(raw)


def _budget(
    replicas: int | None,
    max_surge: int | str | None,
    max_unavailable: int | str | None,
    strategy: str = "RollingUpdate",
) -> Budget:
    """The Deployment's bounds; a nil replicas pointer reads as 0."""
    return budget_for(
        replicas or 0,
        StrategyType(strategy),
        _int_or_percent(max_surge),
        _int_or_percent(max_unavailable),
    )


def _case_budget(case: Case) -> Budget:
    given = case["input"]
    return _budget(
        given["deploymentReplicas"],
        given["maxSurge"],
        given["maxUnavailable"],
        given.get("strategy", "RollingUpdate"),
    )


def _updates(actions: tuple[ScaleAction, ...]) -> dict[str, int]:
    return {action.replica_set: action.after for action in actions}


def test_every_function_is_covered_or_declared_out_of_scope() -> None:
    assert not COVERED & OUT_OF_SCOPE.keys()
    assert COVERED | OUT_OF_SCOPE.keys() == BY_FUNCTION.keys()


def test_every_covered_function_has_a_row_to_run() -> None:
    assert all(_rows(function) for function in COVERED)


@pytest.mark.parametrize("case", _rows("resolve_fenceposts"))
def test_resolve_fenceposts(case: Case) -> None:
    given, expected = case["input"], case["expected"]
    if expected["error"]:
        with pytest.raises(ValueError):
            resolve_fenceposts(
                _int_or_percent(given["maxSurge"]),
                _int_or_percent(given["maxUnavailable"]),
                given["desired"],
            )
        return
    resolved = resolve_fenceposts(
        _int_or_percent(given["maxSurge"]),
        _int_or_percent(given["maxUnavailable"]),
        given["desired"],
    )
    assert resolved == (expected["surge"], expected["unavailable"])


@pytest.mark.parametrize("case", _rows("max_unavailable"))
def test_max_unavailable(case: Case) -> None:
    assert _case_budget(case).unavailable == case["expected"]["maxUnavailable"]


@pytest.mark.parametrize("case", _rows("min_available"))
def test_min_available(case: Case) -> None:
    assert _case_budget(case).min_available == case["expected"]["minAvailable"]


@pytest.mark.parametrize("case", _rows("int_or_percent_parse"))
def test_int_or_percent_parse(case: Case) -> None:
    given, expected = case["input"], case["expected"]
    raw = str(given["value"]) if given["valueType"] == "string" else int(given["value"])
    if expected["error"]:
        with pytest.raises(ValueError):
            IntOrPercent.parse(raw)
        return
    assert IntOrPercent.parse(raw) == IntOrPercent(expected["value"], expected["isPercent"])


@pytest.mark.parametrize("case", _rows("scaled_value_from_int_or_percent"))
def test_scaled_value_from_int_or_percent(case: Case) -> None:
    given, expected = case["input"], case["expected"]
    # unset table fields are Go zero values: total 0, roundUp false
    total, round_up = given["total"] or 0, bool(given["roundUp"])
    if expected["error"]:
        with pytest.raises(ValueError):
            scaled_value(IntOrPercent.parse(given["value"]), total, round_up=round_up)
        return
    value = IntOrPercent.parse(given["value"])
    assert scaled_value(value, total, round_up=round_up) == expected["value"]


@pytest.mark.parametrize("case", _rows("new_rs_new_replicas"))
def test_new_rs_new_replicas(case: Case) -> None:
    given = case["input"]
    # upstream's allRSs holds only the other ReplicaSet, so currentPodCount excludes the new one
    current = sum(given["allRSsSpecReplicas"])
    recreate = given["strategy"] == "Recreate"
    size = new_rs_new_replicas(
        _case_budget(case), current, given["newRSReplicas"], recreate=recreate
    )
    assert size == case["expected"]["newRSReplicas"]


def _old_and_new(given: Case) -> Cluster:
    """rolling_test.go's two ReplicaSets: status.availableReplicas and status.replicas as set."""
    old = ReplicaSetState(
        "foo-old",
        given["oldRSReplicas"],
        available=given.get("oldRSAvailable", 0),
        pods=given.get("oldRSStatusReplicas", 0),
    )
    new = ReplicaSetState(
        "foo-new",
        given["newRSReplicas"],
        available=given.get("newRSAvailable", 0),
        pods=given.get("newRSStatusReplicas", 0),
    )
    return Cluster((old,), new)


@pytest.mark.parametrize("case", _rows("reconcile_new_rs"))
def test_reconcile_new_rs(case: Case) -> None:
    expected = case["expected"]
    cluster = _old_and_new(case["input"])
    after, actions = reconcile_new(cluster, _case_budget(case))
    if not expected["scaled"]:
        assert (after, actions) == (cluster, ())
        return
    assert cluster.new is not None
    scaled = ScaleAction("foo-new", cluster.new.spec, expected["newRSReplicas"], new=True)
    assert actions == (scaled,)
    assert after.new is not None and after.new.spec == expected["newRSReplicas"]
    assert after.olds == cluster.olds


@pytest.mark.parametrize("case", _rows("reconcile_old_rs"))
def test_reconcile_old_rs(case: Case) -> None:
    expected = case["expected"]
    cluster = _old_and_new(case["input"])
    after, actions = reconcile_old(cluster, _case_budget(case))
    assert bool(actions) == expected["scaled"]
    old_after = expected["expectedOldReplicas (table field)"]
    assert after.olds[0].spec == (cluster.olds[0].spec if old_after is None else old_after)
    assert after.new == cluster.new


def _lone_old(given: Case) -> ReplicaSetState:
    return ReplicaSetState("foo-v2", given["oldRSReplicas"], available=given["oldRSAvailable"])


@pytest.mark.parametrize("case", _rows("cleanup_unhealthy"))
def test_cleanup_unhealthy(case: Case) -> None:
    given, expected = case["input"], case["expected"]
    old = _lone_old(given)
    olds, actions = cleanup_unhealthy((old,), given["maxCleanupCount"], _case_budget(case))
    assert sum(action.before - action.after for action in actions) == expected["cleanupCount"]
    assert olds[0].spec == expected["oldRSReplicasAfter"]


@pytest.mark.parametrize("case", _rows("scale_down_old_rolling"))
def test_scale_down_old_rolling(case: Case) -> None:
    given, expected = case["input"], case["expected"]
    assert given["allRSs"] == "only the old RS"
    old = _lone_old(given)
    olds, actions = scale_down_old_for_rolling(Cluster((old,)), _case_budget(case))
    assert bool(actions) == expected["scaled"]
    size_after = expected["oldRSReplicasAfter"]
    assert olds[0].spec == (old.spec if size_after is None else size_after)


@pytest.mark.parametrize("case", _rows("recreate_scale_down_old"))
def test_recreate_scale_down_old(case: Case) -> None:
    given = case["input"]
    # the test helper's RollingUpdate defaults (0/0) only feed the rewritten annotations
    budget = _budget(given["deploymentReplicas"], 0, 0)
    olds = tuple(
        ReplicaSetState(f"foo-{index}", size) for index, size in enumerate(given["oldRSSizes"])
    )
    after, actions = recreate_scale_down(Cluster(olds), budget)
    assert [rs.spec for rs in after.olds] == case["expected"]["oldRSReplicasAfter"]
    assert _updates(actions) == {rs.name: 0 for rs in olds if rs.spec > 0}


_RS_SUMMARY = re.compile(r"(?P<uid>[^()]+)\(spec(?P<spec>\d+),status(?P<status>\d+)\)")


def _running(phases: list[str]) -> int:
    return sum(phase not in TERMINAL_PHASES for phase in phases)


def _old_replica_sets_with_pods(given: Case) -> tuple[ReplicaSetState, ...]:
    """Old ReplicaSets whose ``pods`` are the old pods still there: status.replicas, or its
    pods in the podMap that are not Failed or Succeeded, whichever is more.  A podMap entry
    for no listed ReplicaSet is an old ReplicaSet at 0 (upstream checks every non-new entry).
    """
    pod_map: dict[str, list[str]] = dict(given["podMapByRSUID(phases)"])
    assert given["newRS"] is None
    olds = []
    for summary in given["oldRSs"]:
        match = _RS_SUMMARY.fullmatch(summary)
        assert match is not None, summary
        uid = match["uid"]
        pods = max(int(match["status"]), _running(pod_map.pop(uid, [])))
        olds.append(ReplicaSetState(uid, int(match["spec"]), pods=pods))
    olds.extend(ReplicaSetState(uid, 0, pods=_running(phases)) for uid, phases in pod_map.items())
    return tuple(olds)


@pytest.mark.parametrize("case", _rows("old_pods_running"))
def test_old_pods_running(case: Case) -> None:
    cluster = Cluster(_old_replica_sets_with_pods(case["input"]))
    assert old_pods_running(cluster) is case["expected"]["oldPodsRunning"]


def _recreate_sync(cluster: Cluster, budget: Budget) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """rolloutRecreate's scaling (controller-semantics.md section 7), from the API's parts."""
    if any(rs.spec > 0 for rs in cluster.olds):
        return recreate_scale_down(cluster, budget)
    if old_pods_running(cluster):
        return cluster, ()
    return recreate_scale_up(cluster, budget, "foo-new")


def _recreate_cluster(given: Case) -> Cluster:
    old = given["oldRS"]
    olds = (ReplicaSetState("foo-old", old["replicas"], old["available"], old["statusReplicas"]),)
    new = given["newRS"]
    return Cluster(olds, None if new is None else ReplicaSetState("foo-new", new["replicas"]))


_RS_UPDATE = re.compile(r"update (?P<name>foo-\w+) to (?P<size>\d+)")


@pytest.mark.parametrize("case", _rows("rollout_recreate"))
def test_rollout_recreate_attempts_the_expected_scale(case: Case) -> None:
    """Only the ReplicaSet write is expressible: the injected failures, the status write and
    the Progressing condition are not part of the planner."""
    given = case["input"]
    budget = _budget(given["deploymentReplicas"], None, None, given["strategy"])
    _, actions = _recreate_sync(_recreate_cluster(given), budget)
    matches = (_RS_UPDATE.fullmatch(action) for action in case["expected"]["actions"])
    attempted = {match["name"]: int(match["size"]) for match in matches if match is not None}
    assert _updates(actions) == attempted


@pytest.mark.parametrize("case", _rows("replica_counts"))
def test_replica_counts_spec_sum(case: Case) -> None:
    """GetReplicaCountForReplicaSets is Cluster.total_spec; the status and terminating sums
    have no counterpart in the API."""
    replica_sets = case["input"]["replicaSets"]
    cluster = Cluster(tuple(ReplicaSetState(rs["name"], rs["spec"]) for rs in replica_sets))
    assert cluster.total_spec == case["expected"]["sumSpecReplicas"]


def _annotated(rs: Case, rank: int) -> ReplicaSetState:
    annotations = rs["annotations"]
    return ReplicaSetState(
        rs["name"],
        rs["replicas"],
        available=rs["available"],
        desired=int(annotations["desired-replicas"]),
        max_replicas=int(annotations["max-replicas"]),
        rank=rank,
    )


def _creation_time(rs: Case) -> str:
    match = re.search(r"\((\d\d:\d\d)\)", rs["created"])
    assert match is not None, rs["created"]
    return match[1]


def _scale_cluster(given: Case) -> Cluster:
    """The ReplicaSets ranked by creation time, then name (ReplicaSetsByCreationTimestamp)."""
    new = given["newRS"]
    every = sorted([*given["oldRSs"], *([new] if new else [])], key=_by_creation)
    rank = {rs["name"]: number for number, rs in enumerate(every)}
    olds = tuple(_annotated(rs, rank[rs["name"]]) for rs in every if rs is not new)
    return Cluster(olds, None if new is None else _annotated(new, rank[new["name"]]))


def _by_creation(rs: Case) -> tuple[str, str]:
    return _creation_time(rs), rs["name"]


@pytest.mark.parametrize("case", _rows("proportional_scale"))
def test_proportional_scale(case: Case) -> None:
    cluster = _scale_cluster(case["input"])
    # every row's ReplicaSets carry max-replicas, and the test's Deployment has no status
    after, actions = proportional_scale(
        cluster, _case_budget(case), rolling=True, status_replicas=0
    )
    sizes_after = case["expected"]["replicasAfter"]
    assert {rs.name: rs.spec for rs in after.all} == sizes_after
    before = {rs.name: rs.spec for rs in cluster.all}
    assert _updates(actions) == {
        name: size for name, size in sizes_after.items() if size != before[name]
    }


@pytest.mark.parametrize("case", _rows("replica_set_fraction"))
def test_replica_set_fraction(case: Case) -> None:
    given = case["input"]
    annotation = given["rsMaxReplicasAnnotation"]
    max_replicas = None if annotation is None else int(annotation)
    rs = ReplicaSetState("foo", given["rsReplicas"], max_replicas=max_replicas)
    fraction = replica_set_fraction(rs, _case_budget(case), given["deploymentStatusReplicas"])
    assert fraction == case["expected"]["fraction"]
