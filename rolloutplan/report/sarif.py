"""SARIF 2.1.0 for code-scanning tools: one run, the rules that fired, one result a finding.

GitHub shows ``help`` but hides ``helpUri``, so each rule repeats its documentation in
``help.text`` and ``help.markdown``.  A finding about a whole file (line 0, such as an
unreadable path) gets no region: a made-up line 1 would point at text that is not at fault.
Text is JSON-escaped as escape.json_text does (the values unchanged).

Each result carries its stable identity (baseline.fingerprint: rule, file, field, object; no
line) twice in ``partialFingerprints``: under ``rolloutplan/v1``, the tool's own versioned key
as SARIF asks, and as ``primaryLocationLineHash``, the only key GitHub code scanning matches
alerts by (it computes one from the line's text when it is missing, which an edit nearby
changes).  After ``check --base``, ``baselineState`` says whether a result is new or was
already there, and each finding the change fixes is a result of state ``absent`` that cannot
become an alert: ``kind: pass`` with ``level: none`` (SARIF 3.27.9), no ``locations`` (its
line is the base revision's, and GitHub shows no result without a location) and no
``primaryLocationLineHash`` (so it cannot keep the old alert open).

Artifact URIs are URI references: a relative path percent-encoded byte by byte (spaces,
``#``, ``%``, ``:``, non-ASCII), an absolute path a ``file:`` URI, and standard input the
encoded ``<stdin>`` with a description saying what it is.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote_from_bytes

from rolloutplan import __version__
from rolloutplan.baseline import fingerprint
from rolloutplan.engine import Report
from rolloutplan.inputs import STDIN_NAME
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.report.escape import json_text
from rolloutplan.rules import REGISTRY, RuleInfo

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rolloutplan/rolloutplan"
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "rolloutplan/v1"
_URI_SAFE = b"/-._~!$&'()*+,;=@"  # RFC 3986 pchar but ':' (a first segment's ':' is a scheme)


def render_sarif(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options: suppressed findings are always results,
    marked with their ``suppressions``."""
    entries = [(f, None) for f in report.findings]
    entries += [(s.finding, s.reason) for s in report.suppressed]
    entries.sort(key=lambda entry: (entry[0].sort_key(), entry[1] is not None))
    fixed = sorted(report.fixed, key=Finding.sort_key) if report.compared else []
    rule_ids = {f.rule_id for f, _ in entries} | {f.rule_id for f in fixed}
    rules = [REGISTRY.by_id[rule_id] for rule_id in sorted(rule_ids)]
    index = {rule.id: number for number, rule in enumerate(rules)}
    occurrences: Counter[str] = Counter()
    results = []
    for finding, reason in entries:
        result = _result(finding, index[finding.rule_id], reason)
        digest = result["partialFingerprints"][FINGERPRINT_KEY]
        occurrences[digest] += 1  # two results of one identity stay two alerts
        result["partialFingerprints"]["primaryLocationLineHash"] = f"{digest}:{occurrences[digest]}"
        if report.compared:
            result["baselineState"] = "unchanged" if finding in report.unchanged else "new"
        results.append(result)
    results += [_absent(finding, index[finding.rule_id]) for finding in fixed]
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "columnKind": "unicodeCodePoints",
                "results": results,
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
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if reason is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": reason}]
    return result


def _absent(finding: Finding, rule_index: int) -> dict[str, Any]:
    """A finding at the base revision that the change removes: a record, never an alert."""
    loc = finding.location
    where = f"{loc.path}:{loc.line}" if loc.line > 0 else loc.path
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": "pass",
        "level": "none",
        "baselineState": "absent",
        "message": {"text": f"fixed (was at {where} at the base revision): {_message(finding)}"},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }


def _message(finding: Finding) -> str:
    field = finding.field_text
    return f"{field}: {finding.message}" if field else finding.message


def _location(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": artifact_location(loc.path)}
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


def artifact_location(path: str) -> dict[str, Any]:
    """A valid URI reference for a path as the report names it (see the module docstring)."""
    if path == STDIN_NAME:
        return {"uri": _encoded(path), "description": {"text": "standard input"}}
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + _encoded(path)}
    return {"uri": _encoded(path)}


def _encoded(path: str) -> str:
    """Percent-encoded UTF-8; a file name's undecodable bytes are its own bytes again."""
    try:
        data = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate no file name decodes to
        data = path.encode("utf-8", "surrogatepass")
    return quote_from_bytes(data, safe=_URI_SAFE)
