"""RP250-RP299: Service validation (being written)."""

from __future__ import annotations

from rolloutplan.rules.base import RuleInfo

SERVICE_RULES: tuple[RuleInfo, ...] = ()
