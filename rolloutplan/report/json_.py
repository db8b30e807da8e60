"""Machine-readable output: a versioned JSON document (shape documented in README)."""

from __future__ import annotations

from typing import Any

from rolloutplan import __version__
from rolloutplan.analysis.endpoints import by_plan
from rolloutplan.collect import NOT_OBJECTS
from rolloutplan.engine import Report
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.report.escape import json_text
from rolloutplan.report.plan_json import bare_replica_set_json, plan_json
from rolloutplan.report.services import services_json

SCHEMA_VERSION = 1


def render_json(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options: JSON always lists suppressed findings."""
    document: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "rolloutplan", "version": __version__},
        "findings": [_finding(finding, report) for finding in report.findings],
        "suppressed": [{**_finding(s.finding), "reason": s.reason} for s in report.suppressed],
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "checked": dict(sorted(report.checked.items())),
            "skipped": {k: n for k, n in sorted(report.skipped.items()) if k != NOT_OBJECTS},
            "notObjects": report.skipped.get(NOT_OBJECTS, 0),
            "excluded": report.excluded,
            **{severity.value: report.count(severity) for severity in Severity},
            "suppressed": len(report.suppressed),
        },
    }
    if report.compared:
        document["fixed"] = [_finding(finding) for finding in report.fixed]
        document["summary"]["baseline"] = {
            "new": len(report.findings) - len(report.unchanged),
            "unchanged": len(report.unchanged) + report.not_shown,
            "notShown": report.not_shown,
            "fixed": len(report.fixed),
        }
    if report.show_services:
        document["services"] = services_json(report.services)
    if report.planned:
        timelines_of = by_plan(report.endpoints)
        document["plans"] = [plan_json(plan, timelines_of(plan)) for plan in report.plans]
        document["bareReplicaSets"] = [bare_replica_set_json(rs) for rs in report.bare_replica_sets]
        document["deletedDeployments"] = [
            {"namespace": ref.namespace, "name": ref.name, "file": path}
            for ref, path in report.deleted
        ]
    return json_text(document)


def _finding(finding: Finding, report: Report | None = None) -> dict[str, Any]:
    """A finding; with ``report`` from a comparison (check --base), whether it is new."""
    obj = finding.obj
    loc = finding.location
    state: dict[str, str] = {}
    if report is not None and report.compared:
        state["baselineState"] = "unchanged" if finding in report.unchanged else "new"
    return {
        "rule": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "file": loc.path,
        "line": loc.line or None,
        "column": loc.column or None,
        "kind": obj.kind if obj else None,
        "namespace": obj.namespace if obj else None,
        "name": obj.name if obj else None,
        "field": finding.field_text or None,
        **state,
    }
