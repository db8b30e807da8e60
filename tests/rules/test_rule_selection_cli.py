"""Choosing rules: --select, --ignore, --severity, the config file, and waiver annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, RunCli

TYPO = FIXTURES / "bad" / "typo-field.yaml"  # RP102 twice, RP101 once
WAIVED = FIXTURES / "rules" / "invalid-suppression" / "pass-waiver.yaml"


def rules_of(stdout: str) -> list[str]:
    return [f["rule"] for f in json.loads(stdout)["findings"]]


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty folder, so no config file above the repository applies."""
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(here)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["RP102", "RP101", "RP102"]),
        (("--select", "RP102"), ["RP102", "RP102"]),
        (("--select", "unknown-field"), ["RP102", "RP102"]),
        (("--select", "RP1"), ["RP102", "RP101", "RP102"]),
        (("--ignore", "RP102"), ["RP101"]),
        (("--ignore", "schema-violation,unknown-field"), []),
        # the longest match wins: select the block, ignore one rule in it, and the reverse
        (("--select", "RP1", "--ignore", "RP101"), ["RP102", "RP102"]),
        (("--ignore", "RP1", "--select", "RP101"), ["RP101"]),
        (("--select", "RP0"), []),
    ],
)
def test_select_and_ignore(
    run_cli: RunCli, in_tmp: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    result = run_cli("lint", "--format", "json", *args, TYPO)
    assert rules_of(result.stdout) == expected
    assert result.exit_code == (1 if expected else 0)


def test_unknown_rule_in_select_is_a_usage_error(run_cli: RunCli, in_tmp: Path) -> None:
    result = run_cli("lint", "--select", "RP9x", TYPO)
    assert result.exit_code == 2
    assert "unknown rule or rule prefix 'RP9x'" in result.stderr


def test_severity_override_changes_the_exit_code(run_cli: RunCli, in_tmp: Path) -> None:
    args = ("--severity", "RP102=warning", "--severity", "schema-violation=info")
    result = run_cli("lint", "--format", "json", *args, TYPO)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [
        ("RP102", "warning"), ("RP101", "info"), ("RP102", "warning"),
    ]  # fmt: skip
    assert result.exit_code == 0
    assert run_cli("lint", *args, "--fail-on", "warning", TYPO).exit_code == 1


@pytest.mark.parametrize("bad", ["RP102", "RP102=fatal", "nosuchrule=error"])
def test_bad_severity_override_is_a_usage_error(run_cli: RunCli, in_tmp: Path, bad: str) -> None:
    assert run_cli("lint", "--severity", bad, TYPO).exit_code == 2


def test_config_file_is_found_from_a_subfolder(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / ".rolloutplan.yaml").write_text(
        "ignore: [RP101]\nseverity:\n  unknown-field: warning\nfail-on: warning\n"
    )
    sub = in_tmp / "deploy" / "prod"
    sub.mkdir(parents=True)
    os.chdir(sub)
    result = run_cli("lint", "--format", "json", TYPO)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("RP102", "warning")] * 2
    assert result.exit_code == 1  # fail-on warning from the config
    # the command line wins over the file
    assert run_cli("lint", "--fail-on", "error", TYPO).exit_code == 0


def test_pyproject_tool_table_is_a_config(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.rolloutplan]\nselect = ["RP101"]\n'
        'kubernetes-version = "1.33"\n'
    )
    result = run_cli("lint", "--format", "json", FIXTURES / "versions" / "hostname-override.yaml")
    assert rules_of(result.stdout) == []  # RP102 in 1.33, but only RP101 is selected
    result = run_cli("lint", "--format", "json", TYPO)
    assert rules_of(result.stdout) == ["RP101"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("selct: [RP1]\n", "unknown setting 'selct'"),
        ("fail-on: fatal\n", "'fail-on' must be one of error, warning, info"),
        ("select: [RP9999]\n", "unknown rule or rule prefix 'RP9999'"),
        ("kubernetes-version: '1.2'\n", "Kubernetes version '1.2' is not supported"),
        ("severity: [RP101]\n", "'severity' must map rule ids or names to levels"),
        ("strict-kinds: maybe\n", "'strict-kinds' must be true or false"),
        ("select: [\n", "YAML syntax error"),
        ("- a\n- b\n", "the config must be a mapping of settings"),
    ],
)
def test_invalid_config_is_a_usage_error_naming_the_file(
    run_cli: RunCli, in_tmp: Path, content: str, message: str
) -> None:
    (in_tmp / ".rolloutplan.yaml").write_text(content)
    result = run_cli("lint", TYPO)
    assert result.exit_code == 2
    assert ".rolloutplan.yaml" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_explicit_config_path(run_cli: RunCli, in_tmp: Path) -> None:
    config = in_tmp / "lint.yaml"
    config.write_text("ignore: [RP1]\n")
    assert run_cli("lint", "--config", config, TYPO).exit_code == 0
    assert run_cli("lint", "--config", in_tmp / "missing.yaml", TYPO).exit_code == 2


def test_waiver_annotation_suppresses_and_is_counted(run_cli: RunCli, in_tmp: Path) -> None:
    result = run_cli("lint", WAIVED)
    assert result.exit_code == 0
    assert result.stdout.endswith("0 errors, 0 warnings, 0 info; 1 suppressed.\n")
    verbose = run_cli("lint", "--verbose", WAIVED)
    assert "RP102 spec.x-team: unknown field" in verbose.stdout
    assert "(suppressed: x-team is read by our admission webhook)" in verbose.stdout
    document = json.loads(run_cli("lint", "--format", "json", WAIVED).stdout)
    assert [s["reason"] for s in document["suppressed"]] == [
        "x-team is read by our admission webhook"
    ]
    assert document["summary"]["suppressed"] == 1


def test_no_suppressions_reports_waived_findings(run_cli: RunCli, in_tmp: Path) -> None:
    result = run_cli("lint", "--no-suppressions", "--format", "json", WAIVED)
    assert result.exit_code == 1
    assert rules_of(result.stdout) == ["RP102"]
    (in_tmp / ".rolloutplan.yaml").write_text("suppressions: false\n")
    assert run_cli("lint", WAIVED).exit_code == 1
