"""The rule registry: every rule id, its name, default severity and documentation."""

from __future__ import annotations

from rolloutplan.rules.base import Registry, RuleInfo
from rolloutplan.rules.loading import LOADING_RULES
from rolloutplan.rules.metadata import METADATA_RULES
from rolloutplan.rules.neighbours import NEIGHBOUR_RULES
from rolloutplan.rules.pod_warnings import POD_WARNING_RULES
from rolloutplan.rules.reachability import REACHABILITY_RULES
from rolloutplan.rules.risks import RISK_RULES
from rolloutplan.rules.schema import SCHEMA_RULES
from rolloutplan.rules.service import SERVICE_RULES
from rolloutplan.rules.units import UNIT_RULES
from rolloutplan.rules.workload import WORKLOAD_RULES

ALL_RULES: tuple[RuleInfo, ...] = (
    *LOADING_RULES,
    *SCHEMA_RULES,
    *METADATA_RULES,
    *WORKLOAD_RULES,
    *POD_WARNING_RULES,
    *SERVICE_RULES,
    *NEIGHBOUR_RULES,
    *RISK_RULES,
    *REACHABILITY_RULES,
    *UNIT_RULES,
)
REGISTRY = Registry.build(ALL_RULES)

__all__ = ["ALL_RULES", "REGISTRY", "Registry", "RuleInfo"]
