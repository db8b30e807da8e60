"""JUnit XML: a test case per checked object, a failure per error or warning about it.

Golden file: tests/golden/lint.junit.xml (read and checked by hand: cases sorted by file
then name, the Service with no finding under "(not recorded)", the syntax error and the
unreadable path as cases named after their files, the waived finding in system-out).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rolloutplan.engine import Report, Suppressed
from rolloutplan.model.finding import Severity
from rolloutplan.report.junit import UNKNOWN_FILE, render_junit
from tests.report import (
    BAD,
    HELLO_BAD_IMAGE,
    HELLO_RUNNING,
    SEED,
    WAIVER,
    assert_golden,
    finding,
    lint_report,
    plan_report,
    report_of,
)

LINT = (
    f"{BAD}/typo-field.yaml",
    WAIVER,
    f"{BAD}/missing.yaml",
    f"{BAD}/syntax-error.yaml",
    f"{SEED}/deployment-hello-server.yaml",
    f"{SEED}/service-clusterip.yaml",
)


def suite(report: Report) -> ET.Element:
    root = ET.fromstring(render_junit(report))
    assert root.tag == "testsuites"
    (element,) = root
    assert element.tag == "testsuite" and element.get("name") == "rolloutplan"
    assert (root.get("tests"), root.get("failures")) == (
        element.get("tests"),
        element.get("failures"),
    )
    return element


def cases(report: Report) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname", ""), c.get("name", "")): c for c in suite(report)}


def test_lint_output_matches_the_golden_file() -> None:
    assert_golden("lint.junit.xml", render_junit(lint_report(*LINT)))


def test_one_case_per_object_and_one_per_file_for_findings_about_no_object() -> None:
    found = cases(lint_report(*LINT))
    assert sorted(found) == [
        (UNKNOWN_FILE, "Service default/hello-server-service"),
        (f"{BAD}/missing.yaml", f"{BAD}/missing.yaml"),
        (f"{BAD}/syntax-error.yaml", f"{BAD}/syntax-error.yaml"),
        (f"{BAD}/typo-field.yaml", "Deployment default/api"),
        (f"{BAD}/typo-field.yaml", "Deployment default/web"),
        (WAIVER, "Service default/web"),
        (f"{SEED}/deployment-hello-server.yaml", "Deployment default/hello-server"),
    ]


def test_errors_and_warnings_are_failures_with_rule_type_and_message() -> None:
    found = cases(lint_report(*LINT))
    api = found[(f"{BAD}/typo-field.yaml", "Deployment default/api")]
    failures = api.findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        ("RP101", 'required field "containers" is missing'),
        ("RP102", 'unknown field "contianers" (did you mean "containers"?)'),
    ]
    assert failures[0].text == (
        f"{BAD}/typo-field.yaml:38:5: error RP101 spec.template.spec.containers: "
        'required field "containers" is missing'
    )
    hello = found[(f"{SEED}/deployment-hello-server.yaml", "Deployment default/hello-server")]
    assert [f.get("type") for f in hello.findall("failure")] == ["RP301"]  # a warning


def test_suite_counts_tests_and_failures() -> None:
    element = suite(lint_report(*LINT))
    assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("7", "6", "0")


def test_info_findings_are_not_failures() -> None:
    # RP314 (info) on the Service: the image changes from the running version
    element = suite(plan_report(*HELLO_BAD_IMAGE, previous=HELLO_RUNNING))
    service = next(c for c in element if c.get("name") == "Service default/hello-server-service")
    assert service.findall("failure") == []
    assert "info RP314" in (service.findtext("system-out") or "")
    assert service.get("classname") == f"{SEED}/service-clusterip.yaml"
    assert element.get("failures") == "1"


def test_suppressed_findings_are_not_failures() -> None:
    report = report_of(suppressed=[Suppressed(finding("waived"), "known")])
    (case,) = suite(report)
    assert case.findall("failure") == []
    assert case.findtext("system-out", "").endswith("waived (suppressed: known)")


def test_characters_xml_forbids_are_shown_escaped() -> None:
    report = report_of(finding("bad \x00 byte\x1b[0m \ud800 \ufffe", severity=Severity.WARNING))
    (case,) = suite(report)
    (failure,) = case.findall("failure")
    assert failure.get("message") == "bad \\x00 byte\\x1b[0m \\ud800 \\ufffe"


def test_output_is_byte_identical_between_runs() -> None:
    assert render_junit(lint_report(*LINT)) == render_junit(lint_report(*LINT))


def test_one_name_in_two_files_gives_a_case_per_file() -> None:
    report = lint_report(HELLO_BAD_IMAGE[0], f"{SEED}/deployment-hello-server.yaml")
    assert sorted(cases(report)) == [
        (HELLO_BAD_IMAGE[0], "Deployment default/hello-server"),
        (f"{SEED}/deployment-hello-server.yaml", "Deployment default/hello-server"),
    ]
