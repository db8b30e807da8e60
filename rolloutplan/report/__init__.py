"""Reporters: pure functions from a Report to the text the CLI writes."""

from __future__ import annotations

from typing import Protocol

from rolloutplan.engine import Report
from rolloutplan.report.github import render_github
from rolloutplan.report.json_ import render_json
from rolloutplan.report.junit import render_junit
from rolloutplan.report.markdown import render_markdown
from rolloutplan.report.sarif import render_sarif
from rolloutplan.report.text import render_text


class Reporter(Protocol):
    def __call__(self, report: Report, *, diagram: bool = False, verbose: bool = False) -> str: ...


REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "markdown": render_markdown,
    "junit": render_junit,
}
