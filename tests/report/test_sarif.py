"""SARIF 2.1.0: valid against the official schema, one result per finding, stable bytes.

Golden file: tests/golden/lint.sarif (read and checked by hand: three rules sorted by id,
the unreadable path without a region, the waived finding with its inSource suppression).
The schema is vendored in tests/data/ (see tests/data/README.md).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonschema
import pytest

from rolloutplan import __version__
from rolloutplan.engine import Suppressed
from rolloutplan.model.finding import Severity
from rolloutplan.planner.simulate import NewPods
from rolloutplan.report.sarif import render_sarif
from rolloutplan.rules import REGISTRY
from tests.conftest import ROOT
from tests.report import (
    BAD,
    HELLO_BAD_IMAGE,
    PLANS,
    SEED,
    WAIVER,
    assert_golden,
    finding,
    lint_report,
    plan_report,
    report_of,
)

SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_bytes())
LINT = (f"{BAD}/typo-field.yaml", WAIVER, f"{BAD}/missing.yaml")
BAD_FILES = (
    "syntax-error.yaml",
    "duplicate-key.yaml",
    "binary.yaml",
    "not-utf8.yaml",
    "empty.yaml",
    "missing-kind.yaml",
    "string-containerport.yaml",
)


def sarif(report: Any) -> dict[str, Any]:
    return json.loads(render_sarif(report))


def results(report: Any) -> list[dict[str, Any]]:
    return sarif(report)["runs"][0]["results"]


@pytest.mark.parametrize(
    "report",
    [
        pytest.param(lambda: lint_report(*LINT), id="lint"),
        pytest.param(lambda: lint_report(*(f"{BAD}/{n}" for n in BAD_FILES)), id="bad-files"),
        pytest.param(
            lambda: plan_report(*HELLO_BAD_IMAGE, new_pods=NewPods.NEVER_READY), id="plan"
        ),
        pytest.param(lambda: plan_report(f"{PLANS}/hello-server-recreate.yaml"), id="recreate"),
        pytest.param(lambda: lint_report(f"{SEED}/deployment-nginx.yaml"), id="clean"),
    ],
)
def test_output_is_valid_against_the_sarif_2_1_0_schema(report: Any) -> None:
    document = sarif(report())
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(document)
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert document["version"] == "2.1.0"


def test_lint_output_matches_the_golden_file() -> None:
    text = render_sarif(lint_report(*LINT))
    # the tool version is not part of what the golden file pins
    assert_golden("lint.sarif", text.replace(f'"version": "{__version__}"', '"version": "X"'))


def test_whole_file_finding_has_no_region_rather_than_a_fake_line_1() -> None:
    (result,) = results(lint_report(f"{BAD}/missing.yaml"))
    assert result["ruleId"] == "RP012"
    assert result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": f"{BAD}/missing.yaml"}}}
    ]


def test_located_finding_has_line_column_and_the_object_as_logical_location() -> None:
    first = results(lint_report(f"{BAD}/typo-field.yaml"))[0]
    assert first["ruleId"] == "RP102"
    assert first["message"]["text"].startswith('spec.replica: unknown field "replica"')
    (location,) = first["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": f"{BAD}/typo-field.yaml"},
        "region": {"startLine": 10, "startColumn": 3},
    }
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "Deployment/default/web", "kind": "object"}
    ]


def test_rules_are_the_distinct_rules_present_sorted_by_id_and_indexed_by_results() -> None:
    run = sarif(lint_report(*LINT))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["RP012", "RP101", "RP102"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_each_rule_carries_its_documentation_in_help_and_links_its_docs_section() -> None:
    (rule,) = sarif(lint_report(f"{BAD}/missing.yaml"))["runs"][0]["tool"]["driver"]["rules"]
    info = REGISTRY.by_id["RP012"]
    assert rule["name"] == "unreadable-path"
    assert rule["shortDescription"] == {"text": info.summary}
    assert rule["fullDescription"]["text"].startswith("Reports a path that does not exist")
    assert rule["help"] == {"text": info.doc, "markdown": info.doc}
    assert rule["helpUri"].endswith("/docs/rules.md#rp012-unreadable-path")
    assert rule["defaultConfiguration"] == {"level": "error"}
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "\n## RP012 unreadable-path\n" in docs  # the heading GitHub anchors as rp012-...


def test_severities_map_to_sarif_levels_and_info_becomes_note() -> None:
    report = report_of(
        finding("e", line=1),
        finding("w", line=2, severity=Severity.WARNING),
        finding("i", line=3, severity=Severity.INFO),
    )
    assert [r["level"] for r in results(report)] == ["error", "warning", "note"]


def test_suppressed_findings_are_results_with_an_in_source_suppression() -> None:
    waived = [r for r in results(lint_report(*LINT)) if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in waived] == [
        (
            "RP102",
            [{"kind": "inSource", "justification": "x-team is read by our admission webhook"}],
        )
    ]
    assert waived[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == WAIVER


def test_stdin_uri_is_kept_as_given() -> None:
    report = report_of(finding("m", path="<stdin>"))
    (result,) = results(report)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "<stdin>"


def test_a_rule_only_suppressed_is_still_listed() -> None:
    report = report_of(suppressed=[Suppressed(finding("m", rule_id="RP301"), "known")])
    run = sarif(report)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["RP301"]
    assert run["results"][0]["ruleIndex"] == 0


def test_output_is_byte_identical_between_runs() -> None:
    paths = (*LINT, *HELLO_BAD_IMAGE)
    assert render_sarif(plan_report(*paths)) == render_sarif(plan_report(*paths))


def test_the_vendored_schema_does_reject_a_broken_log() -> None:
    document = sarif(lint_report(f"{BAD}/typo-field.yaml"))
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {
        "startLine": 0
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SARIF_SCHEMA).validate(document)


def test_the_vendored_schema_is_the_recorded_file() -> None:
    data = (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_bytes()
    recorded = (ROOT / "tests" / "data" / "README.md").read_text(encoding="utf-8")
    assert f"`{hashlib.sha256(data).hexdigest()}`" in recorded
    assert SARIF_SCHEMA["$id"].endswith("/sarif-spec/master/Schemata/sarif-schema-2.1.0.json")
