"""Replay a rollout: controller syncs, then a wave of new pods becoming available, repeated.

The readiness model: each step is one scale action of the controller.  Once the controller
has done all it can, the pods it created become available together (one wave), and it acts
again.  With ``NewPods.NEVER_READY`` no wave ever comes and the plan ends where the
controller rests.  Old pods that are scaled down stop counting at once (terminating pods are
not counted); Recreate waits for them to be gone before creating the new ReplicaSet.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from rolloutplan.model.objects import Deployment, StrategyType
from rolloutplan.planner import controller as ctl
from rolloutplan.planner.budget import Budget
from rolloutplan.planner.controller import Cluster, ScaleAction
from rolloutplan.planner.timing import Timing


class NewPods(enum.Enum):
    READY = "ready"
    NEVER_READY = "never-ready"


class Outcome(enum.Enum):
    COMPLETE = "complete"
    STALLED = "stalled"
    PAUSED = "paused"
    NO_ROLLOUT = "no-rollout"
    REFUSED = "refused"


class Step(NamedTuple):
    kind: str  # "scale" or "wait"
    description: str
    old: int  # desired replicas of all old ReplicaSets after the step
    new: int  # desired replicas of the new ReplicaSet after the step
    available: int  # available pods after the step
    seconds: int  # when the step happens, from the start of the rollout
    wave: int
    new_available: int = 0  # of ``available``, how many are new pods

    @property
    def total(self) -> int:
        return self.old + self.new


@dataclass(frozen=True, slots=True)
class Replay:
    steps: tuple[Step, ...]
    final: Cluster
    outcome: Outcome
    waves: int
    seconds: int
    last_progress_seconds: int


def replay(
    deployment: Deployment,
    budget: Budget,
    start: Cluster,
    new_name: str,
    new_pods: NewPods,
    timing: Timing,
) -> Replay:
    """Run syncs and waves until the Deployment completes or nothing more can happen."""
    recreate = deployment.strategy.type is StrategyType.RECREATE
    state = start
    steps: list[Step] = []
    seconds = waves = last_progress = 0
    limit = 4 * (budget.max_pods + len(start.all) + 10)
    for _ in range(limit):
        state, taken = _sync_until_idle(deployment, budget, state, new_name, recreate)
        current_new = state.new.name if state.new is not None else new_name
        steps.extend(_scale_steps(taken, current_new, seconds, waves))
        if taken:
            last_progress = seconds
        if deployment.paused:
            return Replay(tuple(steps), state, Outcome.PAUSED, waves, seconds, last_progress)
        if _complete(state, budget):
            return Replay(tuple(steps), state, Outcome.COMPLETE, waves, seconds, last_progress)
        if recreate and ctl.old_pods_running(state):
            seconds += timing.termination_seconds
            state, step = _terminate_old(state, seconds, waves)
            steps.append(step)
            continue
        pending = _pending_new(state)
        if new_pods is NewPods.NEVER_READY or pending == 0:
            return Replay(tuple(steps), state, Outcome.STALLED, waves, seconds, last_progress)
        waves += 1
        seconds += timing.ready_seconds
        last_progress = seconds
        state = _wave(state)
        steps.append(_wait_step(state, pending, seconds, waves))
    raise RuntimeError(f"rollout of {deployment.ref} did not settle in {limit} rounds")


def _sync_until_idle(
    deployment: Deployment, budget: Budget, state: Cluster, new_name: str, recreate: bool
) -> tuple[Cluster, list[tuple[Cluster, tuple[ScaleAction, ...]]]]:
    """The controller's syncs, each followed by the cluster catching up, until one does nothing.

    Returns the final state and, for each sync that acted, the state it saw and its actions.
    """
    taken: list[tuple[Cluster, tuple[ScaleAction, ...]]] = []
    while True:
        before = state
        state, actions = _sync(deployment, budget, state, new_name, recreate)
        if not actions:
            return state, taken
        state = _settle(state, recreate)
        taken.append((before, actions))


def _sync(
    deployment: Deployment, budget: Budget, state: Cluster, new_name: str, recreate: bool
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """One syncDeployment: a scaling event first; when paused nothing else; then the strategy."""
    if ctl.is_scaling_event(state, budget.replicas):
        status_replicas = sum(rs.pods for rs in state.all)
        return ctl.proportional_scale(
            state, budget, rolling=not recreate, status_replicas=status_replicas
        )
    if deployment.paused:
        return state, ()
    if not recreate:
        return ctl.rolling_sync(state, budget, new_name)
    if any(rs.spec > 0 for rs in state.olds):
        return ctl.recreate_scale_down(state, budget)
    if ctl.old_pods_running(state):
        return state, ()
    return ctl.recreate_scale_up(state, budget, new_name)


def _settle(state: Cluster, recreate: bool) -> Cluster:
    """The ReplicaSet controller catches up: pods created (not yet available) or removed.

    Removed pods stop counting at once; under Recreate they keep running until terminated.
    """

    new = state.new
    if new is not None:
        new = new.observed(min(new.available, new.spec), new.spec)
    olds = tuple(
        rs.observed(min(rs.available, rs.spec), rs.pods if recreate else min(rs.pods, rs.spec))
        for rs in state.olds
    )
    return Cluster(olds, new)


def _wave(state: Cluster) -> Cluster:
    assert state.new is not None
    return Cluster(state.olds, state.new.observed(state.new.spec, state.new.pods))


def _pending_new(state: Cluster) -> int:
    return 0 if state.new is None else state.new.spec - state.new.available


def _complete(state: Cluster, budget: Budget) -> bool:
    """DeploymentComplete: every pod is new and available, and no old pod is left."""
    new = state.new
    return (
        new is not None
        and new.spec == budget.replicas
        and new.available == budget.replicas
        and all(rs.spec == 0 and rs.pods == 0 for rs in state.olds)
    )


def _terminate_old(state: Cluster, seconds: int, wave: int) -> tuple[Cluster, Step]:
    terminating = sum(rs.pods for rs in state.olds)
    state = Cluster(tuple(rs.observed(0, 0) for rs in state.olds), state.new)
    text = f"wait: {_pods(terminating, 'old')} {_verb(terminating, 'terminates', 'terminate')}"
    return state, _state_step(state, text, seconds, wave)


def _wait_step(state: Cluster, pending: int, seconds: int, wave: int) -> Step:
    verb = _verb(pending, "becomes", "become")
    text = f"wait: {_pods(pending, 'new')} {verb} available"
    return _state_step(state, text, seconds, wave)


def _state_step(state: Cluster, text: str, seconds: int, wave: int) -> Step:
    new_available = 0 if state.new is None else state.new.available
    return Step(
        "wait", text, state.old_spec, state.new_spec, state.available, seconds, wave, new_available
    )


def _scale_steps(
    taken: list[tuple[Cluster, tuple[ScaleAction, ...]]], new_name: str, seconds: int, wave: int
) -> list[Step]:
    """One step per action, with the counts as they stand right after that action."""
    steps = []
    for before, actions in taken:
        sizes = {rs.name: rs.spec for rs in before.all}
        available = {rs.name: rs.available for rs in before.all}
        for action in actions:
            name = action.replica_set
            sizes[name] = action.after
            available[name] = min(available.get(name, 0), action.after)
            new = sizes.get(new_name, 0)
            old = sum(sizes.values()) - new
            total_available = sum(available.values())
            new_available = available.get(new_name, 0)
            steps.append(
                Step(
                    "scale",
                    _describe(action),
                    old,
                    new,
                    total_available,
                    seconds,
                    wave,
                    new_available,
                )
            )
    return steps


def _describe(action: ScaleAction) -> str:
    which = "new" if action.new else "old"
    if action.created:
        return f"create {which} ReplicaSet {action.replica_set} at {action.after}"
    direction = "up" if action.after > action.before else "down"
    return (
        f"scale {which} ReplicaSet {action.replica_set} {direction} "
        f"{action.before} -> {action.after}"
    )


def _pods(count: int, which: str) -> str:
    return f"{count} {which} pod" if count == 1 else f"{count} {which} pods"


def _verb(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural
