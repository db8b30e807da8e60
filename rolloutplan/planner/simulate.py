"""Replay a rollout: controller syncs, then a wave of new pods becoming available, repeated.

The readiness model: each step is one scale action of the controller.  Once the controller
has done all it can, the pods it created become available together (one wave), and it acts
again.  Readiness goes by template: the old templates work, so old pods (those proportional
scaling creates, and old pods not yet available at the start) become available in the next
wave; the new template's pods do too, unless ``NewPods.NEVER_READY``, where they never do and
the plan ends where the controller rests.  Old pods that are scaled down stop counting at once
(terminating pods are not counted); Recreate waits for them to be gone before creating the
new ReplicaSet.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from rolloutplan.model.objects import Deployment, StrategyType
from rolloutplan.planner import controller as ctl
from rolloutplan.planner.budget import Budget
from rolloutplan.planner.controller import (
    _AVAILABLE,
    _SPEC,
    Cluster,
    ReplicaSetState,
    ScaleAction,
)
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
    TRUNCATED = "truncated"  # the plan reached MAX_STEPS or MAX_WORK before the rollout ended


# A plan lists at most MAX_STEPS steps.  A longer one shows each run of identical rounds
# (the same actions, shifted by the same counts each time) as its first rounds, one "repeat"
# step and its last round; if that is not enough, or the simulation would read more than
# MAX_WORK ReplicaSet states, it stops there (Outcome.TRUNCATED).  Every round simulated
# counts, those that check a run too: MAX_WORK is what the planner reads in about half a
# second, whatever the input.
MAX_STEPS = 50_000
MAX_WORK = 2_000_000
ROUND_WORK = 60  # what a round costs besides reading ReplicaSets, in ReplicaSet states
MAX_PERIOD = 4  # rounds in the longest pattern looked for (surge != unavailable repeats in 2)
LOOK_AFTER = 1_000  # steps before runs are looked for: shorter plans never pay for it


class Step(NamedTuple):
    kind: str  # "scale", "wait", or "repeat" (a run of identical rounds, shown once)
    description: str
    old: int  # desired replicas of all old ReplicaSets after the step
    new: int  # desired replicas of the new ReplicaSet after the step
    available: int  # available pods after the step
    seconds: int  # when the step happens, from the start of the rollout
    wave: int
    new_available: int = 0  # of ``available``, how many are new pods
    # new pods that exist, when a quota keeps the ReplicaSet controller from creating all
    # ``new`` of them (-1: all of them exist)
    new_created: int = -1

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
    repeated_rounds: int = 0  # rounds shown as "repeat" steps rather than one by one


class Clock(NamedTuple):
    seconds: int = 0
    waves: int = 0
    last_progress: int = 0


class _Meter:
    """The ReplicaSet states read so far (every sync reads each one) and the limit."""

    __slots__ = ("limit", "spent")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def charge(self, cluster: Cluster, syncs: int) -> None:
        self.spent += ROUND_WORK + syncs * (len(cluster.olds) + 1)

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.limit


class _Setting(NamedTuple):
    deployment: Deployment
    budget: Budget
    new_name: str
    new_pods: NewPods
    timing: Timing
    recreate: bool
    meter: _Meter
    # no two ReplicaSets share a name (nor an old one the new one's): then an action's
    # ReplicaSet can be found by name, and a step's counts follow from it alone
    unique_names: bool
    # with quotas: how many new pods can exist beside a number of old ones (None: no quota)
    cap: Callable[[int], int] | None = None
    # with nodes that hold one pod each: how many new pods can run beside a number of old
    # ones (None: every pod that exists can)
    nodes: Callable[[int], int] | None = None
    # old pods scaled down and not gone yet, when a round under quotas or nodes began
    leaving: _Leaving | None = None


class _Round(NamedTuple):
    """One round: the controller's syncs until idle, then a wave (or old pods going)."""

    start: Cluster
    clock: Clock
    steps: tuple[Step, ...]
    end: Cluster
    end_clock: Clock
    outcome: Outcome | None  # set when the plan ends with this round


def replay(
    deployment: Deployment,
    budget: Budget,
    start: Cluster,
    new_name: str,
    new_pods: NewPods,
    timing: Timing,
    max_steps: int = MAX_STEPS,
    look_after: int = LOOK_AFTER,
    cap: Callable[[int], int] | None = None,
    nodes: Callable[[int], int] | None = None,
) -> Replay:
    """Run syncs and waves until the Deployment completes or nothing more can happen.
    ``cap``: quotas bound the new pods that can exist; ``nodes``: the nodes bound the new
    pods that can run, the others stay Pending (see ``_quota_round``)."""
    recreate = deployment.strategy.type is StrategyType.RECREATE
    meter = _Meter(MAX_WORK)  # read at each call: tests lower it
    unique = _unique_names(start, new_name)
    leaving = None
    if cap is not None or nodes is not None:
        # a quota charges a pod until it is gone; without one, a wave frees every pod
        leaving = _Leaving(timing.termination_seconds, through_waves=cap is not None)
    setting = _Setting(
        deployment, budget, new_name, new_pods, timing, recreate, meter, unique, cap, nodes, leaving
    )
    if cap is not None or nodes is not None:
        look_after = max_steps + 1  # rounds under a quota are not searched for runs
    clock = Clock()
    parked = _Parked(start)
    steps: list[Step] = []
    history: list[_Round] = []
    repeated = 0
    look_from = look_after
    state = parked.park(start)
    while True:
        done = _round(setting, state, clock)
        if len(steps) + len(done.steps) > max_steps:  # the plan stops before this round
            return _replayed(steps, parked.unpark(state), Outcome.TRUNCATED, clock, repeated)
        steps.extend(done.steps)
        clock = done.end_clock
        state = parked.park(done.end)
        if done.outcome is not None:
            return _replayed(steps, parked.unpark(state), done.outcome, clock, repeated)
        if meter.exhausted:
            return _replayed(steps, parked.unpark(state), Outcome.TRUNCATED, clock, repeated)
        if len(steps) < look_from:
            continue
        history = [*history[-2 * MAX_PERIOD + 1 :], done]
        run = _find_run(setting, history)
        if run is None:
            continue
        period, count = run
        history = []
        if len(steps) + count * len(period.steps) <= max_steps:
            look_from = len(steps) + count * len(period.steps)  # short enough: show it all
            continue
        if len(steps) >= max_steps:  # no room left for the "repeat" step
            return _replayed(steps, parked.unpark(state), Outcome.TRUNCATED, clock, repeated)
        # the last period of the run is simulated again, so that it shows in full
        steps.append(_repeat_step(period, count - 1, len(steps)))
        state, clock = period.at(count - 1)
        state = parked.park(state)
        repeated += (count - 1) * period.rounds


def _unique_names(start: Cluster, new_name: str) -> bool:
    """Whether every ReplicaSet's name is its own (live inputs may repeat one: those plans
    keep the running totals by name)."""
    names = [rs.name for rs in start.all]
    if start.new is None:
        names.append(new_name)
    return len(set(names)) == len(names)


class _Parked:
    """Old ReplicaSets set aside for good: at 0 with no pod left, no sync reads or changes
    one again (only the last old one may be scaled up, when nothing else exists, so it always
    stays).  Setting them aside keeps each round's cost to the ReplicaSets still in play;
    the final state puts them back in their places."""

    def __init__(self, start: Cluster) -> None:
        self._olds = list(start.olds)
        self._in_play = list(range(len(start.olds)))  # positions of the olds still in play

    def park(self, state: Cluster) -> Cluster:
        last = len(state.olds) - 1
        keep = [
            index
            for index, rs in enumerate(state.olds)
            if rs.spec or rs.available or rs.pods or index == last
        ]
        if len(keep) == len(state.olds):
            return state
        for index, rs in enumerate(state.olds):
            self._olds[self._in_play[index]] = rs
        self._in_play = [self._in_play[index] for index in keep]
        return Cluster(tuple(state.olds[index] for index in keep), state.new)

    def unpark(self, state: Cluster) -> Cluster:
        olds = list(self._olds)
        for position, rs in zip(self._in_play, state.olds, strict=True):
            olds[position] = rs
        return Cluster(tuple(olds), state.new)


def _replayed(
    steps: list[Step], state: Cluster, outcome: Outcome, clock: Clock, repeated: int
) -> Replay:
    return Replay(
        tuple(steps), state, outcome, clock.waves, clock.seconds, clock.last_progress, repeated
    )


def _synced(
    setting: _Setting, state: Cluster, clock: Clock, cap: Callable[[int], int] | None
) -> tuple[Cluster, list[Step], int]:
    """The controller's syncs until idle (the ReplicaSet controller creating at most what
    ``cap`` leaves room for), their steps, and when the rollout last progressed."""
    state, taken = _sync_until_idle(
        setting.deployment, setting.budget, state, setting.new_name, setting.recreate, cap
    )
    setting.meter.charge(state, len(taken) + 1)
    current_new = state.new.name if state.new is not None else setting.new_name
    steps = _scale_steps(
        taken, current_new, clock.seconds, clock.waves, unique_names=setting.unique_names
    )
    return state, steps, clock.seconds if taken else clock.last_progress


def _round(setting: _Setting, state: Cluster, clock: Clock) -> _Round:
    if setting.cap is not None or setting.nodes is not None:
        return _quota_round(setting, setting.cap or _unlimited, state, clock)
    deployment, budget = setting.deployment, setting.budget
    start, (seconds, waves, _) = state, clock
    state, steps, last_progress = _synced(setting, state, clock, None)
    outcome = None
    if deployment.paused:
        outcome = Outcome.PAUSED
    elif _complete(state, budget):
        outcome = Outcome.COMPLETE
    elif setting.recreate and ctl.old_pods_running(state):
        seconds += setting.timing.termination_seconds
        state, step = _terminate_old(state, seconds, waves)
        steps.append(step)
    else:
        new_ready = setting.new_pods is NewPods.READY
        pending_new = _pending_new(state) if new_ready else 0
        pending_old = _pending_old(state)
        if pending_new == 0 and pending_old == 0:
            outcome = Outcome.STALLED
        else:
            waves += 1
            seconds += setting.timing.ready_seconds
            last_progress = seconds
            state = _wave(state, new_ready, pending_old > 0)
            steps.append(_wait_step(state, pending_new, pending_old, seconds, waves))
    end_clock = Clock(seconds, waves, last_progress)
    return _Round(start, clock, tuple(steps), state, end_clock, outcome)


@dataclass(frozen=True, slots=True)
class _Period:
    """A pattern of ``rounds`` rounds that the last two periods both followed: each one
    shifts every count by ``delta`` and the clock by ``clock_delta``."""

    rounds: int
    start: Cluster  # where the next period starts
    clock: Clock
    delta: tuple[int, ...]
    clock_delta: tuple[int, ...]
    steps: tuple[Step, ...]  # the last period's steps
    step_delta: tuple[int, ...]
    moving: tuple[int, ...]  # which ReplicaSets ``delta`` changes (often 2 of thousands)

    def at(self, periods: int) -> tuple[Cluster, Clock]:
        """The state and clock ``periods`` periods after ``start``."""
        clock = Clock(*(c + periods * d for c, d in zip(self.clock, self.clock_delta, strict=True)))
        return _shifted(self.start, self.delta, self.moving, periods), clock

    def shifted_steps(self, periods: int) -> list[Step]:
        return [_shift_step(step, self.step_delta, periods) for step in self.steps]


def _find_run(setting: _Setting, history: list[_Round]) -> tuple[_Period, int] | None:
    """The pattern the last rounds follow, and how many more periods follow it exactly."""
    for rounds in range(1, MAX_PERIOD + 1):
        if len(history) < 2 * rounds:
            break
        setting.meter.charge(history[-1].end, 2)  # two clusters compared count by count
        period = _period(history[-2 * rounds : -rounds], history[-rounds:])
        if period is not None:
            count = _run_length(setting, period)
            return (period, count) if count > 1 else None
    return None


def _period(first: list[_Round], second: list[_Round]) -> _Period | None:
    delta = _difference(first[0].start, second[0].start)
    if delta is None or not any(delta) or _difference(second[0].start, second[-1].end) != delta:
        return None
    clock_delta = _minus(second[0].clock, first[0].clock)
    if _minus(second[-1].end_clock, second[0].clock) != clock_delta:
        return None
    before = [step for done in first for step in done.steps]
    after = [step for done in second for step in done.steps]
    if len(before) != len(after) or any(
        _shape(a) != _shape(b) for a, b in zip(before, after, strict=True)
    ):
        return None
    shifts = {_minus(b, a) for a, b in zip(before, after, strict=True)}
    if len(shifts) != 1:
        return None
    end = second[-1]
    moving = tuple(i for i in range(len(end.end.all)) if any(delta[3 * i : 3 * i + 3]))
    return _Period(
        len(second), end.end, end.end_clock, delta, clock_delta, tuple(after), shifts.pop(), moving
    )


def _run_length(setting: _Setting, period: _Period) -> int:
    """How many periods from ``period.start`` on repeat the pattern (a search: the
    controller's choices are comparisons of counts that change linearly, so the periods
    that follow it form one unbroken run).

    A run mostly ends just before a count would go below 0, so when one falls the search
    looks there first, then further down in doubling gaps, before it bisects."""
    if not _follows(setting, period, 0):
        return 0
    limit = _periods_until_negative(period)
    low, high = 0, limit + 1
    gap = 1 if limit < _NO_LIMIT else high
    while high - low > 1 and not setting.meter.exhausted:  # out of work: the plan stops here
        middle = max(high - gap, (low + high) // 2)
        if _follows(setting, period, middle):
            low = middle
        else:
            high = middle
        gap *= 2
    return low + 1


def _periods_until_negative(period: _Period) -> int:
    values = _flat(period.start)
    limits = [value // -d for value, d in zip(values, period.delta, strict=True) if d < 0]
    return min(limits, default=_NO_LIMIT)


_NO_LIMIT = 2**62


def _follows(setting: _Setting, period: _Period, periods: int) -> bool:
    """Whether the period starting ``periods`` periods on repeats the pattern exactly."""
    state, clock = period.at(periods)
    steps: list[Step] = []
    for _ in range(period.rounds):
        done = _round(setting, state, clock)
        if done.outcome is not None:
            return False
        steps.extend(done.steps)
        state, clock = done.end, done.end_clock
    expected_end, expected_clock = period.at(periods + 1)
    expected = period.shifted_steps(periods + 1)
    return (
        [(_shape(s), _numbers(s)) for s in steps] == [(_shape(s), _numbers(s)) for s in expected]
        and state == expected_end
        and clock == expected_clock
    )


def _repeat_step(period: _Period, count: int, shown: int) -> Step:
    first = shown - len(period.steps) + 1
    old, new = period.step_delta[0], period.step_delta[1]
    last = _shift_step(period.steps[-1], period.step_delta, count)
    times = _verb(count, "time", "times")
    text = f"repeat steps {first}-{shown} {count} more {times} (old {old:+}, new {new:+} each time)"
    return last._replace(kind="repeat", description=text)


def _shape(step: Step) -> tuple[str, str]:
    return step.kind, re.sub(r"\d+", "#", step.description)


def _numbers(step: Step) -> tuple[int, ...]:
    return (step.old, step.new, step.available, step.seconds, step.wave, step.new_available)


def _shift_step(step: Step, delta: tuple[int, ...], times: int) -> Step:
    numbers = (n + times * d for n, d in zip(_numbers(step), delta, strict=True))
    old, new, available, seconds, wave, new_available = numbers
    return Step(step.kind, step.description, old, new, available, seconds, wave, new_available)


def _minus(after: Step | Clock, before: Step | Clock) -> tuple[int, ...]:
    if isinstance(after, Step) and isinstance(before, Step):
        return tuple(a - b for a, b in zip(_numbers(after), _numbers(before), strict=True))
    return tuple(a - b for a, b in zip(after, before, strict=True))


_COUNTS = attrgetter("spec", "available", "pods")


def _flat(cluster: Cluster) -> tuple[int, ...]:
    return tuple(chain.from_iterable(map(_COUNTS, cluster.all)))


def _difference(before: Cluster, after: Cluster) -> tuple[int, ...] | None:
    """How every count changed, or None when the ReplicaSets or their annotations differ."""
    same = len(before.olds) == len(after.olds) and (before.new is None) == (after.new is None)
    if not same or any(
        (a.name, a.desired, a.max_replicas) != (b.name, b.desired, b.max_replicas)
        for a, b in zip(before.all, after.all, strict=True)
    ):
        return None
    return tuple(b - a for a, b in zip(_flat(before), _flat(after), strict=True))


def _shifted(
    cluster: Cluster, delta: tuple[int, ...], moving: tuple[int, ...], times: int
) -> Cluster:
    if times == 0:
        return cluster
    moved = list(cluster.all)
    for index in moving:
        rs = moved[index]
        spec, available, pods = (
            value + times * d
            for value, d in zip(
                (rs.spec, rs.available, rs.pods), delta[3 * index : 3 * index + 3], strict=True
            )
        )
        moved[index] = rs._replace(spec=spec, available=available, pods=pods)
    if cluster.new is None:
        return Cluster(tuple(moved))
    return Cluster(tuple(moved[:-1]), moved[-1])


def _sync_until_idle(
    deployment: Deployment,
    budget: Budget,
    state: Cluster,
    new_name: str,
    recreate: bool,
    cap: Callable[[int], int] | None = None,
) -> tuple[Cluster, list[tuple[Cluster, tuple[ScaleAction, ...]]]]:
    """The controller's syncs, each followed by the cluster catching up, until one does nothing.

    Returns the final state and, for each sync that acted, the state it saw and its actions.
    A sync whose only writes are annotations (scale() rewrites desired-replicas and
    max-replicas on every active ReplicaSet, even one whose size stays) takes no step, but
    the controller goes on: the next sync sees the new annotations.  When the controller is
    idle, the ReplicaSet controller catches up with what it had not done yet (live state:
    pods of a ReplicaSet not all created), and the controller looks again.
    """
    taken: list[tuple[Cluster, tuple[ScaleAction, ...]]] = []
    # Once no active ReplicaSet's desired-replicas annotation differs, none ever does again:
    # every ReplicaSet the controller writes gets the Deployment's replicas, and settling
    # changes no size or annotation.  So the scan stops at the first sync that finds none.
    scaling = ctl.is_scaling_event(state, budget.replicas)
    while True:
        before = state
        state, actions = _sync(deployment, budget, state, new_name, recreate, scaling)
        if actions:
            state = _settle(state, recreate) if cap is None else _settle_capped(state, cap)
            taken.append((before, actions))
        elif state is before or state == before:
            settled = _settle(state, recreate) if cap is None else _settle_capped(state, cap)
            if settled is state or settled == state:
                return state, taken
            state = settled
        scaling = scaling and ctl.is_scaling_event(state, budget.replicas)


def _sync(
    deployment: Deployment,
    budget: Budget,
    state: Cluster,
    new_name: str,
    recreate: bool,
    scaling: bool,
) -> tuple[Cluster, tuple[ScaleAction, ...]]:
    """One syncDeployment: when paused or on a scaling event (``scaling``: isScalingEvent
    of ``state``) only scale() runs, so a paused Deployment mid-rollout is still resized
    proportionally; otherwise the strategy."""
    if deployment.paused or scaling:
        status_replicas = sum(rs.pods for rs in state.all)
        return ctl.proportional_scale(
            state, budget, rolling=not recreate, status_replicas=status_replicas
        )
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
    Unavailable pods go first (the ReplicaSet controller deletes not-ready pods first).
    """
    new = state.new
    if new is not None and (new.pods != new.spec or new.available > new.spec):
        new = new.observed(min(new.available, new.spec), new.spec)
    olds = state.olds
    # most old ReplicaSets are settled already: find the others without building anything
    behind = [i for i, rs in enumerate(olds) if rs.pods != rs.spec or rs.available > rs.spec]
    if behind:
        caught_up = list(olds)
        for index in behind:
            rs = olds[index]
            # grown (proportional scaling): pods created; shrunk: Recreate's keep terminating
            pods = max(rs.pods, rs.spec) if recreate else rs.spec
            caught_up[index] = rs.observed(min(rs.available, rs.spec), pods)
        olds = tuple(caught_up)
    if new is state.new and olds is state.olds:
        return state
    return Cluster(olds, new)


def _quota_round(
    setting: _Setting, cap: Callable[[int], int], state: Cluster, clock: Clock
) -> _Round:
    """A round under quotas: the ReplicaSet controller creates new pods only while the
    quotas have room (``cap``), and old pods scaled down keep their room until they are
    gone: the termination time after their scale-down, seen at the first wave from then on
    (or, when nothing else is pending, at that time).  With ``setting.nodes``, new pods
    beyond the nodes' room stay Pending (unavailable) until old pods are gone."""
    deployment, budget = setting.deployment, setting.budget
    leaving = setting.leaving or _Leaving(setting.timing.termination_seconds, through_waves=False)
    start, (seconds, waves, _) = state, clock
    state, steps, last_progress = _synced(setting, state, clock, cap)
    outcome = None
    terminating = sum(max(0, rs.pods - rs.spec) for rs in state.olds)
    leaving.scaled_down(terminating, seconds)
    if deployment.paused:
        outcome = Outcome.PAUSED
    elif _complete_capped(state, budget):
        outcome = Outcome.COMPLETE
        state = _gone(state)
        leaving.clear()
    elif setting.recreate and ctl.old_pods_running(state):
        seconds += setting.timing.termination_seconds
        state, step = _terminate_old(state, seconds, waves)
        steps.append(step)
        leaving.clear()
    else:
        new_ready = setting.new_pods is NewPods.READY
        new = state.new
        running = _running(setting, state)
        pending_new = 0 if new is None or not new_ready else max(0, running - new.available)
        pending_old = _pending_old(state)
        if pending_new > 0 or pending_old > 0:
            waves += 1
            seconds += setting.timing.ready_seconds
            last_progress = seconds
            state = _wave_capped(state, new_ready, pending_old > 0, running)
            state = _free(state, leaving.gone_by(seconds, wave=True), terminating)
            steps.append(_wait_step(state, pending_new, pending_old, seconds, waves))
        elif terminating:
            seconds = leaving.next_gone()
            gone = leaving.gone_by(seconds, wave=False)
            state = _free(state, gone, terminating)
            text = f"wait: {_pods(gone, 'old')} {_verb(gone, 'terminates', 'terminate')}"
            steps.append(_state_step(state, text, seconds, waves))
        else:
            outcome = Outcome.STALLED
    steps = _created(steps, state)
    end_clock = Clock(seconds, waves, last_progress)
    return _Round(start, clock, tuple(steps), state, end_clock, outcome)


class _Leaving:
    """Old pods scaled down and not gone yet, by when they are gone (their scale-down plus
    the termination time).  ``through_waves``: they keep their place past a wave until then
    (a quota charges a pod being deleted until it is gone); otherwise a wave frees them all.
    Mutable, one per replay: batches come in time order, at most one a round."""

    __slots__ = ("_batches", "_seconds", "_through_waves")

    def __init__(self, termination_seconds: int, *, through_waves: bool) -> None:
        self._seconds = termination_seconds
        self._through_waves = through_waves
        self._batches: deque[list[int]] = deque()  # [gone at, pods], oldest first

    def scaled_down(self, terminating: int, now: int) -> None:
        """Bring the batches in line with the ``terminating`` pods after a sync: those
        beyond the known ones were scaled down ``now``; fewer means some were taken back
        (an old ReplicaSet scaled up again), the latest first."""
        known = sum(pods for _, pods in self._batches)
        if terminating > known:
            self._batches.append([now + self._seconds, terminating - known])
        while known > terminating:
            last = self._batches[-1]
            taken = min(last[1], known - terminating)
            last[1] -= taken
            known -= taken
            if not last[1]:
                self._batches.pop()

    def next_gone(self) -> int:
        return self._batches[0][0]

    def gone_by(self, now: int, *, wave: bool) -> int:
        """How many pods are gone at ``now`` (a wave frees them all unless they keep their
        place through waves); they leave the batches."""
        gone = 0
        while self._batches and (self._batches[0][0] <= now or (wave and not self._through_waves)):
            gone += self._batches.popleft()[1]
        return gone

    def clear(self) -> None:
        self._batches.clear()


def _free(state: Cluster, gone: int, terminating: int) -> Cluster:
    """``gone`` of the ``terminating`` old pods have terminated (only their number counts:
    quotas and nodes look at the old pods in all)."""
    if gone >= terminating:
        return _gone(state)
    olds = list(state.olds)
    for index, rs in enumerate(olds):
        if not gone:
            break
        freed = min(gone, max(0, rs.pods - rs.spec))
        if freed:
            olds[index] = rs.observed(rs.available, rs.pods - freed)
            gone -= freed
    return Cluster(tuple(olds), state.new)


def _unlimited(old_pods: int) -> int:
    return MAX_WORK * 1_000  # more pods than any plan asks for


def _running(setting: _Setting, state: Cluster) -> int:
    """How many new pods can run: those that exist, or as many as the nodes have room for
    beside the old pods (terminating ones still hold their node)."""
    new = state.new
    if new is None:
        return 0
    running = min(new.spec, new.pods)
    if setting.nodes is None:
        return running
    return min(running, setting.nodes(sum(rs.pods for rs in state.olds)))


def _settle_capped(state: Cluster, cap: Callable[[int], int]) -> Cluster:
    """``_settle`` under quotas: old pods scaled down stay until they are gone (the quota
    charges them until then); the new ReplicaSet gets the pods the quotas leave room for.
    Old ReplicaSets scaled up (proportional scaling) get theirs whatever the quota."""
    olds = tuple(
        rs.observed(min(rs.available, rs.spec), max(rs.pods, rs.spec)) for rs in state.olds
    )
    new = state.new
    if new is not None:
        if new.pods >= new.spec:
            pods = new.spec
        else:
            room = cap(sum(rs.pods for rs in olds))
            pods = max(new.pods, min(new.spec, room))
        new = new.observed(min(new.available, new.spec, pods), pods)
    return Cluster(olds, new)


def _complete_capped(state: Cluster, budget: Budget) -> bool:
    """DeploymentComplete: terminating pods do not count (status.replicas leaves them out)."""
    new = state.new
    return (
        new is not None
        and new.spec == new.available == new.pods == budget.replicas
        and all(rs.spec == 0 for rs in state.olds)
    )


def _gone(state: Cluster) -> Cluster:
    """Old pods scaled down have terminated."""
    return Cluster(
        tuple(rs.observed(rs.available, min(rs.pods, rs.spec)) for rs in state.olds), state.new
    )


def _wave_capped(state: Cluster, new_ready: bool, old_pending: bool, running: int) -> Cluster:
    """The pods of working templates that exist (new ones: that run) become available."""
    olds = state.olds
    if old_pending:
        olds = tuple(rs.observed(min(rs.spec, rs.pods), rs.pods) for rs in olds)
    new = state.new
    if new_ready and new is not None:
        new = new.observed(max(new.available, running), new.pods)
    return Cluster(olds, new)


def _created(steps: list[Step], state: Cluster) -> list[Step]:
    """Mark the steps whose new ReplicaSet has more desired pods than exist at the end of
    the round (the quotas left no room for the others)."""
    new = state.new
    if new is None or new.pods >= new.spec:
        return steps
    return [step._replace(new_created=new.pods) if step.new > new.pods else step for step in steps]


def _wave(state: Cluster, new_ready: bool, old_pending: bool) -> Cluster:
    """The pods of working templates that exist become available (under a quota, fewer new
    pods may exist than the new ReplicaSet wants)."""
    olds = state.olds
    if old_pending:
        olds = tuple(rs.observed(min(rs.spec, rs.pods), rs.pods) for rs in olds)
    new = state.new
    if new_ready and new is not None:
        new = new.observed(min(new.spec, new.pods), new.pods)
    return Cluster(olds, new)


def _pending_new(state: Cluster) -> int:
    return 0 if state.new is None else state.new.spec - state.new.available


def _pending_old(state: Cluster) -> int:
    """Old pods that exist and are not available yet (their template works)."""
    return sum(max(0, min(rs.spec, rs.pods) - rs.available) for rs in state.olds)


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


def _wait_step(state: Cluster, pending_new: int, pending_old: int, seconds: int, wave: int) -> Step:
    if pending_new and pending_old:
        which = f"{pending_new} new and {_pods(pending_old, 'old')} become"
    elif pending_new:
        which = f"{_pods(pending_new, 'new')} {_verb(pending_new, 'becomes', 'become')}"
    else:
        which = f"{_pods(pending_old, 'old')} {_verb(pending_old, 'becomes', 'become')}"
    return _state_step(state, f"wait: {which} available", seconds, wave)


def _state_step(state: Cluster, text: str, seconds: int, wave: int) -> Step:
    new_available = 0 if state.new is None else state.new.available
    return Step(
        "wait", text, state.old_spec, state.new_spec, state.available, seconds, wave, new_available
    )


def _scale_steps(
    taken: list[tuple[Cluster, tuple[ScaleAction, ...]]],
    new_name: str,
    seconds: int,
    wave: int,
    *,
    unique_names: bool = False,
) -> list[Step]:
    """One step per action, with the counts as they stand right after that action."""
    steps = []
    for before, actions in taken:
        if len(actions) == 1 and unique_names:  # most syncs: no running totals needed
            steps.append(_one_action_step(before, actions[0], seconds, wave))
        else:
            steps.extend(_running_steps(before, actions, new_name, seconds, wave))
    return steps


def _one_action_step(before: Cluster, action: ScaleAction, seconds: int, wave: int) -> Step:
    """The step of a sync's only action, when names are unique: the new ReplicaSet is
    ``before.new`` (or the one this action creates), the others are old."""
    new = before.new
    scaled = new if action.new else _named(before.olds, action.replica_set)
    available = 0 if scaled is None else scaled.available
    now_available = min(available, action.after)
    total = before.total_spec + action.after - action.before  # before: its size in ``before``
    total_available = before.available + now_available - available
    if action.new:
        new_spec, new_available = action.after, now_available
    else:
        new_spec, new_available = (0, 0) if new is None else (new.spec, new.available)
    text = _describe(action)
    return Step(
        "scale", text, total - new_spec, new_spec, total_available, seconds, wave, new_available
    )


def _named(olds: tuple[ReplicaSetState, ...], name: str) -> ReplicaSetState:
    for rs in olds:
        if rs.name == name:
            return rs
    raise ValueError(name)  # an old ReplicaSet's action names one of them


def _running_steps(
    before: Cluster, actions: tuple[ScaleAction, ...], new_name: str, seconds: int, wave: int
) -> list[Step]:
    """The steps of one sync's actions, by running totals per ReplicaSet name (a sync may
    scale thousands of live ReplicaSets, and one ReplicaSet twice)."""
    steps = []
    names = [rs.name for rs in before.all]
    sizes = dict(zip(names, map(_SPEC, before.all), strict=True))
    available = dict(zip(names, map(_AVAILABLE, before.all), strict=True))
    total_spec, total_available = sum(sizes.values()), sum(available.values())
    for action in actions:
        name = action.replica_set
        total_spec += action.after - sizes.get(name, 0)
        sizes[name] = action.after
        now_available = min(available.get(name, 0), action.after)
        total_available += now_available - available.get(name, 0)
        available[name] = now_available
        new = sizes.get(new_name, 0)
        steps.append(
            Step(
                "scale",
                _describe(action),
                total_spec - new,
                new,
                total_available,
                seconds,
                wave,
                available.get(new_name, 0),
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
