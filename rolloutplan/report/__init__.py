"""Reporters: pure functions from a Report to the text the CLI writes."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rolloutplan.engine import Report


class Reporter(Protocol):
    def __call__(self, report: Report, *, diagram: bool = False, verbose: bool = False) -> str: ...


# format -> (module, function); a run imports only the reporters it writes with
_REPORTERS = {
    "text": ("rolloutplan.report.text", "render_text"),
    "json": ("rolloutplan.report.json_", "render_json"),
    "sarif": ("rolloutplan.report.sarif", "render_sarif"),
    "github": ("rolloutplan.report.github", "render_github"),
    "markdown": ("rolloutplan.report.markdown", "render_markdown"),
    "junit": ("rolloutplan.report.junit", "render_junit"),
    "svg": ("rolloutplan.report.svg", "render_svg"),
}
FORMATS = tuple(_REPORTERS)


def reporter(output_format: str) -> Reporter:
    module, function = _REPORTERS[output_format]
    found: Reporter = getattr(import_module(module), function)
    return found
