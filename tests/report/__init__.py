"""Helpers for the reporter tests: Reports built from fixture files, and golden files.

Sources are named by their path relative to the repository (``fixtures/seed/...``), as a
user in the repository would pass them, so that outputs and golden files hold no absolute
path.  ``ROLLOUTPLAN_UPDATE_GOLDEN=1 pytest tests/report`` rewrites the golden files; read
the diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from rolloutplan import engine
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.model.source import FieldPath, Location, SourceText
from rolloutplan.planner.plan import PlanOptions
from rolloutplan.planner.simulate import NewPods
from rolloutplan.validate.schemas import newest_version
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
SEED = "fixtures/seed"
PLANS = "fixtures/plans"
BAD = "fixtures/bad"
WAIVER = "fixtures/rules/invalid-suppression/pass-waiver.yaml"
# bad inputs of several kinds, a waived finding and a missing path: the lint golden files' input
LINT_INPUTS = (f"{BAD}/typo-field.yaml", WAIVER, f"{BAD}/missing.yaml", f"{BAD}/syntax-error.yaml")
HELLO_BAD_IMAGE = (
    f"{SEED}/deployment-hello-server-bad-image.yaml",
    f"{SEED}/service-clusterip.yaml",
)
HELLO_RUNNING = (f"{SEED}/deployment-hello-server.yaml",)  # what bad-image replaces


def sources(paths: Sequence[str]) -> list[SourceText | engine.UnreadablePath]:
    """Read repository-relative paths; a missing one becomes an UnreadablePath, as in the CLI."""
    read: list[SourceText | engine.UnreadablePath] = []
    for path in paths:
        file = ROOT / path
        if file.is_file():
            read.append(SourceText(path, file.read_bytes()))
        else:
            read.append(engine.UnreadablePath(path, "no such file or directory"))
    return read


def config() -> engine.Config:
    return engine.Config(newest_version())


def lint_report(*paths: str) -> engine.Report:
    return engine.run(sources(paths), config())


def plan_report(
    *paths: str, new_pods: NewPods = NewPods.READY, previous: Sequence[str] | None = None
) -> engine.Report:
    before = None if previous is None else sources(previous)
    return engine.plan(sources(paths), config(), PlanOptions(new_pods), before)


WEB = ObjectRef("Deployment", "default", "web")


def finding(
    message: str,
    *,
    path: str = "deploy.yaml",
    line: int = 3,
    column: int = 5,
    rule_id: str = "RP102",
    severity: Severity = Severity.ERROR,
    obj: ObjectRef | None = WEB,
    field: FieldPath = ("spec", "replica"),
) -> Finding:
    """A hand-made finding, for escaping and mapping tests."""
    return Finding(rule_id, severity, message, Location(path, line, column), obj, field)


def report_of(*findings: Finding, suppressed: Sequence[engine.Suppressed] = ()) -> engine.Report:
    files = len({f.location.path for f in findings}) or 1
    return engine.Report(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        objects=(),
        files=files,
        documents=files,
        suppressed=tuple(suppressed),
    )


def assert_golden(name: str, text: str) -> None:
    """``text`` equals tests/golden/``name`` (rewritten with ROLLOUTPLAN_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if os.environ.get("ROLLOUTPLAN_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    expected = _read(path)
    assert text == expected, f"{name} differs; ROLLOUTPLAN_UPDATE_GOLDEN=1 rewrites it"


def _read(path: Path) -> str:
    assert path.is_file(), f"{path} is missing; ROLLOUTPLAN_UPDATE_GOLDEN=1 writes it"
    return path.read_bytes().decode("utf-8")
