"""Environment variables, ``envFrom`` sources and downward-API field selectors."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver.access import dicts, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    invalid,
    invalid_each,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import config_map_key, env_var_name, quantity

RULE = "RP225"
ENV_FIELDS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
)  # fmt: skip
CONVERTIBLE_FIELDS = (
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
    "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs", "status.podIP",
    "status.podIPs",
)  # fmt: skip
RESOURCE_FIELDS = (
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu",
    "requests.memory", "requests.ephemeral-storage",
)  # fmt: skip
HUGEPAGES_FIELDS = ("requests.hugepages-", "limits.hugepages-")
BYTE_DIVISORS = {1} | {10 ** (3 * i) for i in range(1, 7)} | {2 ** (10 * i) for i in range(1, 7)}
KEY_SOURCES = ("configMapKeyRef", "secretKeyRef")
SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")


def validate(container: dict[str, Any], path: FieldPath, *, relaxed: bool) -> list[Violation]:
    violations = []
    for i, env in dicts(container, "env"):
        name = text(env, "name")
        problems = env_var_name(name, relaxed=relaxed) if name else []
        value_from = isinstance(env.get("valueFrom"), dict)
        if name and not problems and (not value_from or _plain_value_from(env)):
            continue  # the common cases, without building their field paths
        where = (*path, "env", i)
        if not name:
            violations.append(required(RULE, (*where, "name")))
        else:
            violations += invalid_each(RULE, (*where, "name"), name, problems)
        if value_from:
            violations += _value_from(env, (*where, "valueFrom"))
    for i, source in dicts(container, "envFrom"):
        violations += _env_from(source, (*path, "envFrom"), i, relaxed=relaxed)
    return violations


def _plain_value_from(env: dict[str, Any]) -> bool:
    """A valueFrom of one valid source of the usual kinds, and no value: ``_value_from``
    would find nothing.  False where it cannot tell at once (the general check decides)."""
    value_from = env["valueFrom"]
    if len(value_from) != 1 or env.get("value"):
        return False
    for key, selector in value_from.items():
        if selector.__class__ is not dict:
            return False
        if key == "fieldRef":
            field_path = selector.get("fieldPath")
            return (
                selector.get("apiVersion") == "v1"
                and field_path.__class__ is str
                and field_path in ENV_FIELDS
            )
        if key in KEY_SOURCES:
            name, item = selector.get("name"), selector.get("key")
            return (
                name.__class__ is str
                and item.__class__ is str
                and item != ""
                and not primitives.dns1123_subdomain(name)
                and not config_map_key(item)
            )
    return False


def _value_from(env: dict[str, Any], path: FieldPath) -> list[Violation]:
    value_from = mapping(env, "valueFrom")
    violations = []
    if isinstance(value_from.get("fieldRef"), dict):
        violations += field_selector(value_from["fieldRef"], ENV_FIELDS, (*path, "fieldRef"), RULE)
    if isinstance(value_from.get("resourceFieldRef"), dict):
        violations += resource_selector(
            value_from["resourceFieldRef"], (*path, "resourceFieldRef"), RULE, volume=False
        )
    for key in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(value_from.get(key), dict):
            violations += _key_selector(value_from[key], (*path, key))
    sources = sum(1 for key in SOURCES if value_from.get(key) is not None)
    if sources == 0:
        detail = (
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
            "`secretKeyRef`"
        )
        violations.append(invalid(RULE, path, "", detail))
    elif text(env, "value"):
        violations.append(invalid(RULE, path, "", "may not be specified when `value` is not empty"))
    elif sources > 1:
        detail = "may not have more than one field specified at a time"
        violations.append(invalid(RULE, path, "", detail))
    return violations


def field_selector(
    selector: dict[str, Any], supported: tuple[str, ...], path: FieldPath, rule: str
) -> list[Violation]:
    """validateObjectFieldSelector (env and downward-API volume files)."""
    version, field_path = text(selector, "apiVersion"), text(selector, "fieldPath")
    if not version:
        return [required(rule, (*path, "apiVersion"))]
    if not field_path:
        return [required(rule, (*path, "fieldPath"))]
    prefix, subscript = _split_subscript(field_path)
    problem = _conversion_problem(version, field_path, prefix)
    if problem:
        return [
            invalid(
                rule, (*path, "fieldPath"), field_path, f"error converting fieldPath: {problem}"
            )
        ]
    if prefix == "metadata.annotations":
        return invalid_each(rule, path, subscript, primitives.qualified_name(subscript.lower()))
    if prefix == "metadata.labels":
        return invalid_each(rule, path, subscript, primitives.qualified_name(subscript))
    converted = "spec.nodeName" if field_path == "spec.host" else field_path
    if converted not in supported:
        return [not_supported(rule, (*path, "fieldPath"), converted, sorted(supported))]
    return []


def _split_subscript(field_path: str) -> tuple[str, str]:
    """fieldpath.SplitMaybeSubscriptedPath: ``metadata.labels['app']`` -> (prefix, key)."""
    if not field_path.endswith("']"):
        return "", ""
    prefix, separator, subscript = field_path[:-2].partition("['")
    return (prefix, subscript) if separator and prefix else ("", "")


def _conversion_problem(version: str, field_path: str, prefix: str) -> str:
    if version != "v1":
        return f"unsupported pod version: {version}"
    if prefix:
        if prefix in ("metadata.annotations", "metadata.labels"):
            return ""
        return f"field label does not support subscript: {field_path}"
    if field_path in CONVERTIBLE_FIELDS or field_path == "spec.host":
        return ""
    return f"field label not supported: {field_path}"


def resource_selector(
    selector: dict[str, Any], path: FieldPath, rule: str, *, volume: bool
) -> list[Violation]:
    """validateContainerResourceFieldSelector; volume files must name their container."""
    resource = text(selector, "resource")
    violations = []
    if volume and not text(selector, "containerName"):
        violations.append(required(rule, (*path, "containerName")))
    elif not resource:
        violations.append(required(rule, (*path, "resource")))
    elif resource not in RESOURCE_FIELDS and not resource.startswith(HUGEPAGES_FIELDS):
        violations.append(
            not_supported(rule, (*path, "resource"), resource, sorted(RESOURCE_FIELDS))
        )
    return violations + _divisor(resource, selector.get("divisor"), path, rule)


def _divisor(resource: str, raw: Any, path: FieldPath, rule: str) -> list[Violation]:
    divisor = quantity(raw) if raw is not None else 0
    if not divisor:
        return []
    if resource in ("limits.cpu", "requests.cpu"):
        if divisor not in (1, quantity("1m")):
            detail = "only divisor's values 1m and 1 are supported with the cpu resource"
            return [invalid(rule, (*path, "divisor"), resource, detail)]
        return []
    kind = {
        "limits.memory": "memory", "requests.memory": "memory",
        "limits.ephemeral-storage": "local ephemeral storage",
        "requests.ephemeral-storage": "local ephemeral storage",
    }.get(resource, "hugepages" if resource.startswith(HUGEPAGES_FIELDS) else "")  # fmt: skip
    if kind and divisor not in BYTE_DIVISORS:
        detail = (
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
            f"are supported with the {kind} resource"
        )
        return [invalid(rule, (*path, "divisor"), resource, detail)]
    return []


def _key_selector(selector: dict[str, Any], path: FieldPath) -> list[Violation]:
    name, key = text(selector, "name"), text(selector, "key")
    violations = invalid_each(RULE, (*path, "name"), name, primitives.dns1123_subdomain(name))
    if not key:
        violations.append(required(RULE, (*path, "key")))
    else:
        violations += invalid_each(RULE, (*path, "key"), key, config_map_key(key))
    return violations


def _env_from(source: dict[str, Any], path: FieldPath, i: int, *, relaxed: bool) -> list[Violation]:
    where = (*path, i)
    prefix = text(source, "prefix")
    violations = []
    if prefix:
        violations += invalid_each(
            RULE, (*where, "prefix"), prefix, env_var_name(prefix, relaxed=relaxed)
        )
    refs = [key for key in ("configMapRef", "secretRef") if isinstance(source.get(key), dict)]
    for key in refs:
        name = text(source[key], "name")
        if not name:
            violations.append(required(RULE, (*where, key, "name")))
        else:
            problems = primitives.name_prefix(primitives.dns1123_subdomain, name)
            violations += invalid_each(RULE, (*where, key, "name"), name, problems)
    if not refs:
        violations.append(
            invalid(RULE, path, "", "must specify one of: `configMapRef` or `secretRef`")
        )
    elif len(refs) > 1:
        detail = "may not have more than one field specified at a time"
        violations.append(invalid(RULE, path, "", detail))
    return violations
