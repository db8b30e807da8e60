"""JUnit XML for CI test reports: a test case per checked object, a failure per error or
warning about it.

Typed objects carry no file name, so an object's ``classname`` is the file of its findings
(one case per file when one name is used in several files); an object with no finding
anywhere gets ``classname="(not recorded)"``.  Findings about no object (a syntax
error, an unreadable path) form one test case per file.  Info findings are not failures:
they are listed in the case's ``system-out``, with suppressed findings.

Text from manifests is escaped as in text output (escape.shown): a control character, which
XML 1.0 cannot carry even as a reference, a lone surrogate or U+FFFE shows as ``\x1b`` and
the like.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from rolloutplan.engine import Report
from rolloutplan.model.finding import Finding, ObjectRef, Severity
from rolloutplan.report.escape import defuse_commands, shown

UNKNOWN_FILE = "(not recorded)"


@dataclass
class _Case:
    classname: str
    name: str
    failures: list[Finding] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


def render_junit(report: Report, *, diagram: bool = False, verbose: bool = False) -> str:
    """``diagram`` and ``verbose`` are text options."""
    cases = _cases(report)
    failures = sum(len(case.failures) for case in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "rolloutplan", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "rolloutplan", **counts, "skipped": "0"})
    for case in cases:
        suite.append(_testcase(case))
    ET.indent(root)
    body = defuse_commands(ET.tostring(root, "unicode"), colon="&#58;", hash_sign="&#35;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _cases(report: Report) -> list[_Case]:
    cases: dict[tuple[str, str], _Case] = {}
    for finding in report.findings:
        case = _case_of(finding, cases)
        if finding.severity is Severity.INFO:
            case.output.append(_line(finding))
        else:
            case.failures.append(finding)
    for s in report.suppressed:
        _case_of(s.finding, cases).output.append(f"{_line(s.finding)} (suppressed: {s.reason})")
    with_findings = {name for _, name in cases}
    for obj in report.objects:
        if obj.ref.kind == "Node":  # read for plans only: not checked, a skipped kind
            continue
        if _name(obj.ref) not in with_findings:
            cases.setdefault((UNKNOWN_FILE, _name(obj.ref)), _Case(UNKNOWN_FILE, _name(obj.ref)))
    return [cases[key] for key in sorted(cases)]


def _case_of(finding: Finding, cases: dict[tuple[str, str], _Case]) -> _Case:
    """The case of the finding's object in the finding's file, or of the file itself."""
    path = finding.location.path
    name = _name(finding.obj) if finding.obj else path
    return cases.setdefault((path, name), _Case(path, name))


def _name(ref: ObjectRef) -> str:
    return f"{ref.kind} {ref.namespace}/{ref.name}"


def _testcase(case: _Case) -> ET.Element:
    element = ET.Element("testcase", {"classname": shown(case.classname), "name": shown(case.name)})
    for finding in sorted(case.failures, key=Finding.sort_key):
        failure = ET.SubElement(
            element, "failure", {"type": finding.rule_id, "message": shown(finding.message)}
        )
        failure.text = shown(_line(finding))
    if case.output:
        lines = (shown(line) for line in sorted(case.output))
        ET.SubElement(element, "system-out").text = "\n".join(lines)
    return element


def _line(finding: Finding) -> str:
    """As the text format shows a finding, without the object (the test case names it)."""
    loc = finding.location
    where = f"{loc.path}:{loc.line}:{loc.column}" if loc.line else loc.path
    field_text = f" {finding.field_text}:" if finding.field else ""
    return f"{where}: {finding.severity.value} {finding.rule_id}{field_text} {finding.message}"
