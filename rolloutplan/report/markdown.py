"""Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY: the findings as a table,
then each planned rollout with its bounds, step table, outcome, Services and risks.

Every piece of input text is backslash-escaped: a ``|`` would split a table cell, a newline
end the row, and ``<new>`` (as in ``hello-server-<new>``) would vanish as an HTML tag.
Newlines become ``<br>`` (the only HTML written), other hidden characters show as in text
output (escape.shown), and a fenced block's fence is longer than any run of backticks in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rolloutplan.analysis.endpoints import EndpointTimeline, by_plan
from rolloutplan.engine import Report, Suppressed
from rolloutplan.model.finding import Finding
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import Outcome
from rolloutplan.report.diagram import render_diagram
from rolloutplan.report.escape import defuse_text, shown
from rolloutplan.report.plan_text import (
    HEADERS,
    bound_lines,
    describe_timeline,
    in_file,
    step_rows,
    summary_lines,
)
from rolloutplan.report.sarif import rule_help_uri
from rolloutplan.report.services import by_copy, render_services
from rolloutplan.report.text import summary_line
from rolloutplan.rules import REGISTRY

FINDING_HEADERS = ("severity", "rule", "location", "object", "message")
NUMERIC = {"STEP", "OLD", "NEW", "TOTAL", "AVAILABLE", "TIME"}  # right-aligned columns
_SPECIAL = re.compile(r"([\\`*_\[\]|~$<&])")  # `>` only matters at the start of a line
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")


def render_markdown(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    blocks = ["## rolloutplan", escape(summary_line(report)), *_findings(report)]
    if verbose and report.suppressed:
        blocks += ["### Suppressed findings", _suppressed_table(report.suppressed)]
    if report.planned:
        blocks += _plans(report, diagram=diagram)
    if report.show_services:
        blocks += ["### Services", _fenced(render_services(report.services, report.findings))]
    return defuse_text("\n\n".join(blocks) + "\n")


def escape(text: str) -> str:
    """Text as itself in Markdown, also inside a table cell."""
    return _NEWLINE.sub("<br>", _SPECIAL.sub(r"\\\1", shown(text, keep_newlines=True)))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table of plain values (each cell escaped)."""
    return markdown_table(headers, [[escape(str(cell)) for cell in row] for row in rows])


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells that are Markdown already."""
    align = ["---:" if header in NUMERIC else "---" for header in headers]
    lines = [_row([escape(h) for h in headers]), _row(align), *(_row(row) for row in rows)]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return ["No findings."]
    rows = [_finding_cells(finding) for finding in report.findings]
    return ["### Findings", markdown_table(FINDING_HEADERS, rows)]


def _finding_cells(finding: Finding) -> tuple[str, ...]:
    return (
        finding.severity.value,
        _rule_link(finding.rule_id),
        escape(_where(finding)),
        escape(str(finding.obj)) if finding.obj else "",
        escape(_message(finding)),
    )


def _rule_link(rule_id: str) -> str:
    rule = REGISTRY.by_id[rule_id]
    return f"[{rule.id}]({rule_help_uri(rule)}) {rule.name}"


def _suppressed_table(suppressed: tuple[Suppressed, ...]) -> str:
    rows = [(*_finding_cells(s.finding), escape(s.reason)) for s in suppressed]
    return markdown_table((*FINDING_HEADERS, "reason"), rows)


def _where(finding: Finding) -> str:
    loc = finding.location
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def _message(finding: Finding) -> str:
    return f"{finding.field_text}: {finding.message}" if finding.field else finding.message


def _plans(report: Report, *, diagram: bool) -> list[str]:
    timelines_of, of_copy = by_plan(report.endpoints), by_copy(report.findings)
    blocks = [
        _plan(plan, timelines_of(plan), of_copy.get((plan.path, plan.deployment.ref), []), diagram)
        for plan in report.plans
    ]
    blocks.extend(
        f"### ReplicaSet {escape(f'{rs.ref.namespace}/{rs.ref.name}{in_file(rs.path)}')}\n\n"
        f"No rollout: a ReplicaSet never rolls out. {_keep_old(rs.replicas)}"
        for rs in report.bare_replica_sets
    )
    blocks.extend(
        f"### Deployment {escape(f'{ref.namespace}/{ref.name}{in_file(path)}')}\n\n"
        "Deleted: its ReplicaSets and pods go."
        for ref, path in report.deleted
    )
    return blocks or ["No Deployment to plan."]


def _keep_old(replicas: int) -> str:
    if replicas == 1:
        return "Its pod keeps the old template until it is deleted."
    return f"Its {replicas} pods keep the old template until they are deleted."


def _plan(
    plan: RolloutPlan, timelines: list[EndpointTimeline], risks: list[Finding], diagram: bool
) -> str:
    ref = plan.deployment.ref
    title = f"{ref.namespace}/{ref.name}{in_file(plan.path)}"
    blocks = [f"### Deployment {escape(title)}", _facts(plan)]
    if plan.steps or plan.outcome is not Outcome.REFUSED:
        blocks.append(table(HEADERS, step_rows(plan)))
        if diagram:
            blocks.append(_fenced(render_diagram(plan)))
    blocks += _outcome(plan)
    if timelines:
        lines = [line for t in timelines for line in describe_timeline(t)]
        blocks += ["**Services**", _bullets(lines)]
    if risks:
        blocks += ["**Risks**", "\n".join(_risk(f) for f in risks)]
    return "\n\n".join(blocks)


def _facts(plan: RolloutPlan) -> str:
    d = plan.deployment
    facts = [
        f"change: {plan.change.value}",
        f"strategy: {d.strategy.type.value}",
        f"replicas: {d.replicas}",
    ]
    facts += [_label_value(line) for line in bound_lines(plan)]
    return _bullets(facts)


def _label_value(line: str) -> str:
    """``  maxSurge:        25% of 3 ...`` -> ``maxSurge: 25% of 3 ...``."""
    label, _, value = line.strip().partition(":")
    return f"{label}: {value.strip()}"


def _outcome(plan: RolloutPlan) -> list[str]:
    lines = summary_lines(plan)
    outcome = next(line for line in lines if line.startswith("outcome: "))
    rest = [line for line in lines if line != outcome]
    return [f"**Outcome:** {escape(outcome.removeprefix('outcome: '))}", _bullets(rest)]


def _bullets(lines: Iterable[str]) -> str:
    """Lines indented by two spaces (or ``  - ``) become nested items."""
    items = []
    for line in lines:
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        item = stripped.removeprefix("- ") if depth else stripped
        items.append(f"{'  ' * depth}- {escape(item)}")
    return "\n".join(items)


def _risk(finding: Finding) -> str:
    where = _where(finding)
    return (
        f"- **{finding.severity.value}** {_rule_link(finding.rule_id)} "
        f"({escape(where)}): {escape(_message(finding))}"
    )


def _fenced(text: str) -> str:
    """``text`` (escaped as text already) as a code block no line of it can close."""
    fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(text))])
    return f"{fence}text\n{text.rstrip()}\n{fence}"
