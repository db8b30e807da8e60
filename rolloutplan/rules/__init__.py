"""The rule registry: every rule id, its name, default severity and documentation."""

from __future__ import annotations

from rolloutplan.rules.base import Registry, RuleInfo
from rolloutplan.rules.loading import LOADING_RULES
from rolloutplan.rules.schema import SCHEMA_RULES

ALL_RULES: tuple[RuleInfo, ...] = (*LOADING_RULES, *SCHEMA_RULES)
REGISTRY = Registry.build(ALL_RULES)

__all__ = ["ALL_RULES", "REGISTRY", "Registry", "RuleInfo"]
