"""GitHub Actions workflow commands: one annotation a finding, grouped per file.

Escaping follows @actions/core (``escapeData`` and ``escapeProperty`` in its command.ts):
without it a message holding a newline or ``%0A`` is cut or garbled, and a file name
holding ``,`` or ``:`` ends its property early.  Other hidden characters are escaped as in
text output first (escape.shown).  The summary line is no command: it is escaped as text,
and so cannot open with ``::`` or hold ``##[``, which the runner also takes as a command.
Suppressed findings are only counted in the summary line: an annotation for a waived
finding would be noise.
"""

from __future__ import annotations

from itertools import groupby

from rolloutplan.engine import Report
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.report.escape import defuse_legacy, shown, shown_line
from rolloutplan.report.text import summary_line
from rolloutplan.rules import REGISTRY

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options."""
    lines: list[str] = []
    ordered = sorted(report.findings, key=Finding.sort_key)
    for path, findings in groupby(ordered, key=lambda f: f.location.path):
        lines.append(f"::group::{escape_data(path)}")
        lines.extend(annotation(finding) for finding in findings)
        lines.append("::endgroup::")
    lines.append(shown_line(summary_line(report)))
    return "\n".join(lines) + "\n"


def annotation(finding: Finding) -> str:
    """``::error file=F,line=L,col=C,title=RP102 unknown-field::message [Kind ns/name]``."""
    loc = finding.location
    properties = [("file", loc.path)]
    if loc.line > 0:
        properties.append(("line", str(loc.line)))
        if loc.column > 0:
            properties.append(("col", str(loc.column)))
    properties.append(("title", f"{finding.rule_id} {REGISTRY.by_id[finding.rule_id].name}"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(_message(finding))}"


def _message(finding: Finding) -> str:
    field = f"{finding.field_text}: " if finding.field else ""
    obj = f" [{finding.obj}]" if finding.obj else ""
    return f"{field}{finding.message}{obj}"


def escape_data(text: str) -> str:
    """As @actions/core escapes data, after hidden characters are shown; and ``##[``, which
    the runner reads as a command anywhere in a line, written as text does (``#\\x23[``)."""
    text = defuse_legacy(shown(text, keep_newlines=True))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
