"""Probes and lifecycle hooks (validateProbe, validateHandler, validateLifecycle), plus the
warning for a named port that no container port declares."""

from __future__ import annotations

from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver.access import dicts, listing, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    nonnegative,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import http_header_name

PROBE = "RP222"
PORT_NOT_DECLARED = "RP223"
HOOK = "RP224"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")
PROBE_ACTIONS = ("exec", "httpGet", "tcpSocket", "grpc")
HOOK_ACTIONS = ("exec", "httpGet", "tcpSocket", "sleep")
COUNTERS = (
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
)


def validate(
    container: dict[str, Any], path: FieldPath, grace: int, *, sleep_zero: bool
) -> list[Violation]:
    """Lifecycle hooks and probes of a container that may have them."""
    violations = []
    lifecycle = mapping(container, "lifecycle")
    for hook in HOOKS:
        if isinstance(lifecycle.get(hook), dict):
            violations += _handler(
                lifecycle[hook], (*path, "lifecycle", hook), HOOK, HOOK_ACTIONS, grace, sleep_zero
            )
    for key in PROBES:
        probe = container.get(key)
        if isinstance(probe, dict):
            violations += _probe(key, probe, (*path, key), grace)
    return violations + _undeclared_ports(container, path)


def _probe(kind: str, probe: dict[str, Any], path: FieldPath, grace: int) -> list[Violation]:
    violations = _handler(probe, path, PROBE, PROBE_ACTIONS, grace, sleep_zero=True)
    for key in COUNTERS:
        value = probe.get(key)
        if isinstance(value, int) and value < 0:  # (ints only: a bool is never below 0)
            violations += nonnegative(PROBE, (*path, key), value)
    grace_override = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace_override, int) and grace_override <= 0:
        where = (*path, "terminationGracePeriodSeconds")
        violations.append(invalid(PROBE, where, grace_override, "must be greater than 0"))
    if kind in ("livenessProbe", "startupProbe") and probe.get("successThreshold") != 1:
        violations.append(
            invalid(PROBE, (*path, "successThreshold"), probe.get("successThreshold"), "must be 1")
        )
    if kind == "readinessProbe" and grace_override is not None:
        violations.append(invalid(
            PROBE, (*path, "terminationGracePeriodSeconds"), grace_override,
            "must not be set for readinessProbes",
        ))  # fmt: skip
    return violations


def _handler(
    handler: dict[str, Any],
    path: FieldPath,
    rule: str,
    actions: tuple[str, ...],
    grace: int,
    sleep_zero: bool,
) -> list[Violation]:
    """Exactly one action; the ones after the first are reported."""
    violations = []
    seen = False
    for action in actions:
        value = handler.get(action)
        if value is None:
            continue
        if seen:
            violations.append(
                forbidden(rule, (*path, action), "may not specify more than 1 handler type")
            )
            continue
        seen = True
        value = value if isinstance(value, dict) else {}
        violations += _action(action, value, (*path, action), rule, grace, sleep_zero)
    if not seen:
        violations.append(required(rule, path, "must specify a handler type"))
    return violations


def _action(
    action: str, value: dict[str, Any], path: FieldPath, rule: str, grace: int, sleep_zero: bool
) -> list[Violation]:
    if action == "exec":
        return [] if listing(value, "command") else [required(rule, (*path, "command"))]
    if action == "httpGet":
        return _http_get(value, path, rule)
    if action == "sleep":
        return _sleep(value, path, rule, grace, sleep_zero)
    port = value.get("port")
    return port_problems(rule, (*path, "port"), 0 if port is None else port)


def _http_get(http: dict[str, Any], path: FieldPath, rule: str) -> list[Violation]:
    violations = [] if text(http, "path") else [required(rule, (*path, "path"))]
    port = http.get("port")
    violations += port_problems(rule, (*path, "port"), 0 if port is None else port)
    scheme = text(http, "scheme")
    if scheme not in ("HTTP", "HTTPS"):
        violations.append(not_supported(rule, (*path, "scheme"), scheme, ("HTTP", "HTTPS")))
    for _, header in dicts(http, "httpHeaders"):
        name = text(header, "name")
        violations += invalid_each(rule, (*path, "httpHeaders"), name, http_header_name(name))
    return violations


def _sleep(
    sleep: dict[str, Any], path: FieldPath, rule: str, grace: int, sleep_zero: bool
) -> list[Violation]:
    seconds = sleep.get("seconds")
    seconds = seconds if isinstance(seconds, int) else 0
    if sleep_zero and not 0 <= seconds <= grace:
        detail = f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
        return [invalid(rule, path, seconds, detail)]
    if not sleep_zero and not 0 < seconds <= grace:
        detail = (
            f"must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). "
            "Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
        )
        return [invalid(rule, path, seconds, detail)]
    return []


def port_problems(rule: str, path: FieldPath, port: Any) -> list[Violation]:
    """ValidatePortNumOrName: an integer port number, or an IANA service name."""
    if isinstance(port, str):
        return invalid_each(rule, path, port, primitives.port_name(port))
    return invalid_each(rule, path, port, primitives.port_number(port))


def _undeclared_ports(container: dict[str, Any], path: FieldPath) -> list[Violation]:
    """A named port the kubelet cannot resolve: the server accepts it, the probe or hook
    then fails at run time."""
    handlers = _handlers(container, path)
    if not handlers:
        return []
    declared = {text(port, "name") for _, port in dicts(container, "ports")}
    violations = []
    for where, handler in handlers:
        for action in ("httpGet", "tcpSocket"):
            port = mapping(handler, action).get("port")
            if isinstance(port, str) and not primitives.port_name(port) and port not in declared:
                message = (
                    f'port "{port}" is not declared by this container\'s ports, so the kubelet '
                    "cannot resolve it and the check fails at run time"
                )
                violations.append(Violation(PORT_NOT_DECLARED, message, (*where, action, "port")))
    return violations


def _handlers(container: dict[str, Any], path: FieldPath) -> list[tuple[FieldPath, dict[str, Any]]]:
    found = [
        ((*path, key), container[key]) for key in PROBES if isinstance(container.get(key), dict)
    ]
    lifecycle = mapping(container, "lifecycle")
    found += [
        ((*path, "lifecycle", hook), lifecycle[hook])
        for hook in HOOKS
        if isinstance(lifecycle.get(hook), dict)
    ]
    return found
