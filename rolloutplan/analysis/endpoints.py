"""Ready endpoints of each Service at each step of a rollout it is affected by (pure).

A Service counts the available pods it selects: old pods carry the old template's labels,
new pods the new template's.  Where the Service selects neither, or the counts reach zero,
traffic to it fails for that window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Labels, Service
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import Outcome


@dataclass(frozen=True, slots=True)
class Window:
    first_step: int  # 1-based step numbers, as in the plan table
    last_step: int | None  # None: it never ends within the plan
    seconds: int | None  # None: for good
    # waves of unknown length it lasts besides ``seconds`` (the plan has no wave time)
    unknown_waves: int = 0


def describe_window(window: Window) -> str:
    """``at step 2 (~5s)``, ``from step 1 to step 3 (~20s)``, ``from the start on, for good``."""

    def step(number: int) -> str:
        return "the start" if number == 0 else f"step {number}"

    if window.last_step is None:
        return f"from {step(window.first_step)} on, for good"
    length = f"~{window.seconds}s"
    if window.unknown_waves:
        waves = "1 wave" if window.unknown_waves == 1 else f"{window.unknown_waves} waves"
        length = f"{waves} x start-up" + (f" + {window.seconds}s" if window.seconds else "")
    if window.first_step == window.last_step:
        return f"at {step(window.first_step)} ({length})"
    return f"from {step(window.first_step)} to {step(window.last_step)} ({length})"


@dataclass(frozen=True, slots=True)
class EndpointTimeline:
    service: Service
    deployment: ObjectRef
    selects_old: bool
    selects_new: bool
    counts: tuple[int, ...]  # ready endpoints at the start (index 0) and after each step
    zero: tuple[Window, ...]
    mixed: Window | None  # old and new pods both serving
    service_file: str = ""
    deployment_file: str = ""
    variant: str = ""  # the plan's (RolloutPlan.variant): which replica count it assumes

    @property
    def minimum(self) -> int:
        return min(self.counts)


def by_plan(
    timelines: Sequence[EndpointTimeline],
) -> Callable[[RolloutPlan], list[EndpointTimeline]]:
    """The timelines of each plan (a Deployment copy: its file and reference), grouped once:
    filtering them for every plan would take plans x timelines steps."""
    grouped: dict[tuple[str, ObjectRef, str], list[EndpointTimeline]] = {}
    for t in timelines:
        grouped.setdefault((t.deployment_file, t.deployment, t.variant), []).append(t)
    return lambda plan: grouped.get((plan.path, plan.deployment.ref, plan.variant), [])


Placed = tuple[str, Service]  # a file and the Service defined there


class ServiceIndex:
    """Services by namespace and the first pair of their selector: a Service selects a
    set of labels only if that pair is among them, so a plan reads only the Services that
    share one of its pods' labels, not every Service of its units (thousands of plans
    against thousands of Services was the largest cost of ``check`` on big directories)."""

    def __init__(self, services: Sequence[Placed]) -> None:
        self._by_pair: dict[tuple[str, str, str], list[tuple[int, Placed]]] = defaultdict(list)
        for order, placed in enumerate(services):
            service = placed[1]
            if service.selector:
                key, value = service.selector[0]
                self._by_pair[(service.ref.namespace, key, value)].append((order, placed))

    def candidates(self, namespace: str, *label_sets: Labels) -> list[Placed]:
        """The Services that may select one of ``label_sets``, in their original order."""
        found: dict[int, Placed] = {}
        for labels in label_sets:
            for key, value in labels:
                found.update(self._by_pair.get((namespace, key, value), ()))
        return [found[order] for order in sorted(found)]


def timelines(plan: RolloutPlan, services: ServiceIndex) -> tuple[EndpointTimeline, ...]:
    """One timeline per Service (a file and the Service defined there) of the Deployment's
    namespace that selects old or new pods; none for a refused update, which never runs."""
    if plan.outcome is Outcome.REFUSED:
        return ()
    namespace = plan.deployment.ref.namespace
    candidates = services.candidates(namespace, plan.old_labels, plan.deployment.template.labels)
    found = []
    for path, service in candidates:
        assert service.selector  # the index holds only Services with a selector
        old = _selects(service.selector, plan.old_labels)
        new = _selects(service.selector, plan.deployment.template.labels)
        if old or new:
            timeline = _timeline(plan, service, old, new)
            found.append(
                replace(
                    timeline, service_file=path, deployment_file=plan.path, variant=plan.variant
                )
            )
    return tuple(found)


def _selects(selector: Labels, labels: Labels) -> bool:
    have = dict(labels)
    return all(have.get(key) == value for key, value in selector)


def _timeline(plan: RolloutPlan, service: Service, old: bool, new: bool) -> EndpointTimeline:
    start = plan.start
    start_new = 0 if start.new is None else start.new.available
    pairs = [(start.available - start_new, start_new)]
    pairs += [(s.available - s.new_available, s.new_available) for s in plan.steps]
    served = [(o if old else 0, n if new else 0) for o, n in pairs]
    counts = tuple(o + n for o, n in served)
    seconds = (0, *(s.seconds for s in plan.steps))
    # with no known wave time, a window's length is counted in waves too
    waves = (0, *(s.wave for s in plan.steps)) if not plan.timing.known else None
    return EndpointTimeline(
        service,
        plan.deployment.ref,
        old,
        new,
        counts,
        tuple(_windows([c == 0 for c in counts], seconds, waves)),
        next(iter(_windows([o > 0 and n > 0 for o, n in served], seconds, waves)), None),
    )


def _windows(
    flags: list[bool], seconds: tuple[int, ...], waves: tuple[int, ...] | None
) -> list[Window]:
    """Runs of True, as step numbers (0 is the start) with their length in seconds (and in
    waves of unknown length, when ``waves`` gives each step's wave number)."""
    windows = []
    first: int | None = None
    for index, flag in enumerate(flags):
        if flag and first is None:
            first = index
        elif not flag and first is not None:
            unknown = 0 if waves is None else waves[index] - waves[first]
            windows.append(Window(first, index - 1, seconds[index] - seconds[first], unknown))
            first = None
    if first is not None:
        windows.append(Window(first, None, None))
    return windows
