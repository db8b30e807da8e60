"""Resolving maxSurge and maxUnavailable against replicas (ResolveFenceposts and friends)."""

from __future__ import annotations

from dataclasses import dataclass

from rolloutplan.model.objects import Deployment, IntOrPercent, StrategyType


def scaled_value(value: IntOrPercent | None, total: int, *, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent; an unset value counts as 0."""
    return 0 if value is None else value.scaled(total, round_up=round_up)


def resolve_fenceposts(
    max_surge: IntOrPercent | None, max_unavailable: IntOrPercent | None, desired: int
) -> tuple[int, int]:
    """(surge, unavailable): surge rounds up, unavailable down; both 0 forces unavailable 1."""
    surge = scaled_value(max_surge, desired, round_up=True)
    unavailable = scaled_value(max_unavailable, desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


@dataclass(frozen=True, slots=True)
class Budget:
    """The bounds one Deployment's controller works within.

    ``surge`` is MaxSurge(d) (not capped), ``unavailable`` is MaxUnavailable(d) (capped at
    replicas, 0 for 0 replicas), and both are 0 for Recreate.
    """

    replicas: int
    surge: int
    unavailable: int
    forced_unavailable: bool = False  # both resolved to 0, so the controller used 1
    recreate: bool = False

    @property
    def max_pods(self) -> int:
        return self.replicas + self.surge

    @property
    def min_available(self) -> int:
        """MinAvailable(d): 0 for Recreate, which takes every old pod down first."""
        return 0 if self.recreate else self.replicas - self.unavailable


def budget_for(
    replicas: int,
    strategy: StrategyType,
    max_surge: IntOrPercent | None,
    max_unavailable: IntOrPercent | None,
) -> Budget:
    if strategy is StrategyType.RECREATE:
        return Budget(replicas, 0, 0, recreate=True)
    surge, unavailable = resolve_fenceposts(max_surge, max_unavailable, replicas)
    forced = unavailable == 1 and scaled_value(max_unavailable, replicas, round_up=False) == 0
    capped = 0 if replicas == 0 else min(unavailable, replicas)
    return Budget(replicas, surge, capped, forced)


def deployment_budget(deployment: Deployment) -> Budget:
    strategy = deployment.strategy
    return budget_for(
        deployment.replicas, strategy.type, strategy.max_surge, strategy.max_unavailable
    )


def explain_bound(value: IntOrPercent | None, replicas: int, *, round_up: bool) -> str:
    """How a bound was computed, e.g. ``25% of 3 = 0.75 -> 1 (rounded up)``."""
    if value is None:
        return "unset -> 0"
    if not value.is_percent:
        return f"{value.value} (absolute)"
    exact = value.value * replicas / 100
    result = value.scaled(replicas, round_up=round_up)
    if exact == result:
        return f"{value} of {replicas} = {result}"
    direction = "up" if round_up else "down"
    return f"{value} of {replicas} = {exact:g} -> {result} (rounded {direction})"
