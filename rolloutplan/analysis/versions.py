"""What tells the old pods from the new ones for a Service's clients (RP314): the image,
ports, command, args or environment of a container that serves it.  A change of anything
else (resources, probes, labels, a restart annotation) leaves both versions answering alike.
"""

from __future__ import annotations

from rolloutplan.analysis.naming import NAMED, listed
from rolloutplan.model.objects import Container, PodTemplate, Service


def serving_change(old: PodTemplate | None, new: PodTemplate, service: Service) -> str | None:
    """How the new template's serving containers differ from the old ones, or None when they
    do not (or when the old template is not known)."""
    if old is None:
        return None
    before = {container.name: container for container in old.containers}
    changes = [
        change
        for container in _serving(new, service)
        if (change := _difference(before.get(container.name), container))
    ]
    return listed(changes[:NAMED], len(changes)) if changes else None


def _serving(template: PodTemplate, service: Service) -> list[Container]:
    """The containers that declare one of the Service's target ports; all of them when none
    does (Kubernetes does not need the port declared)."""
    targets = {port.target_port for port in service.ports}
    declaring = [
        container
        for container in template.containers
        if any(p.container_port in targets or p.name in targets for p in container.ports)
    ]
    return declaring or list(template.containers)


def _difference(old: Container | None, new: Container) -> str:
    name = repr(new.name)
    if old is None:
        return f"container {name} is new"
    if old.image != new.image:
        return f"container {name} runs {new.image} instead of {old.image}"
    if old.ports != new.ports:
        return f"container {name} declares other ports"
    if old.invocation != new.invocation:
        return f"container {name} gets another command, args or environment"
    return ""
