"""A Deployment's own spec fields: strategy, rolling-update bounds, progress deadline."""

from __future__ import annotations

import math
from typing import Any

from rolloutplan.model.finding import Violation
from rolloutplan.model.source import FieldPath
from rolloutplan.validate.apiserver import primitives
from rolloutplan.validate.apiserver.access import integer, mapping, text
from rolloutplan.validate.apiserver.fielderrors import (
    forbidden,
    invalid,
    invalid_each,
    nonnegative,
    not_supported,
    required,
)
from rolloutplan.validate.apiserver.syntax import atoi

NEGATIVE_VALUE = "RP209"
DEADLINE = "RP210"
STRATEGY = "RP211"
ROLLING_UPDATE = "RP212"
ROUNDS_TO_ZERO = "RP213"
STRATEGY_PATH: FieldPath = ("spec", "strategy")
ROLLING_PATH: FieldPath = (*STRATEGY_PATH, "rollingUpdate")


def validate(spec: dict[str, Any]) -> list[Violation]:
    """The Deployment-only checks of ValidateDeploymentSpec, on the defaulted spec."""
    violations = _strategy(mapping(spec, "strategy"), integer(spec, "replicas"))
    for key in ("minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
        violations += nonnegative(NEGATIVE_VALUE, ("spec", key), spec.get(key))
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= integer(spec, "minReadySeconds"):
        violations.append(invalid(
            DEADLINE, ("spec", "progressDeadlineSeconds"), deadline,
            "must be greater than minReadySeconds",
        ))  # fmt: skip
    return violations


def _strategy(strategy: dict[str, Any], replicas: int) -> list[Violation]:
    kind = text(strategy, "type")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [forbidden(
                STRATEGY, ROLLING_PATH,
                "may not be specified when strategy `type` is 'Recreate'",
            )]  # fmt: skip
        return []
    if kind == "RollingUpdate":
        if not isinstance(rolling, dict):
            return [required(STRATEGY, ROLLING_PATH, "this should be defaulted and never be nil")]
        return _rolling_update(rolling, replicas)
    return [not_supported(STRATEGY, STRATEGY_PATH, kind, ("Recreate", "RollingUpdate"))]


def _rolling_update(rolling: dict[str, Any], replicas: int) -> list[Violation]:
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    violations = _int_or_percent(unavailable, (*ROLLING_PATH, "maxUnavailable"))
    violations += _int_or_percent(surge, (*ROLLING_PATH, "maxSurge"))
    if _value(unavailable) == 0 and _value(surge) == 0:
        violations.append(invalid(
            ROLLING_UPDATE, (*ROLLING_PATH, "maxUnavailable"), unavailable,
            "may not be 0 when `maxSurge` is 0",
        ))  # fmt: skip
    elif not violations:
        violations += _rounds_to_zero(unavailable, surge, replicas)
    percent = _percent(unavailable)
    if percent is not None and percent > 100:
        violations.append(invalid(
            ROLLING_UPDATE, (*ROLLING_PATH, "maxUnavailable"), unavailable,
            "must not be greater than 100%",
        ))  # fmt: skip
    return violations


def _int_or_percent(value: Any, path: FieldPath) -> list[Violation]:
    """ValidatePositiveIntOrPercent: a string must be a percentage, an integer non-negative."""
    if isinstance(value, str):
        return invalid_each(ROLLING_UPDATE, path, value, primitives.percent(value))
    return nonnegative(ROLLING_UPDATE, path, value)


def _percent(value: Any) -> int | None:
    if isinstance(value, str) and not primitives.percent(value):
        return int(value[:-1])
    return None


def _value(value: Any) -> int:
    """getIntOrPercentValue: the percentage, else the integer; a string that is not a
    percentage counts as what Atoi makes of it (0 when it is not a number)."""
    percent = _percent(value)
    if percent is not None:
        return percent
    if isinstance(value, str):
        return atoi(value) or 0
    return value if isinstance(value, int) else 0


def _rounds_to_zero(unavailable: Any, surge: Any, replicas: int) -> list[Violation]:
    """The controller rounds maxSurge up and maxUnavailable down; when both come to 0 it
    quietly uses maxUnavailable 1, which is more than the percentage asked for."""
    if replicas <= 0 or _scaled(surge, replicas, up=True) != 0:
        return []
    if _scaled(unavailable, replicas, up=False) != 0:
        return []
    message = (
        f"maxUnavailable {unavailable} of {replicas} replica{'' if replicas == 1 else 's'} "
        f"rounds down to 0 and maxSurge {surge} allows no extra pod, so the controller takes "
        "pods down one at a time anyway (maxUnavailable 1)"
    )
    return [Violation(ROUNDS_TO_ZERO, message, (*ROLLING_PATH, "maxUnavailable"))]


def _scaled(value: Any, replicas: int, *, up: bool) -> int:
    percent = _percent(value)
    if percent is None:
        return _value(value)
    exact = percent * replicas / 100
    return math.ceil(exact) if up else math.floor(exact)
