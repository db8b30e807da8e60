"""How long a wave of new pods takes to become available, and old pods to go away.

Estimates, not facts: they come from the readiness probes, minReadySeconds and the
termination settings in the manifest, or from a pod-startup setting (``--pod-startup``, or
``pod-startup`` and ``pod-startup-overrides`` in the config file), and every plan lists the
assumptions it made.  When neither the manifest nor a setting says how long a pod takes to
start, the time of a wave is unknown: it counts as 0 s, and the plan says so rather than
giving a duration.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePath

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import Container, Labels, PodTemplate, Probe

CLI_ORIGIN = "--pod-startup"
SET_STARTUP = "set --pod-startup or `pod-startup:` in the config"


class WaveTime(enum.Enum):
    """Where the time of a wave comes from."""

    MANIFEST = "manifest"  # readiness probe delays and minReadySeconds
    SETTING = "setting"  # --pod-startup or the config file
    UNKNOWN = "unknown"  # nothing says: a wave counts as 0 s


@dataclass(frozen=True, slots=True)
class Timing:
    ready_seconds: int  # from pod creation until it counts as available
    termination_seconds: int  # from scale-down until an old pod is gone (Recreate waits)
    assumptions: tuple[str, ...]
    wave_time: WaveTime = WaveTime.MANIFEST

    @property
    def known(self) -> bool:
        """Whether ``ready_seconds`` says something (else each wave's time is unknown)."""
        return self.wave_time is not WaveTime.UNKNOWN


@dataclass(frozen=True, slots=True)
class PodStartup:
    """A pod-startup setting: seconds from pod creation to ready for the Deployments it
    matches, and where it was set (for the assumption line)."""

    seconds: int
    origin: str  # e.g. "pod-startup in .rolloutplan.yaml"
    name: str = ""  # an fnmatch glob of namespace/name (with a slash) or name; "" for all
    label: tuple[str, str] | None = None  # a label of the pod template, key and value

    def matches(self, ref: ObjectRef, labels: Labels) -> bool:
        if self.label is not None:
            return self.label in labels
        if not self.name:
            return True
        subject = f"{ref.namespace}/{ref.name}" if "/" in self.name else ref.name
        return fnmatchcase(subject, self.name)


Override = tuple[int, str, tuple[str, str] | None]  # seconds, name glob, label


def configured(
    path: str | None, default: int | None, overrides: Sequence[Override]
) -> tuple[PodStartup, ...]:
    """The config file's pod-startup settings, in the order they are tried: the overrides
    as listed (the first match wins), then ``pod-startup`` for every other Deployment."""
    found = [
        PodStartup(seconds, f"pod-startup-overrides: {_matcher(name, label)}", name, label)
        for seconds, name, label in overrides
    ]
    if default is not None:
        found.append(PodStartup(default, f"pod-startup in {PurePath(path or '').name}"))
    return tuple(found)


def _matcher(name: str, label: tuple[str, str] | None) -> str:
    return name if label is None else f"label {label[0]}={label[1]}"


def estimate_timing(
    template: PodTemplate,
    min_ready_seconds: int,
    old_template: PodTemplate | None = None,
    pod_startup: int | None = None,
    origin: str = CLI_ORIGIN,
) -> Timing:
    """The timing of a rollout to ``template``; ``pod_startup`` (set at ``origin``) replaces
    the probe estimate of the time from pod creation to ready."""
    notes: list[str] = []
    wave_time = WaveTime.MANIFEST
    if pod_startup is not None:
        startup = pod_startup
        wave_time = WaveTime.SETTING
        notes.append(f"new pods become ready {pod_startup}s after creation ({origin})")
    else:
        startup = max((_container_ready(c, notes) for c in template.containers), default=0)
        if startup or min_ready_seconds:
            notes.append(f"image pulls and container start are taken as instant ({SET_STARTUP})")
        else:
            wave_time = WaveTime.UNKNOWN
            notes.append(
                "how long a new pod takes to become ready (image pull, container start, first "
                f"passing readiness probe) is unknown: each wave counts as 0s; {SET_STARTUP}"
            )
    if min_ready_seconds:
        notes.append(f"then stay ready for minReadySeconds ({min_ready_seconds}s)")
    termination = _termination(old_template or template, notes)
    return Timing(startup + min_ready_seconds, termination, tuple(notes), wave_time)


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
