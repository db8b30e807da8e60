"""GitHub workflow commands: one annotation per finding, escaped as @actions/core escapes.

Golden file: tests/golden/lint.github (read and checked by hand: groups per file in path
order, the unreadable path without line and col, the waived finding absent, the summary
line last).
"""

from __future__ import annotations

import pytest

from rolloutplan.engine import Suppressed
from rolloutplan.model.finding import Severity
from rolloutplan.report.github import annotation, escape_data, escape_property, render_github
from tests.report import (
    BAD,
    HELLO_BAD_IMAGE,
    HELLO_RUNNING,
    LINT_INPUTS,
    assert_golden,
    finding,
    lint_report,
    plan_report,
    report_of,
)

LINT = LINT_INPUTS


def test_lint_output_matches_the_golden_file() -> None:
    assert_golden("lint.github", render_github(lint_report(*LINT)))


def test_annotation_has_file_line_col_and_rule_title() -> None:
    lines = render_github(lint_report(f"{BAD}/typo-field.yaml")).splitlines()
    assert lines[1] == (
        f"::error file={BAD}/typo-field.yaml,line=10,col=3,title=RP102 unknown-field::"
        'spec.replica: unknown field "replica" (did you mean "replicas"?) [Deployment default/web]'
    )


def test_whole_file_finding_has_no_line_or_col() -> None:
    lines = render_github(lint_report(f"{BAD}/missing.yaml")).splitlines()
    assert lines[:3] == [
        f"::group::{BAD}/missing.yaml",
        f"::error file={BAD}/missing.yaml,title=RP012 unreadable-path::no such file or directory",
        "::endgroup::",
    ]


def test_message_and_properties_are_escaped_as_actions_core_does() -> None:
    bad = finding(
        "100% sure:\r\nline two, still",
        path="dir,with:colon/50%.yaml",
        field=(),
        obj=None,
    )
    assert annotation(bad) == (
        "::error file=dir%2Cwith%3Acolon/50%25.yaml,line=3,col=5,title=RP102 unknown-field::"
        "100%25 sure:%0D%0Aline two, still"
    )


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("a%b", "a%25b", "a%25b"),
        ("a\rb\nc", "a%0Db%0Ac", "a%0Db%0Ac"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),  # an escape sequence in the input stays literal
    ],
)
def test_escape_functions_follow_command_ts(text: str, data: str, prop: str) -> None:
    assert (escape_data(text), escape_property(text)) == (data, prop)


def test_group_names_are_escaped_too() -> None:
    output = render_github(report_of(finding("m", path="a\nb.yaml")))
    assert output.splitlines()[0] == "::group::a%0Ab.yaml"


def test_severities_map_to_error_warning_and_notice() -> None:
    report = report_of(
        finding("e", line=1),
        finding("w", line=2, severity=Severity.WARNING),
        finding("i", line=3, severity=Severity.INFO),
    )
    commands = [line.split(" ", 1)[0] for line in render_github(report).splitlines()[1:4]]
    assert commands == ["::error", "::warning", "::notice"]


def test_one_group_per_file_and_the_summary_line_last() -> None:
    lines = render_github(lint_report(*LINT)).splitlines()
    assert [line for line in lines if line.startswith("::group::")] == [
        f"::group::{BAD}/missing.yaml",
        f"::group::{BAD}/syntax-error.yaml",
        f"::group::{BAD}/typo-field.yaml",
    ]
    assert lines.count("::endgroup::") == 3
    assert lines[-1] == (
        "4 files, 3 objects checked (Deployment 2, Service 1). "
        "5 errors, 0 warnings, 0 info; 1 suppressed."
    )


def test_suppressed_findings_are_not_annotated() -> None:
    report = report_of(suppressed=[Suppressed(finding("waived"), "reason")])
    assert render_github(report, verbose=True) == (
        "1 file, 0 objects checked. 0 errors, 0 warnings, 0 info; 1 suppressed.\n"
    )


def test_plan_findings_are_annotated_and_the_output_is_stable() -> None:
    first = render_github(plan_report(*HELLO_BAD_IMAGE, previous=HELLO_RUNNING))
    assert first == render_github(plan_report(*HELLO_BAD_IMAGE, previous=HELLO_RUNNING))
    assert "::warning file=fixtures/seed/deployment-hello-server-bad-image.yaml,line=23" in first
    assert "::notice file=fixtures/seed/service-clusterip.yaml,line=8,col=3" in first
