"""How long a wave of new pods takes to become available, and old pods to go away.

Estimates, not facts: they come from the readiness probes, minReadySeconds and the
termination settings in the manifest, and every plan lists the assumptions it made.
"""

from __future__ import annotations

from dataclasses import dataclass

from rolloutplan.model.objects import Container, PodTemplate, Probe


@dataclass(frozen=True, slots=True)
class Timing:
    ready_seconds: int  # from pod creation until it counts as available
    termination_seconds: int  # from scale-down until an old pod is gone (Recreate waits)
    assumptions: tuple[str, ...]


def estimate_timing(
    template: PodTemplate,
    min_ready_seconds: int,
    old_template: PodTemplate | None = None,
    pod_startup: int | None = None,
) -> Timing:
    notes: list[str] = []
    if pod_startup is not None:
        startup = pod_startup
        notes.append(f"new pods become ready {pod_startup}s after creation (--pod-startup)")
    else:
        startup = max((_container_ready(c, notes) for c in template.containers), default=0)
        notes.append("image pulls and container start are taken as instant (use --pod-startup)")
    if min_ready_seconds:
        notes.append(f"then stay ready for minReadySeconds ({min_ready_seconds}s)")
    termination = _termination(old_template or template, notes)
    return Timing(startup + min_ready_seconds, termination, tuple(notes))


def probe_ready_seconds(probe: Probe) -> int:
    """First success at initialDelaySeconds, then successThreshold - 1 more periods."""
    return probe.initial_delay_seconds + (probe.success_threshold - 1) * probe.period_seconds


def _container_ready(container: Container, notes: list[str]) -> int:
    seconds = 0
    if container.startup_probe is not None:
        seconds += probe_ready_seconds(container.startup_probe)
    probe = container.readiness_probe
    if probe is None:
        notes.append(f"container {container.name!r} has no readinessProbe: ready when started")
        return seconds
    ready = probe_ready_seconds(probe)
    notes.append(
        f"container {container.name!r} ready after {ready}s (readinessProbe: "
        f"initialDelaySeconds {probe.initial_delay_seconds}, periodSeconds "
        f"{probe.period_seconds}, successThreshold {probe.success_threshold}; probes pass)"
    )
    return seconds + ready


def _termination(template: PodTemplate, notes: list[str]) -> int:
    grace = template.termination_grace_period_seconds
    known = [c.pre_stop_sleep_seconds for c in template.containers if c.has_pre_stop]
    if not known:
        notes.append(
            f"old pods exit promptly on SIGTERM (at most terminationGracePeriodSeconds, {grace}s)"
        )
        return 0
    if None in known:
        notes.append(f"old pods' preStop hooks run until terminationGracePeriodSeconds ({grace}s)")
        return grace
    longest = min(max(s for s in known if s is not None), grace)
    notes.append(f"old pods' preStop hooks sleep {longest}s, then the process exits")
    return longest
