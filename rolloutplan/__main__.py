from __future__ import annotations

from rolloutplan.cli import entry_point

entry_point()
