"""The defaults the API server fills in before it validates (apps/v1 and core/v1 defaulting).

Applied to a copy, so that a field the server fills is never reported missing.  Go's
defaulting tests for the zero value: a missing key, ``null`` and (for strings and plain
integers) ``""`` / ``0`` are all "unset".  Only what defaulting may change is copied (a
deep copy of a whole manifest cost more than its checks); the rest is shared with the
manifest, which nothing here or in the checks changes.
"""

from __future__ import annotations

from typing import Any

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")
PROBE_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}
FILE_MODE = 0o644
VOLUME_SOURCES = frozenset(("secret", "configMap", "downwardAPI", "projected", "azureDisk"))


def apply(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A defaulted copy of a Deployment or ReplicaSet: ``default_in_place`` on a copy of
    every mapping and list it may change, sharing the rest with ``data``."""
    return default_in_place(kind, _writable(data))


def _writable(data: dict[str, Any]) -> dict[str, Any]:
    obj = dict(data)
    spec = obj.get("spec")
    if isinstance(spec, dict):
        spec = obj["spec"] = dict(spec)
        strategy = _own(spec, "strategy")
        _own(strategy, "rollingUpdate")
        template = _own(spec, "template")
        pod = _own(template, "spec")
        if pod is not None:
            _writable_pod(pod)
    return obj


def _writable_pod(pod: dict[str, Any]) -> None:
    for key in CONTAINER_LISTS:
        if isinstance(pod.get(key), list):
            pod[key] = [_writable_container(c) if isinstance(c, dict) else c for c in pod[key]]
    volumes = pod.get("volumes")
    if isinstance(volumes, list):
        pod["volumes"] = [_writable_volume(v) if isinstance(v, dict) else v for v in volumes]


def _writable_container(container: dict[str, Any]) -> dict[str, Any]:
    container = dict(container)
    _own_items(container, "ports")
    for key in PROBES:
        _own(_own(container, key), "httpGet")
    lifecycle = _own(container, "lifecycle")
    for key in HOOKS:
        _own(_own(lifecycle, key), "httpGet")
    env = container.get("env")
    if isinstance(env, list) and any(map(_with_field_ref, env)):  # most env lists: never
        container["env"] = [_writable_env(item) if _with_field_ref(item) else item for item in env]
    return container


def _with_field_ref(env: Any) -> bool:
    value_from = env.get("valueFrom") if isinstance(env, dict) else None
    return isinstance(value_from, dict) and isinstance(value_from.get("fieldRef"), dict)


def _writable_env(env: dict[str, Any]) -> dict[str, Any]:
    env = dict(env)
    _own(_own(env, "valueFrom"), "fieldRef")
    return env


def _writable_volume(volume: dict[str, Any]) -> dict[str, Any]:
    """The volume itself when ``_volume`` changes nothing in it (a source without defaults),
    else a copy of what it may change."""
    if VOLUME_SOURCES.isdisjoint(volume) and not _without_source(volume):
        return volume
    volume = dict(volume)
    for key in VOLUME_SOURCES.intersection(volume):
        _own(volume, key)
    _writable_items(volume.get("downwardAPI"))
    projected = volume.get("projected")
    for source in _own_items(projected, "sources"):
        _writable_items(_own(source, "downwardAPI"))
        _own(source, "serviceAccountToken")
    return volume


def _writable_items(downward: Any) -> None:
    """A downward API source's items, each with its own fieldRef."""
    for item in _own_items(downward, "items"):
        _own(item, "fieldRef")


def _own(parent: Any, key: str) -> Any:
    """The mapping at ``key`` replaced by a copy of it (and returned); None if there is none."""
    if not isinstance(parent, dict):
        return None
    value = parent.get(key)
    if not isinstance(value, dict):
        return None
    value = parent[key] = dict(value)
    return value


def _own_items(parent: Any, key: str) -> list[dict[str, Any]]:
    """The list at ``key`` replaced by a copy whose mappings are copies (which are returned)."""
    if not isinstance(parent, dict) or not isinstance(parent.get(key), list):
        return []
    items = parent[key] = [dict(i) if isinstance(i, dict) else i for i in parent[key]]
    return [item for item in items if isinstance(item, dict)]


def default_in_place(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the defaults filled in; it must not share what they change."""
    spec = _child(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if kind == "Deployment":
        _deployment(spec)
    template = _child(spec, "template")
    _pod_spec(_child(template, "spec"))
    return obj


def _child(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """The mapping at ``key``, created when it is unset (Go structs are never nil)."""
    if not isinstance(parent.get(key), dict):
        parent[key] = {}
    return parent[key]  # type: ignore[no-any-return]


def _unset(parent: dict[str, Any], key: str) -> bool:
    return parent.get(key) in (None, "", 0) and parent.get(key) is not False


def _deployment(spec: dict[str, Any]) -> None:
    strategy = _child(spec, "strategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        for key in ("maxUnavailable", "maxSurge"):
            if rolling.get(key) is None:
                rolling[key] = "25%"
    for key, value in (("revisionHistoryLimit", 10), ("progressDeadlineSeconds", 600)):
        if spec.get(key) is None:
            spec[key] = value


def _pod_spec(spec: dict[str, Any]) -> None:
    _pod_fields(spec)
    for key in CONTAINER_LISTS:
        for container in _mappings(spec.get(key)):
            _container(container)
    for volume in _mappings(spec.get("volumes")):
        _volume(volume)


def _pod_fields(spec: dict[str, Any]) -> None:
    for key, value in (
        ("dnsPolicy", "ClusterFirst"),
        ("restartPolicy", "Always"),
        ("schedulerName", "default-scheduler"),
    ):
        if not spec.get(key):
            spec[key] = value
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30


def _mappings(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _container(container: dict[str, Any]) -> None:
    _container_fields(container)
    for port in _mappings(container.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    for key in PROBES:
        probe = container.get(key)
        if isinstance(probe, dict):
            for field, value in PROBE_DEFAULTS.items():
                if _unset(probe, field):
                    probe[field] = value
            _handler(probe)
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for key in HOOKS:
            if isinstance(lifecycle.get(key), dict):
                _handler(lifecycle[key])
    for env in _mappings(container.get("env")):
        value_from = env.get("valueFrom")
        if isinstance(value_from, dict):
            _field_selector(value_from.get("fieldRef"))


def _container_fields(container: dict[str, Any]) -> None:
    if not container.get("imagePullPolicy"):
        image = container.get("image") if isinstance(container.get("image"), str) else ""
        container["imagePullPolicy"] = "Always" if _tag(image) == "latest" else "IfNotPresent"
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = "/dev/termination-log"
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"


def _tag(image: str) -> str:
    """The tag an image reference names; an untagged reference (without digest) means latest."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1]
    return "" if "@" in image else "latest"


def _handler(handler: dict[str, Any]) -> None:
    http = handler.get("httpGet")
    if isinstance(http, dict):
        if not http.get("path"):
            http["path"] = "/"
        if not http.get("scheme"):
            http["scheme"] = "HTTP"


def _field_selector(selector: Any) -> None:
    if isinstance(selector, dict) and not selector.get("apiVersion"):
        selector["apiVersion"] = "v1"


def _without_source(volume: dict[str, Any]) -> bool:
    return all(value is None for key, value in volume.items() if key != "name")


def _volume(volume: dict[str, Any]) -> None:
    if _without_source(volume):
        volume["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        source = volume.get(key)
        if isinstance(source, dict) and source.get("defaultMode") is None:
            source["defaultMode"] = FILE_MODE
    for item in _mappings((volume.get("downwardAPI") or {}).get("items")):
        _field_selector(item.get("fieldRef"))
    for source in _mappings((volume.get("projected") or {}).get("sources")):
        for item in _mappings((source.get("downwardAPI") or {}).get("items")):
            _field_selector(item.get("fieldRef"))
        token = source.get("serviceAccountToken")
        if isinstance(token, dict) and token.get("expirationSeconds") is None:
            token["expirationSeconds"] = 3600
    azure = volume.get("azureDisk")
    if isinstance(azure, dict):
        for key, value in (("cachingMode", "ReadWrite"), ("kind", "Shared"), ("fsType", "ext4")):
            if azure.get(key) is None:
                azure[key] = value
