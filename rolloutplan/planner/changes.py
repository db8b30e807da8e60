"""What changed between a Deployment's previous version and the new one, field by field:
the facts a reviewer reads first (images, replicas, strategy, resources, env, probes,
labels, selector).  Pure: two objects in, changes out, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rolloutplan.model.objects import (
    Container,
    Deployment,
    DeploymentStrategy,
    Labels,
    LabelSelector,
    PodTemplate,
    Probe,
    StrategyType,
)

HASH_LABEL = "pod-template-hash"
# ``before`` and ``after`` of a change whose values are not shown (an env var may hold a
# secret; a probe's path or command is not kept)
WITHHELD = "(not shown)"


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed fact: ``what`` names it (``image app``, ``replicas``, ``env app LOG``),
    ``before`` and ``after`` are short texts (empty when absent on that side, ``WITHHELD``
    when the values are not shown)."""

    what: str
    before: str
    after: str

    def __str__(self) -> str:
        if WITHHELD in (self.before, self.after):
            return f"{self.what}: {_how(self.before, self.after)}"
        if not self.before:
            return f"{self.what}: {self.after} (added)"
        if not self.after:
            return f"{self.what}: {self.before} (removed)"
        return f"{self.what}: {self.before} -> {self.after}"


def _how(before: str, after: str) -> str:
    return "added" if not before else "removed" if not after else "changed"


def deployment_changes(before: Deployment, after: Deployment) -> tuple[FieldChange, ...]:
    """Everything that differs between the two versions: images, replicas, strategy,
    minReadySeconds, resources, env, probes, template labels, selector."""
    old, new = before.template, after.template
    return (
        *_images(old, new),
        *_differs("replicas", before.replicas, after.replicas),
        *_strategy(before.strategy, after.strategy),
        *_differs("minReadySeconds", before.min_ready_seconds, after.min_ready_seconds),
        *_per_container(old, new, _resources),
        *_per_container(old, new, _env),
        *_per_container(old, new, _probes),
        *_labels(old.labels, new.labels),
        *_differs("selector", _selector_text(before.selector), _selector_text(after.selector)),
    )


def template_changes(before: PodTemplate, after: PodTemplate) -> tuple[FieldChange, ...]:
    """What differs between two pod templates (a live ReplicaSet's and the Deployment's)."""
    return (
        *_images(before, after),
        *_per_container(before, after, _resources),
        *_per_container(before, after, _env),
        *_per_container(before, after, _probes),
        *_labels(before.labels, after.labels),
    )


def _differs(what: str, before: object, after: object) -> list[FieldChange]:
    return [] if before == after else [FieldChange(what, str(before), str(after))]


Pair = tuple[str, Container | None, Container | None]  # a name and its container in each


def _pairs(before: PodTemplate, after: PodTemplate) -> Iterator[Pair]:
    """Each container by name (init containers suffixed ``(init)``): the new template's in
    its order, then those only the old one has, in theirs."""
    for suffix, old, new in (
        ("", before.containers, after.containers),
        (" (init)", before.init_containers, after.init_containers),
    ):
        olds = {c.name: c for c in old}
        news = {c.name: c for c in new}
        for container in new:
            yield container.name + suffix, olds.get(container.name), container
        for container in old:
            if container.name not in news:
                yield container.name + suffix, container, None


def _images(before: PodTemplate, after: PodTemplate) -> list[FieldChange]:
    found = []
    for name, old, new in _pairs(before, after):
        if old is None or new is None:
            found.append(FieldChange(f"container {name}", _image(old), _image(new)))
        elif old.image != new.image:
            found.append(FieldChange(f"image {name}", old.image, new.image))
    return found


def _image(container: Container | None) -> str:
    return "" if container is None else container.image or "(no image)"


def _strategy(before: DeploymentStrategy, after: DeploymentStrategy) -> list[FieldChange]:
    if before.type is not after.type:
        return [FieldChange("strategy", before.type.value, after.type.value)]
    if after.type is StrategyType.RECREATE:
        return []
    return [
        *_differs("maxSurge", before.max_surge, after.max_surge),
        *_differs("maxUnavailable", before.max_unavailable, after.max_unavailable),
    ]


def _per_container(
    before: PodTemplate,
    after: PodTemplate,
    compare: Callable[[str, Container, Container], list[FieldChange]],
) -> list[FieldChange]:
    """The changes ``compare`` finds in each container both templates have (one added or
    removed is listed with the images)."""
    return [
        change
        for name, old, new in _pairs(before, after)
        if old is not None and new is not None
        for change in compare(name, old, new)
    ]


def _resources(name: str, old: Container, new: Container) -> list[FieldChange]:
    found = []
    for kind, before, after in (
        ("requests", old.requests, new.requests),
        ("limits", old.limits, new.limits),
    ):
        was, now = dict(before), dict(after)
        for resource in sorted(was.keys() | now.keys()):
            if was.get(resource) != now.get(resource):
                what = f"{kind}.{resource} {name}"
                found.append(FieldChange(what, was.get(resource, ""), now.get(resource, "")))
    return found


def _env(name: str, old: Container, new: Container) -> list[FieldChange]:
    """Env vars by name; their values are never shown."""
    was, now = dict(old.env), dict(new.env)
    names = [var for var, _ in new.env] + [var for var, _ in old.env if var not in now]
    return [
        FieldChange(
            f"env {name} {var}", WITHHELD if var in was else "", WITHHELD if var in now else ""
        )
        for var in names
        if was.get(var) != now.get(var)
    ]


_PROBES: tuple[tuple[str, Callable[[Container], Probe | None]], ...] = (
    ("readinessProbe", lambda c: c.readiness_probe),
    ("livenessProbe", lambda c: c.liveness_probe),
    ("startupProbe", lambda c: c.startup_probe),
)


def _probes(name: str, old: Container, new: Container) -> list[FieldChange]:
    found = []
    for kind, probe_of in _PROBES:
        was, now = probe_of(old), probe_of(new)
        if was == now:
            continue
        what = f"{kind} {name}"
        if was is None or now is None:
            found.append(FieldChange(what, _probe_text(was, now), _probe_text(now, was)))
            continue
        before, after = _probe_text(was, now), _probe_text(now, was)
        if before == after:  # what differs (a path, a command) is not kept
            before = after = WITHHELD
        found.append(FieldChange(what, before, after))
    return found


_TIMINGS = (
    ("initialDelaySeconds", "initial_delay_seconds"),
    ("periodSeconds", "period_seconds"),
    ("timeoutSeconds", "timeout_seconds"),
    ("successThreshold", "success_threshold"),
    ("failureThreshold", "failure_threshold"),
)


def _probe_text(probe: Probe | None, other: Probe | None) -> str:
    """``httpGet 8080``, with the settings that differ from ``other`` (when there is one)."""
    if probe is None:
        return ""
    parts = [probe.handler or "(no handler)"]
    if probe.port is not None:
        parts[0] += f" {probe.port}"
    if other is not None:
        parts += [
            f"{label} {getattr(probe, field)}"
            for label, field in _TIMINGS
            if getattr(probe, field) != getattr(other, field)
        ]
    return ", ".join(parts)


def _labels(before: Labels, after: Labels) -> list[FieldChange]:
    """Template labels by key, but the controller's own (on live ReplicaSets)."""
    was, now = dict(before), dict(after)
    return [
        FieldChange(f"pod label {key}", _label_value(was, key), _label_value(now, key))
        for key in sorted(was.keys() | now.keys())
        if key != HASH_LABEL and was.get(key) != now.get(key)
    ]


def _label_value(labels: dict[str, str], key: str) -> str:
    value = labels.get(key)
    return "" if value is None else value or '""'


def _selector_text(selector: LabelSelector) -> str:
    parts = [f"{key}={value}" for key, value in selector.match_labels]
    parts += [
        f"{r.key} {r.operator.value}" + (f" ({', '.join(r.values)})" if r.values else "")
        for r in selector.match_expressions
    ]
    return ", ".join(parts) or "(empty: every pod)"
