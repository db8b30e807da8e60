"""RP206-RP249: Deployment, ReplicaSet and pod template validation (being written)."""

from __future__ import annotations

from rolloutplan.rules.base import RuleInfo

WORKLOAD_RULES: tuple[RuleInfo, ...] = ()
