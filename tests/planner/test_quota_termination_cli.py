"""Old pods being deleted still count against the quota until they are gone: when they take
longer to terminate than a wave, the room they free comes back only then."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES, RunCli

SLOW = FIXTURES / "quota" / "slow-termination.yaml"
PRE_STOP = "        lifecycle:\n          preStop:\n            sleep:\n              seconds: 20\n"


def _plan(run_cli: RunCli, *args: object, stdin: str | None = None) -> dict[str, Any]:
    (plan,) = json.loads(run_cli("plan", "--format", "json", *args, stdin=stdin).stdout)["plans"]
    return plan


def _steps(plan: dict[str, Any]) -> list[tuple[int, int, int | None, int, int]]:
    return [
        (s["old"], s["new"], s.get("newCreated"), s["available"], s["seconds"])
        for s in plan["steps"]
    ]


def test_room_of_old_pods_comes_back_when_they_are_gone(run_cli: RunCli) -> None:
    plan = _plan(run_cli, SLOW)
    # pods: 5, 4 old pods: one new pod fits.  Each old pod scaled down holds its place for
    # 20s (preStop sleep); a wave takes 5s.
    assert _steps(plan) == [
        (4, 2, 1, 4, 0),  # new ReplicaSet at 2 (maxSurge 2): room for 1
        (3, 2, 1, 3, 0),  # old 4 -> 3 (maxUnavailable 1): that pod leaves at 20s
        (3, 3, 1, 3, 0),
        (3, 3, 1, 4, 5),  # the new pod is available
        (2, 3, 1, 3, 5),  # old 3 -> 2: leaves at 25s; 2 + 2 leaving + 1 new = 5
        (2, 4, 1, 3, 5),
        (2, 4, 1, 3, 20),  # the first old pod is gone: a second new pod is created
        (2, 4, 2, 4, 25),  # it is available; the second old pod is gone (25s)
        (1, 4, 3, 3, 25),  # old 2 -> 1 (leaves at 45s); 2 old + 3 new = 5
        (1, 4, 3, 4, 30),
        (0, 4, 3, 3, 30),  # old 1 -> 0 (leaves at 50s)
        (0, 4, 3, 3, 45),  # one old pod gone: the fourth new pod is created
        (0, 4, None, 4, 50),
    ]
    assert [s["action"] for s in plan["steps"] if s["seconds"] in (20, 45)] == [
        "wait: 1 old pod terminates",
        "wait: 1 old pod terminates",
    ]
    assert plan["outcome"] == "complete" and plan["durationSeconds"] == 50
    assert any(
        n.startswith("old pods scaled down keep counting against the quota until they are gone, ")
        and "20s after their scale-down" in n
        for n in plan["notes"]
    )


def test_old_pods_that_exit_promptly_free_their_room_at_the_next_wave(run_cli: RunCli) -> None:
    text = SLOW.read_text(encoding="utf-8")
    prompt = text.replace(PRE_STOP, "")
    assert prompt != text
    plan = _plan(run_cli, "-", stdin=prompt)
    assert _steps(plan) == [
        (4, 2, 1, 4, 0),
        (3, 2, 1, 3, 0),
        (3, 3, 1, 3, 0),
        (3, 3, 1, 4, 5),  # the old pod scaled down at 0s is gone by the wave
        (2, 3, 2, 3, 5),  # so a second new pod fits beside 2 old and 1 leaving
        (2, 4, 2, 3, 5),
        (2, 4, 2, 4, 10),
        (1, 4, 3, 3, 10),
        (1, 4, 3, 4, 15),
        (0, 4, None, 3, 15),
        (0, 4, None, 4, 20),
    ]
    assert plan["durationSeconds"] == 20
    assert (
        "old pods scaled down keep counting against the quota until they are gone: at the "
        "next wave, or 0s after (termination) when nothing else is pending"
    ) in plan["notes"]


def test_termination_within_a_wave_changes_nothing(run_cli: RunCli) -> None:
    text = SLOW.read_text(encoding="utf-8")
    within = text.replace("seconds: 20\n", "seconds: 5\n")
    assert within != text
    prompt = text.replace(PRE_STOP, "")
    assert _steps(_plan(run_cli, "-", stdin=within)) == _steps(_plan(run_cli, "-", stdin=prompt))
