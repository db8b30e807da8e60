"""Golden files for the text and JSON formats.

Golden files: tests/golden/lint.txt, lint.json, plan-hello-server-never-ready.txt and
plan-hello-server-never-ready.json (read and checked by hand: findings sorted by file and
position, the unreadable path without line and column, the waived finding counted and, in
JSON, listed with its reason; the plan with its bounds, the single creation step, the stall
at old 3 / new 1 with the kubectl columns, and the Service keeping 3 endpoints).
"""

from __future__ import annotations

from rolloutplan.planner.simulate import NewPods
from rolloutplan.report.json_ import render_json
from rolloutplan.report.text import render_text
from tests.report import (
    HELLO_BAD_IMAGE,
    LINT_INPUTS,
    assert_golden,
    lint_report,
    plan_report,
)

LINT = LINT_INPUTS


def test_lint_text() -> None:
    assert_golden("lint.txt", render_text(lint_report(*LINT)))


def test_lint_json() -> None:
    assert_golden("lint.json", render_json(lint_report(*LINT)))


def test_plan_text() -> None:
    report = plan_report(*HELLO_BAD_IMAGE, new_pods=NewPods.NEVER_READY)
    assert_golden("plan-hello-server-never-ready.txt", render_text(report))


def test_plan_json() -> None:
    report = plan_report(*HELLO_BAD_IMAGE, new_pods=NewPods.NEVER_READY)
    assert_golden("plan-hello-server-never-ready.json", render_json(report))
