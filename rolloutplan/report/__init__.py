"""Reporters: pure functions from a Report to the text the CLI writes."""

from __future__ import annotations

from collections.abc import Callable

from rolloutplan.engine import Report
from rolloutplan.report.json_ import render_json
from rolloutplan.report.text import render_text

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {"text": render_text, "json": render_json}
