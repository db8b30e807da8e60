"""The defaults the API server fills in before it validates (apps/v1 and core/v1 defaulting).

Applied to a deep copy, so that a field the server fills is never reported missing.  Go's
defaulting tests for the zero value: a missing key, ``null`` and (for strings and plain
integers) ``""`` / ``0`` are all "unset".
"""

from __future__ import annotations

from typing import Any

from rolloutplan.validate.apiserver.access import copied

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


def apply(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A defaulted deep copy of a Deployment or ReplicaSet."""
    obj = copied(data)
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
    for key in CONTAINER_LISTS:
        for container in _mappings(spec.get(key)):
            _container(container)
    for volume in _mappings(spec.get("volumes")):
        _volume(volume)


def _mappings(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _container(container: dict[str, Any]) -> None:
    if not container.get("imagePullPolicy"):
        image = container.get("image") if isinstance(container.get("image"), str) else ""
        container["imagePullPolicy"] = "Always" if _tag(image) == "latest" else "IfNotPresent"
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = "/dev/termination-log"
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"
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


def _volume(volume: dict[str, Any]) -> None:
    if all(value is None for key, value in volume.items() if key != "name"):
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
