"""The default output: one line per finding, sorted by file and position, then a summary.

Every line is escaped as a whole before the lines are joined (see escape.py): a newline
or an escape sequence in a name or a value shows as ``\n`` or ``\x1b``.
"""

from __future__ import annotations

from collections import Counter

from rolloutplan.analysis.naming import plural
from rolloutplan.collect import NOT_OBJECTS
from rolloutplan.engine import Report
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.report.escape import defuse_text, shown


def render_text(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    lines = [shown(_finding_line(finding)) for finding in report.findings]
    if verbose:
        lines.extend(
            shown(f"{_finding_line(s.finding)} (suppressed: {s.reason})") for s in report.suppressed
        )
    if report.planned:
        from rolloutplan.report.plan_text import in_file, render_plans  # lint: no tabulate

        if lines:
            lines.append("")
        lines.append(
            render_plans(report.plans, report.bare_replica_sets, report.endpoints, diagram=diagram)
        )
        lines.extend(
            shown(
                f"Deployment {ref.namespace}/{ref.name}{in_file(path)}: deleted (its ReplicaSets "
                "and pods go)"
            )
            + "\n"
            for ref, path in report.deleted
        )
    if report.compared:
        lines.extend(shown(line) for line in _comparison(report))
        lines.append("")
    if report.show_services:
        from rolloutplan.report.services import render_services

        if lines:
            lines.append("")
        lines.append(render_services(report.services, report.findings))
    lines.append(shown(summary_line(report)))
    return defuse_text("\n".join(lines) + "\n")


def render_findings(report: Report) -> str:
    """Only the finding lines (``--quiet``)."""
    return defuse_text("".join(shown(_finding_line(finding)) + "\n" for finding in report.findings))


# at most this many fixed findings are listed (the JSON output lists every one)
FIXED_SHOWN = 20


def _comparison(report: Report) -> list[str]:
    """How the findings compare with the base revision's (check --base), and the ones the
    change fixes, without their base line numbers (the files have changed since)."""
    new = len(report.findings) - len(report.unchanged)
    already = f"{len(report.unchanged) + report.not_shown} already there"
    if report.not_shown:
        already += ", not shown (--all shows them)"
    fixed = f"{len(report.fixed)} fixed by this change" + (":" if report.fixed else ".")
    lines = [f"Compared with the base revision: {_plural(new, 'new finding')}; {already}; {fixed}"]
    lines.extend(f"  {_finding_line(f, at_line=False)}" for f in report.fixed[:FIXED_SHOWN])
    if len(report.fixed) > FIXED_SHOWN:
        more = len(report.fixed) - FIXED_SHOWN
        lines.append(f"  ... and {more} more (--format json lists them all)")
    return lines


def _finding_line(finding: Finding, *, at_line: bool = True) -> str:
    loc = finding.location
    where = f"{loc.path}:{loc.line}:{loc.column}" if loc.line and at_line else loc.path
    field = f" {finding.field_text}:" if finding.field else ""
    obj = f" [{finding.obj}]" if finding.obj else ""
    return f"{where}: {finding.severity.value} {finding.rule_id}{field} {finding.message}{obj}"


def summary_line(report: Report) -> str:
    """The last line, unescaped: each format escapes it its own way."""
    checked = sum(report.checked.values())
    parts = [
        f"{_plural(report.files, 'file')}, {_plural(checked, 'object')} checked"
        + _breakdown(report.checked)
    ]
    if report.skipped:
        parts.append(f"{sum(report.skipped.values())} skipped" + _skipped(report.skipped))
    if report.excluded:
        parts.append(f"{_plural(report.excluded, 'path')} excluded")
    counts = ", ".join(
        _plural(report.count(severity), severity.value if severity is not Severity.INFO else "info")
        for severity in Severity
    )
    if report.suppressed:
        counts += f"; {len(report.suppressed)} suppressed"
    return "; ".join(parts) + f". {counts}."


def _skipped(counter: Counter[str]) -> str:
    """Skipped objects by kind, then the documents that are not Kubernetes objects."""
    kinds = Counter({kind: n for kind, n in counter.items() if kind != NOT_OBJECTS})
    shown = [f"{kind} {n}" for kind, n in sorted(kinds.items())]
    if counter.get(NOT_OBJECTS):
        shown.append(f"not Kubernetes objects {counter[NOT_OBJECTS]}")
    return " (" + ", ".join(shown) + ")"


def _breakdown(counter: Counter[str]) -> str:
    if not counter:
        return ""
    return " (" + ", ".join(f"{kind} {n}" for kind, n in sorted(counter.items())) + ")"


def _plural(count: int, noun: str) -> str:
    return plural(count, noun, many="info" if noun == "info" else None)
