"""The simulator's shortcuts (issue 14, plan benchmark) change no plan: a sync's only action
makes its step without running totals, and the scan for a scaling event stops once none
is left.  Each is checked against the long way on random live states."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from rolloutplan.model.objects import Deployment, ReplicaSet
from rolloutplan.planner import controller as ctl
from rolloutplan.planner import simulate
from rolloutplan.planner.budget import Budget
from rolloutplan.planner.controller import Cluster
from rolloutplan.planner.simulate import NewPods, Replay
from tests.planner.test_runs import replayed, setups

Setup = tuple[Deployment, list[ReplicaSet], NewPods]


def planned(setup: Setup) -> Replay:
    return replayed(*setup, max_steps=10**6, look_after=10**6)


@given(setups())
def test_one_action_steps_equal_the_running_totals(setup: Setup) -> None:
    fast = planned(setup)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate, "_unique_names", lambda start, new_name: False)
        assert planned(setup) == fast


@given(setups())
def test_the_scaling_event_is_known_at_every_sync(setup: Setup) -> None:
    sync = simulate._sync
    checked = [0]

    def checking(
        deployment: Deployment, budget: Budget, state: Cluster, *args: Any
    ) -> tuple[Cluster, Any]:
        *_, scaling = args
        assert scaling == ctl.is_scaling_event(state, budget.replicas)
        checked[0] += 1
        return sync(deployment, budget, state, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate, "_sync", checking)
        planned(setup)
    assert checked[0] > 0
