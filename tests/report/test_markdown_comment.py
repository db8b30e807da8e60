"""The pull-request comment (``--format markdown``, action/check.sh's job summary): it stays
under GitHub's 65,536-character limit whatever the input, merges runs of repeated steps,
and renders in CommonMark with GitHub's tables (markdown-it-py) with every table intact, no
HTML from the input and no text lost.  Python-Markdown, which keeps the backslash of ``\\~``
and drops ``<current>``, is not installed: the output uses HTML character references for
those characters, so no ``\\<``, ``\\~``, ``\\|``, ``\\$`` or ``\\&`` may appear.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rolloutplan import engine
from rolloutplan.model.source import SourceText
from rolloutplan.planner.plan import PlanOptions
from rolloutplan.planner.simulate import NewPods, Step
from rolloutplan.report.markdown import LIMIT, MAX_STEP_ROWS, SECTION_BUDGET, render_markdown
from tests.conftest import RunCli
from tests.report import config, finding, plan_report, report_of
from tests.security.test_output_escaping import (
    HOSTILE,
    check_markdown,
    hostile_documents,
    hostile_tree,
    write_manifests,
)

markdown_it = pytest.importorskip("markdown_it")

# the only HTML the document writes: a line break, and the tags of a collapsed section
ALLOWED_TAGS = {
    *("h2", "h3", "p", "ul", "li", "strong", "a", "code", "pre", "br"),
    *("table", "thead", "tbody", "tr", "th", "td", "details", "summary"),
}
NO_BACKSLASH_BEFORE = ("\\<", "\\>", "\\~", "\\|", "\\$", "\\&")


def app(name: str, replicas: int = 100, surge: object = 1, image: str = "1.1.0") -> str:
    """A Deployment (maxUnavailable 0) and the Service in front of it, as YAML."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  strategy: {{rollingUpdate: {{maxSurge: {surge}, maxUnavailable: 0}}}}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: example.com/web:{image}
        readinessProbe: {{httpGet: {{path: /, port: 8080}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def apps(count: int, **options: object) -> str:
    return "---\n".join(app(f"web-{i}", **options) for i in range(count))  # type: ignore[arg-type]


def comment(run_cli: RunCli, path: Path, *args: str | Path) -> str:
    result = run_cli("check", "--format", "markdown", *args, path)
    assert result.exit_code in (0, 1)
    return result.stdout


class _Visible(HTMLParser):
    """The text a reader sees, and the tags of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(text: str) -> tuple[str, set[str]]:
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.text), parser.tags


def check_comment(text: str) -> None:
    """Every invariant of the comment, read as GitHub's CommonMark reads it."""
    assert len(text) < LIMIT
    assert not [s for s in NO_BACKSLASH_BEFORE if s in text]
    check_markdown(text)  # only our HTML, every table intact
    assert text.count("<details") == text.count("</details>")
    assert visible(text)[1] <= ALLOWED_TAGS


def test_ten_deployments_of_100_replicas_fit_with_every_plan(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """256,528 bytes before: every one of the 300 steps of each plan was a row."""
    path = tmp_path / "apps.yaml"
    path.write_text(apps(10))
    text = comment(run_cli, path)
    check_comment(text)
    assert len(text) < 50_000
    assert "left out" not in text
    assert text.count("<summary>Deployment default/web-") == 10
    assert "| default/web-9 (" in text  # a summary row each
    assert (
        "| 0 | start | 100 | 0 | 100 | 100 | 0s |\n"
        "| 1 | create new ReplicaSet web-0-&lt;new&gt; at 1 | 100 | 1 | 101 | 100 | 0s |\n"
    ) in text
    assert (
        "| 5-295 | steps 5-295: steps 2-4 again, 97 more times (old -1, new +1 each time) "
        "| 99 -&gt; 2 | 2 -&gt; 99 | 100-101 | 100-101 | 2 -&gt; 98 waves x start-up |\n"
    ) in text
    assert "| 300 | scale old ReplicaSet web-9-&lt;previous&gt; down 1 -&gt; 0 | 0 | 100 |" in text
    assert "Rows merged: steps 5-295 repeat the steps before them" in text
    assert text.count("```mermaid\n") == 10


def test_more_plans_than_fit_are_cut_in_order_with_a_note(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(apps(40, replicas=60))
    text = comment(run_cli, path)
    check_comment(text)
    assert text.count("| default/web-") == 40  # the summary keeps every Deployment
    rows = re.findall(r"\n\| default/(web-\d+) ", text)
    shown = re.findall(r"<summary>Deployment default/(web-\d+)", text)
    assert 3 < len(shown) < 40
    assert shown == rows[: len(shown)]  # in the summary's order, none skipped
    first_cut = rows[len(shown)]
    note = text.rstrip().rsplit("\n\n", 1)[1]
    assert note.startswith("**Details left out** to stay under GitHub's 65,536-character")
    assert f"Deployment default/{first_cut} (" in note
    assert f"and {40 - len(shown) - 10} more" in note
    assert "`--format json`" in note


def test_a_small_comment_is_not_cut(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(apps(2, replicas=3, surge='"25%"'))
    text = comment(run_cli, path)
    check_comment(text)
    assert "left out" not in text and "merged" not in text
    assert text.count("</details>") == 2


def test_what_changed_is_named_in_the_summary_row_and_the_details(
    run_cli: RunCli, tmp_path: Path
) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "before" / "app.yaml").write_text(app("web", replicas=3, image="1.0.0"))
    path = tmp_path / "app.yaml"
    path.write_text(app("web", replicas=6))
    text = run_cli(
        "plan",
        "--format",
        "markdown",
        "--pod-startup",
        "5",
        "--previous",
        tmp_path / "before",
        path,
    ).stdout
    check_comment(text)
    row = next(line for line in text.splitlines() if line.startswith("| default/web "))
    assert (
        "| scale-then-rollout<br>image app: example.com/web:1.0.0 -&gt; example.com/web:1.1.0"
        "<br>replicas: 3 -&gt; 6 |"
    ) in row
    assert "  - replicas: 3 -&gt; 6\n" in text
    shown, _ = visible(text)
    assert "create new ReplicaSet web-<new>" in shown
    assert "web-<current>" in shown  # the old ReplicaSet of --previous, as text
    assert "~" in shown


def test_names_and_messages_from_the_input_stay_text(run_cli: RunCli, tmp_path: Path) -> None:
    """A file name carries HTML, a pipe, backticks, tildes and dollars into the summary row,
    the ``<summary>`` tag, the step table and the findings."""
    hostile = "x<img src=1 onerror=alert(1)>|`a`~10s $1$ &amp; <script>"
    path = tmp_path / f"{hostile}.yaml"
    path.write_text(re.sub(r"\n *readinessProbe.*", "", app("web", replicas=3)))
    text = comment(run_cli, path)
    check_comment(text)
    shown, tags = visible(text)
    assert "img" not in tags and "script" not in tags
    assert f"Deployment default/web ({path}): complete" in shown  # the <summary>
    assert f"default/web ({path})" in shown  # the row
    assert f"{path}:12): spec.template" in shown  # RP301 in the Deployment's risks
    assert "web-<new>" in shown


def test_the_comparison_and_fixed_findings_come_first() -> None:
    base = plan_report(*[f"fixtures/seed/{n}" for n in ("deployment-hello-server.yaml",)])
    fixed = finding("selects <nothing> | now", rule_id="RP401", path="svc.yaml")
    report = replace(base, compared=True, fixed=(fixed,), not_shown=2)
    text = render_markdown(report)
    check_comment(text)
    assert (
        "Compared with the base revision: **1 new finding**, 2 already there, 1 fixed by this "
        "change. Only the new findings are listed (`--all` lists every one)."
    ) in text
    fixed_list = text.split("### Fixed by this change\n\n", 1)[1].split("\n\n", 1)[0]
    assert fixed_list.startswith("- **error** [RP401](")
    assert fixed_list.endswith(
        "(svc.yaml): spec.replica: selects &lt;nothing&gt; &#124; now \\[Deployment default/web\\]"
    )
    assert "| Services | new findings |" in text
    assert text.index("### Fixed by this change") < text.index("### Findings")


def test_the_findings_table_is_capped_with_a_note() -> None:
    text = render_markdown(report_of(*(finding(f"m{i}", line=i + 1) for i in range(300))))
    check_comment(text)
    assert text.count("\n| error |") == 100
    assert "| fixtures" not in text and "| deploy.yaml:100 | " in text
    assert "200 more findings left out to keep this comment short: the text output" in text


def plan_with_steps(steps: list[Step]) -> engine.Report:
    report = plan_report("fixtures/seed/deployment-hello-server.yaml")
    (plan,) = report.plans
    return replace(report, plans=(replace(plan, steps=tuple(steps)),), endpoints=())


def test_identical_steps_but_for_time_are_one_row() -> None:
    steps = [Step("wait", "wait: pods terminate", 3, 1, 4, 10 * i, 0) for i in range(1, 41)]
    text = render_markdown(plan_with_steps(steps))
    check_comment(text)
    assert "| 1 | wait: pods terminate | 3 | 1 | 4 | 4 | 10s |\n" in text
    assert (
        "| 2-39 | steps 2-39: step 1 again, 38 more times | 3 | 1 | 4 | 4 | 20s -&gt; 390s |\n"
    ) in text
    assert "| 40 | wait: pods terminate | 3 | 1 | 4 | 4 | 400s |\n" in text
    assert "Rows merged: steps 2-39 repeat the steps before them" in text


def test_a_long_table_without_repeats_keeps_its_first_and_last_rows() -> None:
    steps = [Step("scale", f"scale {'ab'[i % 2] * (i % 7 + 1)}", i, i, i, i, 0) for i in range(500)]
    text = render_markdown(plan_with_steps(steps))
    check_comment(text)
    table = text.split("| STEP |", 1)[1].split("\n\n", 1)[0]
    assert table.count("\n|") == MAX_STEP_ROWS + 2  # the alignment row, the rows, the gap
    assert "\n| 1 | scale a | 0 | 0 | 0 | 0 | 0s |" in table
    assert table.endswith("\n| 500 | scale bbb | 499 | 499 | 998 | 499 | 499s |")
    assert "| ... | 441 rows left out |" in table
    assert "441 rows left out; the text output" in text


def test_a_plan_too_long_for_its_section_keeps_its_summary() -> None:
    steps = [
        Step("scale", f"{'ab'[i % 2] * (i % 7 + 1)}{'|' * 400}", i, 0, i, i, 0) for i in range(99)
    ]
    text = render_markdown(plan_with_steps(steps))
    check_comment(text)
    section = text.split("<details", 1)[1]
    assert len(section) <= SECTION_BUDGET
    assert "The step table is too long for a comment" in section
    assert "**Outcome:**" in section


@given(
    replicas=st.integers(0, 300),
    surge=st.sampled_from(["0", "1", "3", '"25%"', '"100%"']),
    unavailable=st.sampled_from(["0", "1", '"25%"', '"50%"']),
    recreate=st.booleans(),
    never_ready=st.booleans(),
)
def test_any_plan_renders_intact_with_its_first_and_last_step(
    replicas: int, surge: str, unavailable: str, recreate: bool, never_ready: bool
) -> None:
    strategy = (
        "{type: Recreate}"
        if recreate
        else f"{{rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}}}"
    )
    manifest = app("web", replicas).replace(
        "{rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}", strategy
    )
    new_pods = NewPods.NEVER_READY if never_ready else NewPods.READY
    report = engine.plan(
        [SourceText("app.yaml", manifest.encode())], config(), PlanOptions(new_pods)
    )
    text = render_markdown(report)
    assert text == render_markdown(report)  # deterministic
    check_comment(text)
    for plan in report.plans:
        assert "\n| 0 | start |" in text
        if plan.steps:
            last = len(plan.steps)
            assert f"\n| {last} | " in text


@pytest.mark.parametrize("command", ["plan", "services", "check"])
def test_the_hostile_tree_renders_intact(run_cli: RunCli, tmp_path: Path, command: str) -> None:
    """Control characters, workflow commands, bidi overrides and HTML in names, values and
    file names (the security tests' tree), in every section, with the diagram."""
    folder = hostile_tree(tmp_path)
    extra: list[str | Path] = ["--diagram"] if command != "services" else []
    if command == "plan":
        before = hostile_documents(HOSTILE, image="nginx:0")
        extra += ["--previous", write_manifests(tmp_path / "before", before, "p.yaml")]
    text = run_cli(command, "--format", "markdown", "-v", *extra, folder).stdout
    check_comment(text)
    assert "<details" in text
