"""Issue 14's examples: plans from live state (`kubectl get deploy,rs -o yaml`) step for step
as the Deployment controller takes them, through `rolloutplan plan --format json`.

The expected numbers follow the controller's rules (rolling.go, sync.go, deployment_util.go,
controller_utils.go), worked out in each test's docstring; the fixtures in
fixtures/plans/live/ name the example and the function they exercise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, RunCli

LIVE = FIXTURES / "plans" / "live"

Row = tuple[str, int, int, int]  # (action, old, new, available) after the step


def live_plan(run_cli: RunCli, fixture: Path, *options: str) -> dict[str, Any]:
    result = run_cli("plan", "--format", "json", *options, str(fixture))
    assert result.exit_code == 0, result.stdout
    (plan,) = json.loads(result.stdout)["plans"]
    return plan


def rows(plan: dict[str, Any]) -> list[Row]:
    return [(s["action"], s["old"], s["new"], s["available"]) for s in plan["steps"]]


def end(plan: dict[str, Any]) -> tuple[str, int, int, int]:
    final = plan["final"]
    return plan["outcome"], final["old"], final["new"], final["available"]


def test_cleanup_and_scale_down_of_one_old_replica_set_are_two_steps(run_cli: RunCli) -> None:
    """rolling.go reconcileOldReplicaSets -> cleanupUnhealthyReplicas, then
    scaleDownOldReplicaSetsForRollingUpdate, each through sync.go scaleReplicaSet.

    2 replicas, maxSurge 1, maxUnavailable 1: at most 3 pods, at least 1 available. Old 2/1,
    new 1/1. reconcileNewReplicaSet: 3 pods already, nothing. maxScaledDown = 3 - 1 - 0 = 2;
    cleanup removes the old ReplicaSet's 1 unavailable pod (2 -> 1); the scale-down counts 2
    available (statuses as read), 1 above the minimum: 1 -> 0. Next sync: the new one 1 -> 2.
    """
    plan = live_plan(run_cli, LIVE / "a-cleanup-then-scale-down.yaml")
    assert rows(plan) == [
        ("scale old ReplicaSet web-5d8f7c6b9 down 2 -> 1", 1, 1, 2),
        ("scale old ReplicaSet web-5d8f7c6b9 down 1 -> 0", 0, 1, 1),
        ("scale new ReplicaSet web-7c9d4b8f6 up 1 -> 2", 0, 2, 1),
        ("wait: 1 new pod becomes available", 0, 2, 2),
    ]
    # both writes of reconcileOldReplicaSets happen in one sync, before any pod is ready
    assert [step["wave"] for step in plan["steps"][:2]] == [0, 0]
    assert end(plan) == ("complete", 0, 2, 2)


def test_several_old_replica_sets_are_cleaned_up_then_scaled_down_oldest_first(
    run_cli: RunCli,
) -> None:
    """rolling.go reconcileOldReplicaSets -> cleanupUnhealthyReplicas, then
    scaleDownOldReplicaSetsForRollingUpdate, both going through the old ReplicaSets oldest
    first (controller_utils.go ReplicaSetsByCreationTimestamp), each write through sync.go
    scaleReplicaSet.

    4 replicas, maxSurge 2, maxUnavailable 2: at most 6 pods, at least 2 available. Oldest
    web-5d8f7c6b9 1/1, web-6b4f9d5c8 3/1, new 2/2. maxScaledDown = 6 - 2 - 0 = 4; cleanup
    skips the healthy oldest one and takes web-6b4f9d5c8's 2 unavailable pods (3 -> 1); the
    scale-down counts 4 available, 2 above the minimum, oldest first: 1 -> 0, then 1 -> 0.
    The issue's order: old1 3 -> 1, old0 1 -> 0, old1 1 -> 0.
    """
    plan = live_plan(run_cli, LIVE / "a-several-old-replica-sets.yaml")
    assert rows(plan) == [
        ("scale old ReplicaSet web-6b4f9d5c8 down 3 -> 1", 2, 2, 4),
        ("scale old ReplicaSet web-5d8f7c6b9 down 1 -> 0", 1, 2, 3),
        ("scale old ReplicaSet web-6b4f9d5c8 down 1 -> 0", 0, 2, 2),
        ("scale new ReplicaSet web-7c9d4b8f6 up 2 -> 4", 0, 4, 2),
        ("wait: 2 new pods become available", 0, 4, 4),
    ]
    assert end(plan) == ("complete", 0, 4, 4)


def test_proportional_scale_up_writes_the_larger_newer_replica_set_first(run_cli: RunCli) -> None:
    """sync.go scale, sorted by controller_utils.go ReplicaSetsBySizeNewer (adding pods),
    each write through scaleReplicaSet; then rolling.go reconcileOldReplicaSets.

    4 replicas (annotations: 2, max 3), maxSurge 1, maxUnavailable 1: 5 pods allowed, 3 exist,
    2 to add. New 2/2 first: round(2 * 5 / 3) - 2 = 1 -> 3; then old 1/1: round(1 * 5 / 3) -
    1 = 1 -> 2. The old ReplicaSet's new pod is not ready yet when the rollout resumes:
    maxScaledDown = 5 - 3 - 1 = 1 cleans it up (2 -> 1), the new one fills the gap (3 -> 4),
    and once its pods are available the last old pod goes.
    """
    plan = live_plan(run_cli, LIVE / "b-proportional-order.yaml")
    assert rows(plan) == [
        ("scale new ReplicaSet web-7c9d4b8f6 up 2 -> 3", 1, 3, 3),
        ("scale old ReplicaSet web-5d8f7c6b9 up 1 -> 2", 2, 3, 3),
        ("scale old ReplicaSet web-5d8f7c6b9 down 2 -> 1", 1, 3, 3),
        ("scale new ReplicaSet web-7c9d4b8f6 up 3 -> 4", 1, 4, 3),
        ("wait: 2 new pods become available", 1, 4, 5),
        ("scale old ReplicaSet web-5d8f7c6b9 down 1 -> 0", 0, 4, 4),
    ]
    assert end(plan) == ("complete", 0, 4, 4)


ROLLBACK_SCALE_STEPS: list[Row] = [
    ("scale new ReplicaSet web-7c9d4b8f6 down 3 -> 1", 3, 1, 4),
    ("scale old ReplicaSet web-5d8f7c6b9 down 3 -> 2", 2, 1, 3),
    ("scale old ReplicaSet web-5d8f7c6b9 down 2 -> 0", 0, 1, 1),
    ("scale new ReplicaSet web-7c9d4b8f6 up 1 -> 2", 0, 2, 1),
]


def test_size_tie_after_a_rollback_goes_by_creation_time(run_cli: RunCli) -> None:
    """sync.go scale, sorted by controller_utils.go ReplicaSetsBySizeOlder (removing pods),
    whose size ties fall to ReplicaSetsByCreationTimestamp; then rolling.go
    scaleDownOldReplicaSetsForRollingUpdate and reconcileNewReplicaSet.

    2 replicas (annotations: 4, max 5), maxSurge 1, maxUnavailable 1: 3 pods allowed, 6 exist,
    3 to remove. The new ReplicaSet was created first, so it comes first: round(3 * 3 / 5) - 3
    = -1 (3 -> 2), the old one also -1 (3 -> 2), and the first takes the leftover -1: new 3 ->
    1, old 3 -> 2. Rolling: 3 available, 2 above the minimum of 1: old 2 -> 0; then new 1 -> 2.
    The fixture's names and document order both put the old ReplicaSet first.
    """
    plan = live_plan(run_cli, LIVE / "c-rollback-size-tie.yaml", "--new-pods", "ready")
    assert rows(plan) == [*ROLLBACK_SCALE_STEPS, ("wait: 1 new pod becomes available", 0, 2, 2)]
    assert end(plan) == ("complete", 0, 2, 2)


def test_size_tie_after_a_rollback_stalls_when_new_pods_never_become_ready(
    run_cli: RunCli,
) -> None:
    """The same controller steps (sync.go scale with ReplicaSetsBySizeOlder and
    ReplicaSetsByCreationTimestamp, then rolling.go); the new ReplicaSet's one pod left from
    before stays available, the pod it gets next never does, and no old pod is left to scale
    down: stalled with 1 available (the minimum)."""
    plan = live_plan(run_cli, LIVE / "c-rollback-size-tie.yaml", "--new-pods", "never-ready")
    assert rows(plan) == ROLLBACK_SCALE_STEPS
    assert end(plan) == ("stalled", 0, 2, 1)


D_FIRST_SYNCS: list[Row] = [
    ("scale old ReplicaSet web-5d8f7c6b9 up 3 -> 10", 10, 0, 3),
    ("create new ReplicaSet web-<new> at 3", 10, 3, 3),
    ("scale old ReplicaSet web-5d8f7c6b9 down 10 -> 8", 8, 3, 3),
    ("scale new ReplicaSet web-<new> up 3 -> 5", 8, 5, 3),
]


def test_replicas_and_image_together_rest_with_the_old_pods_available(run_cli: RunCli) -> None:
    """sync.go scale (deployment_util.go FindActiveOrLatest: one active ReplicaSet is set to
    the new replicas), then rolling.go rolloutRolling: getNewReplicaSet /
    NewRSNewReplicas, reconcileOldReplicaSets -> cleanupUnhealthyReplicas, and
    reconcileNewReplicaSet.

    10 replicas at 25%/25%: maxSurge ceil(2.5) = 3, maxUnavailable floor(2.5) = 2, so at most
    13 pods and at least 8 available. Old 3/3 (annotations 3, max 4) -> 10, 3 available.
    Next sync: the new ReplicaSet is created at min(13 - 10, 10) = 3; maxScaledDown = 13 - 8 -
    3 = 2, cleanup removes 2 of the 7 unavailable old pods (10 -> 8); the scale-down sees 3
    available, not above 8. Next: the new one grows by min(13 - 11, 10 - 3) = 2 (3 -> 5); then
    maxScaledDown = 13 - 8 - 5 = 0. The old template works: its 5 new pods become available
    (AVAILABLE 8); the new template's pods never do, and maxScaledDown stays 0: the real
    Deployment rests at old 8 / new 5, AVAILABLE 8.
    """
    plan = live_plan(run_cli, LIVE / "d-replicas-and-image.yaml", "--new-pods", "never-ready")
    assert (plan["maxSurge"], plan["maxUnavailable"], plan["maxPods"], plan["minAvailable"]) == (
        3, 2, 13, 8,
    )  # fmt: skip
    assert rows(plan) == [*D_FIRST_SYNCS, ("wait: 5 old pods become available", 8, 5, 8)]
    assert end(plan) == ("stalled", 8, 5, 8)


def test_replicas_and_image_together_complete_when_new_pods_become_ready(
    run_cli: RunCli,
) -> None:
    """The same syncs as with never-ready pods; then, with every pod available (13),
    scaleDownOldReplicaSetsForRollingUpdate removes 13 - 8 = 5 old pods (8 -> 3),
    reconcileNewReplicaSet grows the new one by min(13 - 8, 10 - 5) = 5, and once those are
    available the last 3 old pods go."""
    plan = live_plan(run_cli, LIVE / "d-replicas-and-image.yaml", "--new-pods", "ready")
    assert rows(plan) == [
        *D_FIRST_SYNCS,
        ("wait: 5 new and 5 old pods become available", 8, 5, 13),
        ("scale old ReplicaSet web-5d8f7c6b9 down 8 -> 3", 3, 5, 8),
        ("scale new ReplicaSet web-<new> up 5 -> 10", 3, 10, 8),
        ("wait: 5 new pods become available", 3, 10, 13),
        ("scale old ReplicaSet web-5d8f7c6b9 down 3 -> 0", 0, 10, 10),
    ]
    assert end(plan) == ("complete", 0, 10, 10)


def test_without_creation_timestamps_the_assumed_order_is_noted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """controller_utils.go ReplicaSetsByCreationTimestamp needs metadata.creationTimestamp;
    without it the plan says which order it took (here name order, which makes the old
    ReplicaSet the older one and so the first to shrink in sync.go scale)."""
    text = (LIVE / "c-rollback-size-tie.yaml").read_text(encoding="utf-8")
    dated = "  creationTimestamp: "
    lines = [line for line in text.splitlines() if not line.startswith(dated)]
    assert len(lines) == len(text.splitlines()) - 2
    manifest = tmp_path / "undated.yaml"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = live_plan(run_cli, manifest)
    said = [*plan["notes"], *plan["assumptions"]]
    assert any("creationTimestamp" in line for line in said), said
    assert rows(plan)[:2] == [
        ("scale old ReplicaSet web-5d8f7c6b9 down 3 -> 1", 1, 3, 4),
        ("scale new ReplicaSet web-7c9d4b8f6 down 3 -> 2", 1, 2, 3),
    ]
    assert end(plan) == ("complete", 0, 2, 2)


def test_dated_replica_sets_get_no_creation_order_note(run_cli: RunCli) -> None:
    plan = live_plan(run_cli, LIVE / "c-rollback-size-tie.yaml")
    assert not any("creationTimestamp" in line for line in [*plan["notes"], *plan["assumptions"]])


# Planner bugs the property test (test_live_properties.py) found, fixed.


def test_a_replica_change_that_changes_no_size_still_lets_the_rollout_go_on(
    run_cli: RunCli,
) -> None:
    """sync.go scale: 3 + 1 = 4 pods allowed and 4 exist, so no size changes, but
    scaleReplicaSet rewrites the annotations of both (annotationsNeedUpdate), which ends the
    scaling event; then rolling.go: maxScaledDown = 4 - 2 - 0 = 2 and 4 available, 2 above
    the minimum: old 2 -> 0; reconcileNewReplicaSet: new 2 -> 3."""
    plan = live_plan(run_cli, LIVE / "scaled-down-mid-rollout-same-total.yaml")
    assert rows(plan) == [
        ("scale old ReplicaSet web-5d8f7c6b9 down 2 -> 0", 0, 2, 2),
        ("scale new ReplicaSet web-7c9d4b8f6 up 2 -> 3", 0, 3, 2),
        ("wait: 1 new pod becomes available", 0, 3, 3),
    ]
    assert end(plan) == ("complete", 0, 3, 3)


def test_an_old_pod_being_replaced_becomes_available_at_rest(run_cli: RunCli) -> None:
    """rolling.go: 4 pods of 4 allowed, maxScaledDown = 4 - 3 - 1 = 0: no sync acts. The
    ReplicaSet controller still creates the old ReplicaSet's missing pod (status.replicas 2
    of 3), and the old template works: the rollout rests at AVAILABLE 3, not 2."""
    plan = live_plan(run_cli, LIVE / "old-pod-being-replaced.yaml", "--new-pods", "never-ready")
    assert rows(plan) == [("wait: 1 old pod becomes available", 3, 1, 3)]
    assert end(plan) == ("stalled", 3, 1, 3)
