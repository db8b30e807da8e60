"""SARIF 2.1.0 for code-scanning tools: one run, the rules that fired, one result a finding.

GitHub shows ``help`` but hides ``helpUri``, so each rule repeats its documentation in
``help.text`` and ``help.markdown``.  A finding about a whole file (line 0, such as an
unreadable path) gets no region: a made-up line 1 would point at text that is not at fault.
Text is JSON-escaped as escape.json_text does (the values unchanged).
"""

from __future__ import annotations

from typing import Any

from rolloutplan import __version__
from rolloutplan.engine import Report
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.report.escape import json_text
from rolloutplan.rules import REGISTRY, RuleInfo

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rolloutplan/rolloutplan"
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options: suppressed findings are always results,
    marked with their ``suppressions``."""
    entries = [(f, None) for f in report.findings]
    entries += [(s.finding, s.reason) for s in report.suppressed]
    entries.sort(key=lambda entry: (entry[0].sort_key(), entry[1] is not None))
    rules = [REGISTRY.by_id[rule_id] for rule_id in sorted({f.rule_id for f, _ in entries})]
    index = {rule.id: number for number, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule_id], reason) for f, reason in entries],
            }
        ],
    }
    return json_text(document)


def rule_help_uri(rule: RuleInfo) -> str:
    """The rule's section of docs/rules.md (the anchors rules_doc.py writes)."""
    return f"{RULES_DOC_URI}#{rule.id.lower()}-{rule.name}"


def _driver(rules: list[RuleInfo]) -> dict[str, Any]:
    return {
        "name": "rolloutplan",
        "version": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule) for rule in rules],
    }


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(rule)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": rule_help_uri(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _what_it_does(rule: RuleInfo) -> str:
    """The doc's first section, without its heading (the summary if there is none)."""
    sections = rule.doc.split("\n## ")
    heading, _, body = sections[0].partition("\n")
    return body.strip() if heading.startswith("## What it does") and body.strip() else rule.summary


def _result(finding: Finding, rule_index: int, reason: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_location(finding)],
    }
    if reason is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": reason}]
    return result


def _message(finding: Finding) -> str:
    field = finding.field_text
    return f"{field}: {finding.message}" if field else finding.message


def _location(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path}}
    if loc.line > 0:
        physical["region"] = {"startLine": loc.line}
        if loc.column > 0:
            physical["region"]["startColumn"] = loc.column
    location: dict[str, Any] = {"physicalLocation": physical}
    if finding.obj is not None:
        obj = finding.obj
        location["logicalLocations"] = [
            {"fullyQualifiedName": f"{obj.kind}/{obj.namespace}/{obj.name}", "kind": "object"}
        ]
    return location
