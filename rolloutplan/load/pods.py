"""The pods any object would create: labels and container ports, read leniently.

Used for Service reachability, where every kind with a pod template matters, checked or not;
a malformed template simply contributes what can be read of it.

Built-in workloads (Deployment, StatefulSet, Job, ... and a bare Pod) describe their pods
completely, up to a few labels their controller adds.  A custom resource that describes pods
(``spec.template``, ``spec.podMetadata``, ``spec.nodeSets[].podTemplate``, ...) or looks
like it runs some (``replicas``, ``image``, ``instances`` ...) is a pod source too, but an
incomplete one: its operator adds labels and containers that the manifest does not show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rolloutplan.model.finding import ObjectRef
from rolloutplan.model.memo import remembered
from rolloutplan.model.objects import ContainerPort, Labels, PodSource

Data = dict[str, Any]

# API groups served by Kubernetes itself; any other group is a custom resource's
_BUILT_IN_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "policy", "extensions"})

# The labels each controller adds to the pods it creates, with values no manifest fixes.
_CONTROLLER_KEYS: dict[str, tuple[str, ...]] = {
    "Deployment": ("pod-template-hash",),
    "ReplicaSet": ("pod-template-hash",),
    "StatefulSet": (
        "apps.kubernetes.io/pod-index",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
    ),
    "DaemonSet": ("controller-revision-hash", "pod-template-generation"),
    "Job": (
        "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-completion-index",
        "batch.kubernetes.io/job-name",
        "controller-uid",
        "job-name",
    ),
    "ReplicationController": (),
    "Pod": (),
}
_CONTROLLER_KEYS["CronJob"] = _CONTROLLER_KEYS["Job"]

# Argo Rollouts creates the pods of its template as they are, adding only this label.
_ROLLOUT = ("argoproj.io", "Rollout")
_ROLLOUT_KEYS = ("rollouts-pod-template-hash",)

# Custom resources that look like workloads (they hold replica counts or pod templates)
# but create no pods: they select or scale pods created by others.
_NOT_POD_KINDS = frozenset({
    "PodMonitor", "Probe", "PrometheusRule", "ScaledObject", "ServiceMonitor",
    "TriggerAuthentication",
})  # fmt: skip

# Parts of key names that say a custom resource runs pods.
_WORKLOAD_WORDS = (
    "replica", "instance", "image", "template", "podmetadata", "container", "nodeset", "members",
)  # fmt: skip
_SEARCH_DEPTH = 6  # how deep in a custom resource's spec pod templates are looked for

_HOST_PORT = re.compile(r":([0-9]{1,5})(?![0-9.])")  # 0.0.0.0:8080, :8080, http://web:80/
# The words of a flag or variable name that say its value is a port (--port, LISTEN_ADDR,
# -Dserver.port, metricsBindAddress): a number after any other flag (--timeout=3000,
# --workers 80, --report-interval 80) is no evidence.
_PORT_WORDS = frozenset({"port", "ports", "listen", "addr", "address", "bind"})
_NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NUMBER = re.compile(r"[0-9]{1,5}")


def pod_source(data: Data, ref: ObjectRef) -> PodSource | None:
    group = _api_group(data)
    if group in _BUILT_IN_GROUPS or group.endswith(".k8s.io"):
        return _built_in(data, ref)
    template = _mapping(data.get("spec")).get("template")
    if (group, ref.kind) == _ROLLOUT and isinstance(template, dict):
        return _complete(data, ref, template, _ROLLOUT_KEYS)
    return _custom(data, ref)


def _api_group(data: Data) -> str:
    api_version = data.get("apiVersion")
    if not isinstance(api_version, str) or "/" not in api_version:
        return ""
    return api_version.split("/", 1)[0]


def _built_in(data: Data, ref: ObjectRef) -> PodSource | None:
    keys = _CONTROLLER_KEYS.get(ref.kind)
    if keys is None:
        return None
    if ref.kind == "Pod":
        return _complete(data, ref, data, keys)
    spec = _mapping(data.get("spec"))
    if ref.kind == "CronJob":
        spec = _mapping(_mapping(spec.get("jobTemplate")).get("spec"))
    template = spec.get("template")
    if not isinstance(template, dict):
        return None
    return _complete(data, ref, template, keys)


def _complete(data: Data, ref: ObjectRef, template: Data, keys: tuple[str, ...]) -> PodSource:
    spec = _mapping(template.get("spec"))
    return PodSource(
        ref,
        _labels(template),
        tuple(_ports(spec)),
        _owner(data, ref),
        complete=True,
        controller_keys=keys,
        mentioned_ports=_mentioned_ports(spec),
    )


def _custom(data: Data, ref: ObjectRef) -> PodSource | None:
    """An incomplete pod source, for a custom resource that seems to run pods; its labels
    are those every pod template found in it shares."""
    spec = data.get("spec")
    if ref.kind in _NOT_POD_KINDS or not isinstance(spec, dict) or not _runs_pods(spec):
        return None
    templates = list(_templates(spec, _SEARCH_DEPTH))
    shared: set[tuple[str, str]] | None = None
    ports: list[ContainerPort] = []
    for labels, pod_spec in templates:
        shared = set(labels) if shared is None else shared & set(labels)
        ports += _ports(pod_spec)
    return PodSource(
        ref, tuple(sorted(shared or ())), tuple(ports), _owner(data, ref), complete=False
    )


def _runs_pods(spec: Data) -> bool:
    return any(any(word in key.lower() for word in _WORKLOAD_WORDS) for key in _keys(spec, 4))


def _keys(value: Any, depth: int) -> Iterator[str]:
    if depth <= 0:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _keys(item, depth - 1)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, depth - 1)


def _templates(value: Any, depth: int) -> Iterator[tuple[Labels, Data]]:
    """Pod labels and pod specs found in a custom resource: ``podMetadata`` (the
    Prometheus operator's), and any ``...template`` or ``pod`` mapping with ``metadata``."""
    if depth <= 0:
        return
    items = value.items() if isinstance(value, dict) else enumerate(_list(value))
    for key, item in items:
        if not isinstance(item, dict | list):
            continue
        name = key.lower() if isinstance(key, str) else ""
        if name == "podmetadata" and isinstance(item, dict):
            yield _labels({"metadata": item}), {}
        elif (
            (name.endswith("template") or name == "pod")
            and isinstance(item, dict)
            and (isinstance(item.get("metadata"), dict))
        ):
            yield _labels(item), _mapping(item.get("spec"))
        else:
            yield from _templates(item, depth - 1)


def _labels(template: Data) -> Labels:
    labels = _mapping(_mapping(template.get("metadata")).get("labels"))
    return tuple(sorted((str(k), str(v)) for k, v in labels.items()))


def _owner(data: Data, ref: ObjectRef) -> ObjectRef | None:
    for owner in _list(_mapping(data.get("metadata")).get("ownerReferences")):
        owner = _mapping(owner)
        if owner.get("controller") and owner.get("kind") and owner.get("name"):
            return ObjectRef(str(owner["kind"]), ref.namespace, str(owner["name"]))
    return None


def _containers(spec: Data) -> list[Data]:
    return [
        _mapping(container)
        for container in _list(spec.get("containers")) + _list(spec.get("initContainers"))
    ]


def _ports(spec: Data) -> list[ContainerPort]:
    ports = []
    for container in _containers(spec):
        for port in _list(container.get("ports")):
            port = _mapping(port)
            number = port.get("containerPort")
            if isinstance(number, int) and not isinstance(number, bool):
                name = port.get("name")
                protocol = port.get("protocol") or "TCP"
                ports.append(ContainerPort(number, name if isinstance(name, str) else None,
                                           str(protocol)))  # fmt: skip
    return ports


def _mentioned_ports(spec: Data) -> tuple[int, ...]:
    """Port numbers the containers show they use, declared or not (see PodSource)."""
    found: set[int] = set()
    for container in _containers(spec):
        for probe in _PROBES:
            action = container.get(probe)
            if isinstance(action, dict):
                found.update(_probe_ports(action))
        env = container.get("env")
        for variable in env if isinstance(env, list) else ():
            value = variable.get("value") if isinstance(variable, dict) else None
            if value is None:  # most often set from a secret or config map
                continue
            if isinstance(value, str | int) and not isinstance(value, bool):
                text = str(value).strip()
                if _names_port(str(variable.get("name"))):
                    found.update(_numbers([text]))
                if ":" in text or "=" in text or "-" in text:  # else no port (see below)
                    found.update(_command_ports(text.split()))
        words = [str(w) for w in _list(container.get("command")) + _list(container.get("args"))]
        found.update(_command_ports(words))
    return tuple(sorted(found))


_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def _probe_ports(probe: Data) -> list[int]:
    found: list[int] = []
    for handler in ("httpGet", "tcpSocket", "grpc"):
        action = probe.get(handler)
        port = action.get("port") if isinstance(action, dict) else None
        if isinstance(port, int) and not isinstance(port, bool):
            found += _numbers([str(port)])
    action = probe.get("exec")
    command = action.get("command") if isinstance(action, dict) else None
    if isinstance(command, list):
        found += _command_ports([str(w) for w in command])
    return found


def _command_ports(words: list[str]) -> list[int]:
    """``--port=8080``, ``--port 8080``, ``-p 8080``, ``--listen=0.0.0.0:8080``,
    ``http://localhost:8080/``, ``-Dserver.port=8080``: a shell line (``sh -c "..."``) is
    split into its words.  Words without '-', '=' or ':' give nothing."""
    found: list[int] = []
    before = ""  # the token before, of any word
    for word in words:
        for token in word.split():
            if before == "-p" or (before[:1] == "-" and _names_port(before)):
                found += _numbers([token])
            if "=" in token:
                name, _, value = token.partition("=")
                if _names_port(name):
                    found += _numbers([value])
            if ":" in token:  # a host and port
                found += _numbers(_HOST_PORT.findall(token))
            before = token
    return found


@remembered(4096)  # flags and variable names repeat from file to file
def _names_port(name: str) -> bool:
    return any(word.lower() in _PORT_WORDS for word in _NAME_WORD.findall(name))


def _numbers(texts: list[str]) -> Iterator[int]:
    for text in texts:
        if _NUMBER.fullmatch(text) and 0 < int(text) < 65536:
            yield int(text)


def _mapping(value: Any) -> Data:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
