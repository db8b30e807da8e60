"""SARIF 2.1.0: valid against the official schema, one result per finding, stable bytes.

Golden file: tests/golden/lint.sarif (read and checked by hand: three rules sorted by id,
the unreadable path without a region, the waived finding with its inSource suppression).
The schema is vendored in tests/data/ (see tests/data/README.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rolloutplan import __version__, engine
from rolloutplan.baseline import fingerprint
from rolloutplan.engine import Suppressed
from rolloutplan.model.finding import Finding, Severity
from rolloutplan.planner.simulate import NewPods
from rolloutplan.report.sarif import artifact_location, render_sarif
from rolloutplan.rules import REGISTRY
from tests.ci.test_check_git import deployment, git
from tests.conftest import ROOT, RunCli
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
# jsonschema checks "uri" and "uri-reference" only with an extra package: jsonschema_rs's
URI_REFERENCE = jsonschema_rs.validator_for(
    {"type": "string", "format": "uri-reference"}, validate_formats=True
)
URI = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
URI_FORMATS = jsonschema.FormatChecker([])
URI_FORMATS.checks("uri-reference")(URI_REFERENCE.is_valid)
URI_FORMATS.checks("uri")(URI.is_valid)
FINGERPRINT_KEYS = {"rolloutplan/v1", "primaryLocationLineHash"}
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


def assert_valid_with_formats(document: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=URI_FORMATS).validate(document)


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
    assert_valid_with_formats(document)
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


def test_stdin_is_a_valid_uri_reference_described_as_standard_input(run_cli: RunCli) -> None:
    manifest = (ROOT / BAD / "typo-field.yaml").read_text(encoding="utf-8")
    result = run_cli("lint", "--format", "sarif", "-", stdin=manifest)
    document = json.loads(result.stdout)
    assert_valid_with_formats(document)
    (location,) = document["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "%3Cstdin%3E",
        "description": {"text": "standard input"},
    }


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("deploy/web.yaml", "deploy/web.yaml"),
        ("deploy/my app.yaml", "deploy/my%20app.yaml"),
        ("deploy/#1.yaml", "deploy/%231.yaml"),
        ("deploy/100%.yaml", "deploy/100%25.yaml"),
        ("deploy/café.yaml", "deploy/caf%C3%A9.yaml"),
        ("c:web.yaml", "c%3Aweb.yaml"),  # not the scheme c:
        ("../other/web.yaml", "../other/web.yaml"),
        ("deploy/\udcff.yaml", "deploy/%FF.yaml"),  # an undecodable byte of a file name
        ("/srv/my app/café.yaml", "file:///srv/my%20app/caf%C3%A9.yaml"),
    ],
)
def test_artifact_uris_are_percent_encoded_references(path: str, uri: str) -> None:
    document = sarif(report_of(finding("m", path=path)))
    assert_valid_with_formats(document)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": uri}


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1))
def test_any_relative_path_is_a_uri_reference_that_decodes_to_it(name: str) -> None:
    path = name.lstrip("/")
    assume(path and path != "<stdin>")
    uri = artifact_location(path)["uri"]
    assert URI_REFERENCE.is_valid(uri)
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
    assert unquote(uri, errors="strict") == path


def test_every_result_carries_the_stable_identity_as_fingerprints() -> None:
    first = finding("m", line=3)
    moved = finding("m", line=30)  # the same finding after lines were added above it
    (before,) = results(report_of(first))
    (after,) = results(report_of(moved))
    digest = fingerprint(first)
    assert before["partialFingerprints"] == {
        "rolloutplan/v1": digest,
        "primaryLocationLineHash": f"{digest}:1",
    }
    assert after["partialFingerprints"] == before["partialFingerprints"]


def test_results_sharing_an_identity_keep_distinct_line_hashes() -> None:
    report = report_of(finding("m", line=3), finding("m", line=9))
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results(report)]
    digest = fingerprint(finding("m"))
    assert hashes == [f"{digest}:1", f"{digest}:2"]


def test_every_result_of_a_real_run_has_fingerprints() -> None:
    found = results(lint_report(*LINT))
    assert found and all(set(r["partialFingerprints"]) == FINGERPRINT_KEYS for r in found)
    assert "baselineState" not in found[0]  # no --base: no comparison to state


def compared(new: list[Finding], unchanged: list[Finding], fixed: list[Finding]) -> engine.Report:
    report = report_of(*new, *unchanged)
    return replace(report, compared=True, unchanged=frozenset(unchanged), fixed=tuple(fixed))


def test_with_base_results_are_new_or_unchanged_and_fixed_ones_absent() -> None:
    new = finding("introduced", line=3)
    old = finding("was there", line=7, rule_id="RP301", severity=Severity.WARNING)
    gone = finding("gone", line=12, rule_id="RP205", path="deploy/old.yaml")
    document = sarif(compared([new], [old], [gone]))
    assert_valid_with_formats(document)
    run = document["runs"][0]
    states = [(r["ruleId"], r["baselineState"]) for r in run["results"]]
    assert states == [("RP102", "new"), ("RP301", "unchanged"), ("RP205", "absent")]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["RP102", "RP205", "RP301"]
    absent = run["results"][2]
    assert run["tool"]["driver"]["rules"][absent["ruleIndex"]]["id"] == "RP205"
    # a record of the fix that no consumer can turn into an open alert
    assert (absent["kind"], absent["level"]) == ("pass", "none")
    assert "locations" not in absent
    assert absent["partialFingerprints"] == {"rolloutplan/v1": fingerprint(gone)}
    assert absent["message"]["text"].startswith("fixed (was at deploy/old.yaml:12 at the base")


def test_fixed_findings_are_left_out_when_no_comparison_ran() -> None:
    report = replace(report_of(finding("m")), fixed=(finding("gone", rule_id="RP205"),))
    assert [r["ruleId"] for r in results(report)] == ["RP102"]


def test_a_rule_only_suppressed_is_still_listed() -> None:
    report = report_of(suppressed=[Suppressed(finding("m", rule_id="RP301"), "known")])
    run = sarif(report)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["RP301"]
    assert run["results"][0]["ruleIndex"] == 0


def test_output_is_byte_identical_between_runs() -> None:
    paths = (*LINT, *HELLO_BAD_IMAGE)
    assert render_sarif(plan_report(*paths)) == render_sarif(plan_report(*paths))


def test_the_format_check_does_reject_a_raw_path() -> None:
    document = sarif(report_of(finding("m")))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["artifactLocation"]["uri"] = "deploy/my app.yaml"
    with pytest.raises(jsonschema.ValidationError):
        assert_valid_with_formats(document)


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


def test_check_base_marks_new_unchanged_and_fixed_results(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a real repository: api's untagged image is fixed, web's is new, worker's stays."""
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    (deploy / "web.yaml").write_text(deployment("web"))
    (deploy / "api.yaml").write_text(untagged("api"))
    (deploy / "worker.yaml").write_text(untagged("worker"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    (deploy / "web.yaml").write_text(untagged("web"))
    (deploy / "api.yaml").write_text(deployment("api"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "sarif", "--base", "HEAD", "--all", "deploy")
    assert result.exit_code == 0  # RP302 is a warning
    document = json.loads(result.stdout)
    assert_valid_with_formats(document)
    untagged_images = [r for r in document["runs"][0]["results"] if r["ruleId"] == "RP302"]
    assert [r["baselineState"] for r in untagged_images] == ["new", "unchanged", "absent"]
    assert [uri_of(r) for r in untagged_images[:2]] == ["deploy/web.yaml", "deploy/worker.yaml"]
    assert "locations" not in untagged_images[2]
    assert untagged_images[2]["message"]["text"].startswith("fixed (was at deploy/api.yaml:")


def untagged(name: str) -> str:
    return deployment(name).replace(":1.0.0", "")


def uri_of(result: dict[str, Any]) -> str:
    uri: str = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    return uri
