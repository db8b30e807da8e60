"""Markdown for PR comments and step summaries: the summary table, the findings, then each
rollout plan in a ``<details>`` section (tests/report/test_markdown_comment.py: the size
limit, merged steps and hostile input).

Golden file: tests/golden/plan-hello-server-never-ready.md (read and checked by hand: the
Deployments table, the findings table, the hello-server plan's bounds, its two-row step
table with ``hello-server-&lt;new&gt;``, the stalled outcome, the Service's endpoints, the
RP301 risk and the chart).  The rendering tests use markdown-it-py when it is installed (a
test-only package) and are skipped otherwise.
"""

from __future__ import annotations

import re

import pytest

from rolloutplan import engine
from rolloutplan.engine import Suppressed
from rolloutplan.planner.plan import PlanOptions
from rolloutplan.planner.simulate import NewPods
from rolloutplan.report.markdown import escape, render_markdown
from tests.report import (
    BAD,
    HELLO_BAD_IMAGE,
    PLANS,
    SEED,
    assert_golden,
    config,
    finding,
    lint_report,
    plan_report,
    report_of,
    sources,
)


def hello_never_ready() -> str:
    return render_markdown(plan_report(*HELLO_BAD_IMAGE, new_pods=NewPods.NEVER_READY))


def test_hello_server_bad_image_plan_matches_the_golden_file() -> None:
    assert_golden("plan-hello-server-never-ready.md", hello_never_ready())


def test_hello_server_bad_image_shows_the_plan_table_and_the_stall() -> None:
    text = hello_never_ready()
    assert (
        '<details markdown="1">\n<summary>Deployment default/hello-server '
        "(fixtures/seed/deployment-hello-server-bad-image.yaml): stalled at old 3 / new 1"
        "</summary>\n" in text
    )
    assert "- maxSurge: 25% of 3 = 0.75 -&gt; 1 (rounded up)\n" in text
    assert "- maxUnavailable: 25% of 3 = 0.75 -&gt; 0 (rounded down)\n" in text
    assert (
        "| STEP | ACTION | OLD | NEW | TOTAL | AVAILABLE | TIME |\n"
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n"
        "| 0 | start | 3 | 0 | 3 | 3 | 0s |\n"
        "| 1 | create new ReplicaSet hello-server-&lt;new&gt; at 1 | 3 | 1 | 4 | 3 | 0s |\n\n"
    ) in text
    assert "**Outcome:** stalled at old 3 / new 1 (kubectl get deploy: READY 3/3" in text
    assert "ProgressDeadlineExceeded at &#126;600s" in text
    assert (
        "- Service default/hello-server-service (fixtures/seed/service-clusterip.yaml; selects "
        "old and new pods): ready endpoints 3" in text
    )


def test_summary_row_comes_first_with_the_outcome_and_the_services() -> None:
    text = hello_never_ready()
    assert text.index("### Deployments") < text.index("### Findings") < text.index("<details")
    assert (
        "| default/hello-server (fixtures/seed/deployment-hello-server-bad-image.yaml) | rollout "
        "| stalled at old 3 / new 1 | &#126;0s | 4 | 3 | hello-server-service: at least 3 ready "
        "| 1 warning |\n"
    ) in text


def test_findings_about_the_deployment_are_listed_as_its_risks() -> None:
    text = hello_never_ready()
    risks = text.split("**Risks**\n\n", 1)[1]
    assert risks.startswith("- **warning** [RP301](")
    assert "(fixtures/seed/deployment-hello-server-bad-image.yaml:23)" in risks


def test_title_summary_and_findings_table() -> None:
    lines = render_markdown(lint_report(f"{BAD}/typo-field.yaml")).splitlines()
    assert lines[0] == "## rolloutplan"
    assert lines[2] == "1 file, 2 objects checked (Deployment 2). 3 errors, 0 warnings, 0 info."
    assert lines[6] == "| severity | rule | location | object | message |"
    assert lines[8].startswith(
        "| error | [RP102](https://github.com/rolloutplan/rolloutplan/blob/main/docs/rules.md"
        "#rp102-unknown-field) unknown-field | fixtures/bad/typo-field.yaml:10 | "
        "Deployment default/web | spec.replica: unknown field"
    )


def test_pipes_and_newlines_in_cells_are_escaped() -> None:
    text = render_markdown(report_of(finding("a | b\nc\r\nd", path="x|y.yaml")))
    (row,) = [line for line in text.splitlines() if line.startswith("| error")]
    assert "x&#124;y.yaml:3" in row
    assert row.endswith("spec.replica: a &#124; b<br>c<br>d |")
    assert row.count(" | ") == 4  # five cells, none split


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", "a&#124;b"),
        ("x<new>", "x&lt;new&gt;"),
        (
            "*a* _b_ `c` [d] ~e~ $f$ \\g &h",
            "\\*a\\* \\_b\\_ \\`c\\` \\[d\\] &#126;e&#126; &#36;f&#36; \\\\g &amp;h",
        ),
        ("&lt;", "&amp;lt;"),
        ("one\ntwo\r\nthree", "one<br>two<br>three"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_no_findings_says_so() -> None:
    text = render_markdown(lint_report(f"{SEED}/service-clusterip.yaml"))
    assert "\n\nNo findings.\n" in text
    assert "###" not in text


def test_suppressed_findings_are_listed_only_when_verbose() -> None:
    report = report_of(suppressed=[Suppressed(finding("waived"), "read by | our webhook")])
    assert "Suppressed" not in render_markdown(report)
    text = render_markdown(report, verbose=True)
    assert "### Suppressed findings" in text
    assert text.rstrip().endswith("| spec.replica: waived | read by &#124; our webhook |")


def test_recreate_plan_lists_the_window_without_endpoints_as_a_nested_item() -> None:
    text = render_markdown(plan_report(f"{PLANS}/hello-server-recreate.yaml"))
    assert "- strategy: Recreate: every old pod goes before any new pod is created\n" in text
    assert "  - no endpoints from step 1 to step 3 (&#126;20s)\n" in text
    assert "| hello-server-service: no endpoints from step 1 to step 3 (&#126;20s) |" in text
    assert "**Risks**" in text


def test_refused_plan_has_no_step_table() -> None:
    report = engine.plan(
        sources([f"{PLANS}/deployment-nginx-new-selector.yaml"]),
        config(),
        PlanOptions(),
        previous=sources([f"{SEED}/deployment-nginx.yaml"]),
    )
    text = render_markdown(report)
    assert "- change: refused\n" in text
    assert "**Outcome:** refused by the API server" in text
    assert "| STEP |" not in text
    assert "| refused by the API server | - | 3 | 3 | none | 1 error, 1 warning |" in text


def test_paused_plan_has_only_the_start_row() -> None:
    text = render_markdown(plan_report(f"{PLANS}/deployment-nginx-paused.yaml"))
    assert "| 0 | start | 3 | 0 | 3 | 3 | 0s |\n\n**Outcome:** paused" in text


def test_bare_replica_set_and_no_deployment() -> None:
    text = render_markdown(plan_report(f"{PLANS}/replicaset-bare.yaml"))
    assert "<summary>1 ReplicaSet</summary>" in text
    assert "no rollout: a ReplicaSet never rolls out. Its 3 pods keep the old template" in text
    assert "No Deployment to plan." in render_markdown(
        plan_report(f"{SEED}/service-clusterip.yaml")
    )


def test_diagram_is_a_fenced_block_when_asked() -> None:
    report = plan_report(*HELLO_BAD_IMAGE, new_pods=NewPods.NEVER_READY)
    assert "```text" not in render_markdown(report)
    assert "```text\n" in render_markdown(report, diagram=True)


def test_output_is_identical_between_runs() -> None:
    assert hello_never_ready() == hello_never_ready()


def render_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return parser.render(text)


def test_rendered_plan_table_keeps_placeholders_and_columns() -> None:
    html = render_html(hello_never_ready())
    assert ">create new ReplicaSet hello-server-&lt;new&gt; at 1</td>" in html
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    assert [row.count("<td") for row in rows] == [0, 8, 0, 5, 0, 7, 7]  # headers, then cells
    assert "<del>" not in html and "<s>" not in html


def test_rendered_cells_show_the_message_as_written() -> None:
    html = render_html(render_markdown(report_of(finding("a | b <i>x</i> ~c~ *d*\ne"))))
    assert "<td>spec.replica: a | b &lt;i&gt;x&lt;/i&gt; ~c~ *d*<br>e</td>" in html
