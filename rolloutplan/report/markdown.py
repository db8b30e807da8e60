"""Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY: a summary first (a row per
Deployment, the comparison with the base revision, the findings), then a collapsed
``<details>`` section per Deployment with its changes, bounds, steps, outcome, Services,
risks and a chart.

The document stays under GitHub's comment limit (LIMIT characters) whatever the input:
every table, list and cell has a bound, long step tables show runs of repeated steps as one
row, and the details sections are filled in order until BUDGET would be passed; a note
names what was left out and how to see it.

Two renderers read it: CommonMark with GitHub's tables (GitHub, markdown-it) and
Python-Markdown (which honours no backslash before ``<``, ``~``, ``|``, ``$`` or ``&``).
So in input text those five and ``>`` become HTML character references, which both decode
as text, and only ``\\ ` * _ [ ]`` are backslash-escaped.  Newlines become ``<br>``; the
only HTML written is that and the fixed ``details``/``summary`` tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rolloutplan.analysis.endpoints import EndpointTimeline, by_plan, describe_window
from rolloutplan.analysis.naming import plural
from rolloutplan.engine import Report, Suppressed
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.planner.changes import FieldChange
from rolloutplan.planner.plan import RolloutPlan
from rolloutplan.planner.simulate import Outcome, Step
from rolloutplan.report.chart import mermaid_chart
from rolloutplan.report.diagram import render_diagram
from rolloutplan.report.escape import defuse_text, shown
from rolloutplan.report.plan_text import (
    HEADERS,
    bound_lines,
    describe_timeline,
    duration_text,
    in_file,
    step_rows,
    summary_lines,
)
from rolloutplan.report.sarif import rule_help_uri
from rolloutplan.report.services import by_copy, render_services
from rolloutplan.report.text import summary_line
from rolloutplan.rules import REGISTRY

LIMIT = 65_536  # GitHub's limit on a comment, in characters
BUDGET = 60_000  # the document stops adding sections here: room for the notes
SUMMARY_BUDGET = 20_000  # the Deployments table
FINDINGS_BUDGET = 20_000  # the findings table
SUPPRESSED_BUDGET = 5_000  # the suppressed findings (--verbose)
FIXED_BUDGET = 4_000
SECTION_BUDGET = 12_000  # one Deployment's details: no plan takes the whole comment
MAX_FINDINGS = 100  # rows of the findings table
MAX_LIST = 10  # items of a list in a section (changes, Services, risks, notes)
MAX_CELL = 500  # characters of input text in one cell or item
MAX_SUMMARY = 1_000  # characters of the summary line (it lists the skipped kinds)
MAX_NAME = 60  # characters of each name in the note on what was left out
MAX_STEP_ROWS = 60  # rows of a step table once runs are merged
MAX_PERIOD = 12  # steps in the longest repeated pattern looked for
MAX_DIAGRAM_LINES = 60
SHOWN_CHANGES = 2  # changes named in the summary row (images and replicas first)
SEE_ALL = "the text output (no `--format`) or `--format json`"

FINDING_HEADERS = ("severity", "rule", "location", "object", "message")
NUMERIC = {"STEP", "OLD", "NEW", "TOTAL", "AVAILABLE", "TIME"}  # right-aligned columns
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "|": "&#124;", "~": "&#126;", "$": "&#36;"}
_SPECIAL = re.compile(r"[\\`*_\[\]<>&|~$]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")
_DIGITS = re.compile(r"\d+")

Of = dict[tuple[str, ObjectRef | None], list[Finding]]


def render_markdown(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    head = ["## rolloutplan", cell(summary_line(report), MAX_SUMMARY)]
    if report.compared:
        head += _comparison(report)
    if report.planned:
        head += _deployments(report)
    head += _findings(report)
    if verbose and report.suppressed:
        head += ["### Suppressed findings", _suppressed_table(report.suppressed)]
    return _fill([defuse_text(block) for block in head], _details(report, diagram=diagram))


def escape(text: str) -> str:
    """Text as itself in Markdown, also inside a table cell, for both renderers."""
    text = _SPECIAL.sub(_escaped_char, shown(text, keep_newlines=True))
    return _NEWLINE.sub("<br>", text)


def _escaped_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ENTITIES.get(char) or f"\\{char}"


def html_text(text: str) -> str:
    """Text inside an HTML tag we write (a ``<summary>``): no Markdown is read there."""
    text = shown(text).replace("&", "&amp;")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str, limit: int = MAX_CELL) -> str:
    """Input text in a cell or list item, shortened to ``limit`` characters (escaping
    makes it at most six times longer)."""
    return escape(text if len(text) <= limit else text[: limit - 3] + "...")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table of plain values (each cell escaped)."""
    return markdown_table(headers, [[cell(str(value)) for value in row] for row in rows])


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells that are Markdown already."""
    align = ["---:" if header in NUMERIC else "---" for header in headers]
    lines = [_row([escape(h) for h in headers]), _row(align), *(_row(row) for row in rows)]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _bounded_rows(
    rows: Iterable[Sequence[str]], budget: int, most: int
) -> tuple[list[Sequence[str]], int]:
    """The rows that fit ``budget`` characters and ``most`` rows, and how many are left."""
    kept: list[Sequence[str]] = []
    used = 0
    listed = list(rows)
    for row in listed:
        used += len(_row(row)) + 1
        if used > budget or len(kept) == most:
            break
        kept.append(row)
    return kept, len(listed) - len(kept)


# --- the summary -------------------------------------------------------------------------


def _comparison(report: Report) -> list[str]:
    new = len(report.findings) - len(report.unchanged)
    already = len(report.unchanged) + report.not_shown
    line = (
        f"Compared with the base revision: **{plural(new, 'new finding')}**, "
        f"{already} already there, {len(report.fixed)} fixed by this change."
    )
    if report.not_shown:
        line += " Only the new findings are listed (`--all` lists every one)."
    if not report.fixed:
        return [line]
    items = [f"- {_finding_item(finding, fixed=True)}" for finding in report.fixed]
    kept, left = _bounded_rows([[item] for item in items], FIXED_BUDGET, 2 * MAX_LIST)
    lines = [row[0] for row in kept]
    if left:
        lines.append(f"- and {left} more: {SEE_ALL} lists them all")
    return [line, "### Fixed by this change", "\n".join(lines)]


def _deployments(report: Report) -> list[str]:
    if not report.plans and not report.deleted:
        return ["No Deployment to plan."]
    timelines_of, of_copy = by_plan(report.endpoints), by_copy(report.findings)
    shares = _shares(report.plans)
    rows = [_plan_row(plan, timelines_of(plan), of_copy, report, shares) for plan in report.plans]
    rows += [_deleted_row(ref, path) for ref, path in report.deleted]
    kept, left = _bounded_rows(rows, SUMMARY_BUDGET, len(rows))
    found = "new findings" if report.compared else "findings"
    headers = ("Deployment", "change", "outcome", "duration", "peak pods", "min available")
    blocks = ["### Deployments", markdown_table((*headers, "Services", found), kept)]
    if left:
        blocks.append(f"{plural(left, 'more Deployment')} left out here: {SEE_ALL} lists all.")
    return blocks


def _plan_row(
    plan: RolloutPlan,
    timelines: list[EndpointTimeline],
    of_copy: Of,
    report: Report,
    shares: _Shares,
) -> list[str]:
    refused = plan.outcome is Outcome.REFUSED
    unknown = refused and not plan.peak_pods  # no current pods in the inputs
    return [
        cell(_plan_title(plan)),
        _change_cell(plan),
        cell(_short_outcome(plan)),
        "-" if refused else escape(duration_text(plan)),
        "-" if unknown else str(plan.peak_pods),
        "-" if unknown else str(plan.min_available),
        _services_cell(timelines),
        cell(_count(_plan_findings(plan, timelines, of_copy, shares), report.unchanged)),
    ]


def _deleted_row(ref: ObjectRef, path: str) -> list[str]:
    return [cell(_title(ref, path)), "deleted", "its ReplicaSets and pods go", *["-"] * 5]


def _plan_title(plan: RolloutPlan) -> str:
    """A plan's Deployment and file, and the autoscaler's count it assumes (a copy may
    have a plan at each end of the autoscaler's range)."""
    title = _title(plan.deployment.ref, plan.path)
    return f"{title} at {plan.variant_name}" if plan.variant else title


def _title(ref: ObjectRef, path: str) -> str:
    return f"{ref.namespace}/{ref.name}{in_file(path)}"


def _change_cell(plan: RolloutPlan) -> str:
    changes = sorted(plan.changes, key=_importance)
    lines = [plan.change.value, *(str(change) for change in changes[:SHOWN_CHANGES])]
    if len(changes) > SHOWN_CHANGES:
        lines.append(f"and {len(changes) - SHOWN_CHANGES} more")
    return "<br>".join(cell(line) for line in lines)


def _importance(change: FieldChange) -> int:
    """Images first, then replicas, then the rest in their order."""
    return 0 if change.what.startswith("image") else 1 if change.what == "replicas" else 2


def _short_outcome(plan: RolloutPlan) -> str:
    final = plan.final
    if plan.outcome is Outcome.STALLED:
        return f"stalled at old {final.old_spec} / new {final.new_spec}"
    return {
        Outcome.COMPLETE: "complete",
        Outcome.PAUSED: "paused",
        Outcome.NO_ROLLOUT: "no rollout",
        Outcome.TRUNCATED: "planning stopped before the end",
        Outcome.REFUSED: "refused by the API server",
    }[plan.outcome]


def _services_cell(timelines: list[EndpointTimeline]) -> str:
    if not timelines:
        return "none"
    lines = [_service_state(timeline) for timeline in timelines[:3]]
    if len(timelines) > 3:
        lines.append(f"and {len(timelines) - 3} more")
    return "<br>".join(cell(line) for line in lines)


def _service_state(timeline: EndpointTimeline) -> str:
    name = timeline.service.ref.name
    if not timeline.selects_new:
        return f"{name}: outage after the rollout"
    if timeline.zero:
        return f"{name}: no endpoints {describe_window(timeline.zero[0])}"
    return f"{name}: at least {timeline.minimum} ready"


def _plan_findings(
    plan: RolloutPlan, timelines: list[EndpointTimeline], of_copy: Of, shares: _Shares
) -> list[Finding]:
    """The findings on the Deployment copy and on the Services it affects."""
    copies = [(plan.path, plan.deployment.ref)]
    copies += [(t.service_file, t.service.ref) for t in timelines]
    found = dict.fromkeys(f for key in dict.fromkeys(copies) for f in of_copy.get(key, []))
    return _share(plan, list(found), shares)


# per plan at one end of an autoscaler's range (by id): is it its copy's first, and the
# endings of the findings only the copy's other such plans show
_Shares = dict[int, tuple[bool, tuple[str, ...]]]


def _shares(plans: Sequence[RolloutPlan]) -> _Shares:
    variants: dict[tuple[str, ObjectRef], list[RolloutPlan]] = {}
    for plan in plans:
        if plan.variant:
            variants.setdefault((plan.path, plan.deployment.ref), []).append(plan)
    return {
        id(plan): (plan is group[0], tuple(p.variant_suffix for p in group if p is not plan))
        for group in variants.values()
        if len(group) > 1
        for plan in group
    }


def _share(plan: RolloutPlan, findings: list[Finding], shares: _Shares) -> list[Finding]:
    """A copy planned at each end of an autoscaler's range: each plan lists the findings
    only it shows, and the first one also the copy's other findings (each listed once)."""
    share = shares.get(id(plan))
    if share is None:
        return findings
    first, others = share
    if first:
        return [f for f in findings if not f.message.endswith(others)]
    return [f for f in findings if f.message.endswith(plan.variant_suffix)]


def _count(findings: Iterable[Finding], unchanged: frozenset[Finding]) -> str:
    new = [finding for finding in findings if finding not in unchanged]
    counts = [
        plural(n, severity.value if severity is not Severity.INFO else "info")
        for severity in Severity
        if (n := sum(1 for f in new if f.severity is severity))
    ]
    return ", ".join(counts) or "none"


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return ["No findings."]
    marked = bool(report.unchanged)
    rows = [
        (["already there" if f in report.unchanged else "new"] if marked else [])
        + list(_finding_cells(f))
        for f in report.findings
    ]
    kept, left = _bounded_rows(rows, FINDINGS_BUDGET, MAX_FINDINGS)
    headers = ("status", *FINDING_HEADERS) if marked else FINDING_HEADERS
    blocks = ["### Findings", markdown_table(headers, kept)]
    if left:
        blocks.append(
            f"{plural(left, 'more finding')} left out to keep this comment short: {SEE_ALL} "
            "lists them all."
        )
    return blocks


def _finding_cells(finding: Finding) -> tuple[str, ...]:
    return (
        finding.severity.value,
        _rule_link(finding.rule_id),
        cell(_where(finding)),
        cell(str(finding.obj)) if finding.obj else "",
        cell(_message(finding)),
    )


def _finding_item(finding: Finding, *, fixed: bool = False) -> str:
    """A finding as a list item; a fixed one (at the base revision) without its line and
    with its object, a risk in a Deployment's section without them."""
    where = finding.location.path if fixed else _where(finding)
    obj = f" [{finding.obj}]" if finding.obj and fixed else ""
    return (
        f"**{finding.severity.value}** {_rule_link(finding.rule_id)} "
        f"({cell(where)}): {cell(_message(finding) + obj)}"
    )


def _rule_link(rule_id: str) -> str:
    rule = REGISTRY.by_id[rule_id]
    return f"[{rule.id}]({rule_help_uri(rule)}) {rule.name}"


def _suppressed_table(suppressed: tuple[Suppressed, ...]) -> str:
    rows = [(*_finding_cells(s.finding), cell(s.reason)) for s in suppressed]
    kept, left = _bounded_rows(rows, SUPPRESSED_BUDGET, MAX_FINDINGS)
    text = markdown_table((*FINDING_HEADERS, "reason"), kept)
    return text + (f"\n\n{plural(left, 'more suppressed finding')} left out." if left else "")


def _where(finding: Finding) -> str:
    loc = finding.location
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def _message(finding: Finding) -> str:
    return f"{finding.field_text}: {finding.message}" if finding.field else finding.message


# --- the details ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Section:
    name: str  # what the cut note calls it (unescaped)
    text: str


def _details(report: Report, *, diagram: bool) -> list[_Section]:
    sections: list[_Section] = []
    if report.planned:
        timelines_of, of_copy = by_plan(report.endpoints), by_copy(report.findings)
        shares = _shares(report.plans)
        sections += [
            _plan_section(plan, timelines_of(plan), of_copy, shares, diagram=diagram)
            for plan in report.plans
        ]
        if report.bare_replica_sets:
            sections.append(_Section("ReplicaSets", _bare_replica_sets(report)))
    if report.show_services:
        services = render_services(report.services, report.findings)
        sections.append(_Section("Services", _collapsed("Services", [_fenced(services)])))
    return sections


def _fill(head: list[str], sections: list[_Section]) -> str:
    """``head`` and then the sections that fit BUDGET, in order, and a note on the rest."""
    blocks = list(head)
    used = sum(len(block) + 2 for block in blocks)
    left: list[str] = []
    for section in sections:
        text = defuse_text(section.text)
        if left or used + len(text) + 2 > BUDGET:
            left.append(section.name)
            continue
        blocks.append(text)
        used += len(text) + 2
    if left:
        blocks.append(_cut_note(left))
    return "\n\n".join(blocks) + "\n"


def _cut_note(left: list[str]) -> str:
    names = ", ".join(cell(name, MAX_NAME) for name in left[:MAX_LIST])
    more = f" and {len(left) - MAX_LIST} more" if len(left) > MAX_LIST else ""
    return (
        f"**Details left out** to stay under GitHub's {LIMIT:,}-character comment limit: "
        f"{names}{more}. `rolloutplan plan` (text) or `--format json` shows them."
    )


def _plan_section(
    plan: RolloutPlan,
    timelines: list[EndpointTimeline],
    of_copy: Of,
    shares: _Shares,
    *,
    diagram: bool,
) -> _Section:
    """A plan's details; without its step table (then also without its lists) if it would
    pass SECTION_BUDGET."""
    name = _plan_title(plan)
    risks = _share(plan, of_copy.get((plan.path, plan.deployment.ref), []), shares)
    summary = f"Deployment {name}: {_short_outcome(plan)}"
    for steps in (True, False):
        blocks = _plan_blocks(plan, timelines, risks, steps=steps, diagram=diagram)
        text = _collapsed(summary, blocks)
        if len(text) <= SECTION_BUDGET:
            return _Section(f"Deployment {name}", text)
    note = f"Too long for a comment: {SEE_ALL} shows this plan."
    return _Section(f"Deployment {name}", _collapsed(summary, [note]))


def _collapsed(summary: str, blocks: list[str]) -> str:
    """A ``<details>`` section; ``markdown="1"`` asks Python-Markdown (md_in_html) to read
    the Markdown inside, which CommonMark does anyway after the blank line."""
    opening = f'<details markdown="1">\n<summary>{html_text(summary)}</summary>'
    return "\n\n".join([opening, *blocks, "</details>"])


def _plan_blocks(
    plan: RolloutPlan,
    timelines: list[EndpointTimeline],
    risks: list[Finding],
    *,
    steps: bool,
    diagram: bool,
) -> list[str]:
    blocks = [_facts(plan)]
    shows_steps = bool(plan.steps) or plan.outcome is not Outcome.REFUSED
    if shows_steps and steps:
        blocks += _step_table(plan)
    elif shows_steps:
        blocks.append(f"The step table is too long for a comment: {SEE_ALL} shows it.")
    blocks += _outcome(plan)
    if timelines:
        lines = [line for t in timelines[:MAX_LIST] for line in describe_timeline(t)]
        blocks += ["**Services**", _bullets(lines, len(timelines), "Service")]
    if risks:
        blocks += ["**Risks**", _risks(risks)]
    if steps and plan.steps:
        blocks.append(mermaid_chart(plan).rstrip("\n"))
    if steps and diagram and shows_steps:
        blocks.append(_fenced(_diagram(plan)))
    return blocks


def _facts(plan: RolloutPlan) -> str:
    d = plan.deployment
    lines = [f"change: {plan.change.value}"]
    lines += [f"  {change}" for change in plan.changes[:MAX_LIST]]
    if len(plan.changes) > MAX_LIST:
        lines.append(f"  and {len(plan.changes) - MAX_LIST} more (the text output lists all)")
    lines += [f"strategy: {d.strategy.type.value}", f"replicas: {d.replicas}"]
    lines += [_label_value(line) for line in bound_lines(plan)]
    return _bullets(lines)


def _label_value(line: str) -> str:
    """``  maxSurge:        25% of 3 ...`` -> ``maxSurge: 25% of 3 ...``."""
    label, _, value = line.strip().partition(":")
    return f"{label}: {value.strip()}"


def _outcome(plan: RolloutPlan) -> list[str]:
    lines = summary_lines(plan)
    outcome = next(line for line in lines if line.startswith("outcome: "))
    rest = [line for line in lines if line != outcome]
    return [f"**Outcome:** {cell(outcome.removeprefix('outcome: '))}", _bullets(rest)]


def _bullets(lines: Iterable[str], total: int = 0, what: str = "") -> str:
    """Lines indented by two spaces (or ``  - ``) become nested items; at most MAX_LIST*3."""
    items = []
    listed = list(lines)
    for line in listed[: 3 * MAX_LIST]:
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        item = stripped.removeprefix("- ") if depth else stripped
        items.append(f"{'  ' * depth}- {cell(item)}")
    if len(listed) > 3 * MAX_LIST or total > MAX_LIST:
        items.append(f"- and more{f' ({plural(total, what)} in all)' if what else ''}: {SEE_ALL}")
    return "\n".join(items)


def _risks(risks: list[Finding]) -> str:
    items = [f"- {_finding_item(finding)}" for finding in risks[:MAX_LIST]]
    if len(risks) > MAX_LIST:
        items.append(f"- and {len(risks) - MAX_LIST} more in the findings above")
    return "\n".join(items)


def _bare_replica_sets(report: Report) -> str:
    items = [
        f"- ReplicaSet {cell(_title(rs.ref, rs.path))}: no rollout: a ReplicaSet never rolls "
        f"out. {_keep_old(rs.replicas)}"
        for rs in report.bare_replica_sets[: 3 * MAX_LIST]
    ]
    if len(report.bare_replica_sets) > 3 * MAX_LIST:
        items.append(f"- and {len(report.bare_replica_sets) - 3 * MAX_LIST} more")
    return _collapsed(f"{plural(len(report.bare_replica_sets), 'ReplicaSet')}", ["\n".join(items)])


def _keep_old(replicas: int) -> str:
    if replicas == 1:
        return "Its pod keeps the old template until it is deleted."
    return f"Its {replicas} pods keep the old template until they are deleted."


def _diagram(plan: RolloutPlan) -> str:
    lines = render_diagram(plan).splitlines()
    if len(lines) <= MAX_DIAGRAM_LINES:
        return "\n".join(lines)
    head, tail = lines[: MAX_DIAGRAM_LINES - 10], lines[-10:]
    return "\n".join([*head, f"   ... {len(lines) - len(head) - len(tail)} steps left out", *tail])


def _fenced(text: str) -> str:
    """``text`` (escaped as text already) as a code block no line of it can close."""
    fence = "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(text))])
    return f"{fence}text\n{text.rstrip()}\n{fence}"


# --- step tables ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Run:
    """``periods`` repetitions of the ``period`` steps from index ``first`` of plan.steps,
    each shifting OLD, NEW and AVAILABLE by the same amounts."""

    first: int
    period: int
    periods: int

    @property
    def end(self) -> int:
        return self.first + self.period * self.periods


def _step_table(plan: RolloutPlan) -> list[str]:
    rows = step_rows(plan)
    shown_rows: list[list[str]] = [_cells(rows[0])]
    merged: list[str] = []
    index = 0
    for run in _runs(plan.steps):
        shown_rows += [_cells(rows[i + 1]) for i in range(index, run.first + run.period)]
        middle = (run.first + run.period, run.end - run.period)  # steps[a:b] become one row
        shown_rows.append(_merged_row(plan, run, *middle))
        merged.append(f"{middle[0] + 1}-{middle[1]}")
        index = middle[1]
    shown_rows += [_cells(row) for row in rows[index + 1 :]]
    blocks = [markdown_table(HEADERS, _capped(shown_rows))]
    notes = []
    if merged:
        notes.append(
            f"Rows merged: steps {', '.join(merged[:MAX_LIST])}"
            f"{' and more' if len(merged) > MAX_LIST else ''} repeat the steps before them"
        )
    if len(shown_rows) > MAX_STEP_ROWS:
        notes.append(f"{len(shown_rows) - MAX_STEP_ROWS} rows left out")
    if notes:
        blocks.append("; ".join(notes) + f"; {SEE_ALL} lists every step.")
    return blocks


def _cells(row: Sequence[object]) -> list[str]:
    return [cell(str(value)) for value in row]


def _capped(rows: list[list[str]]) -> list[list[str]]:
    if len(rows) <= MAX_STEP_ROWS:
        return rows
    head, tail = rows[: MAX_STEP_ROWS - 15], rows[-15:]
    gap = ["...", f"{len(rows) - len(head) - len(tail)} rows left out", *[""] * 5]
    return [*head, gap, *tail]


def _merged_row(plan: RolloutPlan, run: _Run, first: int, end: int) -> list[str]:
    """One row for ``plan.steps[first:end]``: the pattern of the run's first period, again."""
    steps = plan.steps
    part = steps[first:end]
    pattern = f"{run.first + 1}-{run.first + run.period}" if run.period > 1 else run.first + 1
    word = "steps" if run.period > 1 else "step"
    again = (end - first) // run.period
    shift = _shift(steps, run)
    text = f"steps {first + 1}-{end}: {word} {pattern} again, {plural(again, 'more time')}"
    if shift:
        text += f" ({shift} each time)"
    columns: list[Callable[[Step], int]] = [
        lambda s: s.old,
        lambda s: s.new,
        lambda s: s.total,
        lambda s: s.available,
    ]
    values = [_span([column(step) for step in part]) for column in columns]
    return [f"{first + 1}-{end}", cell(text), *(cell(v) for v in values), cell(_time(plan, part))]


def _time(plan: RolloutPlan, part: Sequence[Step]) -> str:
    """The steps' times: ``40s -> 80s``, or ``1 -> 3 waves x start-up`` when the time of a
    wave is unknown (see plan_text.time_text)."""
    seconds = _span([step.seconds for step in part], unit="s")
    if plan.timing.known or not any(step.wave for step in part):
        return seconds
    waves = f"{_span([step.wave for step in part])} waves x start-up"
    return waves if all(step.seconds == 0 for step in part) else f"{seconds} + {waves}"


def _shift(steps: Sequence[Step], run: _Run) -> str:
    a, b = steps[run.first], steps[run.first + run.period]
    parts = [f"{name} {after - before:+}" for name, before, after in _counted(a, b)]
    return ", ".join(part for part in parts if not part.endswith(" +0"))


def _counted(a: Step, b: Step) -> list[tuple[str, int, int]]:
    return [("old", a.old, b.old), ("new", a.new, b.new), ("available", a.available, b.available)]


def _span(values: list[int], unit: str = "") -> str:
    """``7``, ``99 -> 4`` (steadily one way) or ``100-101`` (up and down)."""
    low, high = min(values), max(values)
    if low == high:
        return f"{low}{unit}"
    if values == sorted(values) or values == sorted(values, reverse=True):
        return f"{values[0]}{unit} -> {values[-1]}{unit}"
    return f"{low}{unit}-{high}{unit}"


def _runs(steps: Sequence[Step]) -> list[_Run]:
    """Runs worth merging, in order: at least two rows saved by showing the first and last
    period and one row between."""
    shapes = [(step.kind, _DIGITS.sub("#", step.description)) for step in steps]
    runs: list[_Run] = []
    index = 0
    while index < len(steps):
        best: _Run | None = None
        for period in range(1, MAX_PERIOD + 1):
            run = _Run(index, period, _periods(steps, shapes, index, period))
            if (run.periods - 2) * period >= 2 and (best is None or run.end > best.end):
                best = run
        if best is None:
            index += 1
            continue
        runs.append(best)
        index = best.end
    return runs


def _periods(steps: Sequence[Step], shapes: list[tuple[str, str]], first: int, period: int) -> int:
    """How many times the ``period`` steps from ``first`` repeat, each time alike (kind and
    text but for numbers) and shifted by the same amounts."""
    if first + 2 * period > len(steps):
        return 1
    delta = _delta(steps[first], steps[first + period])
    index = first + period
    while index < len(steps):
        earlier = index - period
        if shapes[index] != shapes[earlier] or _delta(steps[earlier], steps[index]) != delta:
            break
        index += 1
    return (index - first) // period


def _delta(a: Step, b: Step) -> tuple[int, int, int]:
    return (b.old - a.old, b.new - a.new, b.available - a.available)
