"""The pods any object would create: labels and container ports, read leniently.

Used for Service reachability, where every kind with a pod template matters, checked or not;
a malformed template simply contributes what can be read of it.
"""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.objects import ContainerPort, PodSource

Data = dict[str, Any]


def pod_source(data: Data, ref: ObjectRef) -> PodSource | None:
    template = _pod_template(data)
    if template is None:
        return None
    metadata = _mapping(template.get("metadata"))
    spec = _mapping(template.get("spec"))
    labels = tuple(sorted((str(k), str(v)) for k, v in _mapping(metadata.get("labels")).items()))
    return PodSource(ref, labels, tuple(_ports(spec)), _owner(data, ref))


def _owner(data: Data, ref: ObjectRef) -> ObjectRef | None:
    for owner in _list(_mapping(data.get("metadata")).get("ownerReferences")):
        owner = _mapping(owner)
        if owner.get("controller") and owner.get("kind") and owner.get("name"):
            return ObjectRef(str(owner["kind"]), ref.namespace, str(owner["name"]))
    return None


def _pod_template(data: Data) -> Data | None:
    kind = data.get("kind")
    if kind == "Pod":
        return data
    spec = _mapping(data.get("spec"))
    if kind == "CronJob":
        spec = _mapping(_mapping(spec.get("jobTemplate")).get("spec"))
    template = spec.get("template")
    return template if isinstance(template, dict) else None


def _ports(spec: Data) -> list[ContainerPort]:
    ports = []
    for container in _list(spec.get("containers")) + _list(spec.get("initContainers")):
        for port in _list(_mapping(container).get("ports")):
            port = _mapping(port)
            number = port.get("containerPort")
            if isinstance(number, int) and not isinstance(number, bool):
                name = port.get("name")
                protocol = port.get("protocol") or "TCP"
                ports.append(ContainerPort(number, name if isinstance(name, str) else None,
                                           str(protocol)))  # fmt: skip
    return ports


def _mapping(value: Any) -> Data:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
