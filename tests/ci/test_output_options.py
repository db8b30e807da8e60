"""--format/--output pairs, --color, --quiet and the progress callback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rolloutplan import engine
from rolloutplan.model.source import SourceText
from rolloutplan.validate.schemas import newest_version
from tests.conftest import FIXTURES, RunCli

TYPO = FIXTURES / "bad" / "typo-field.yaml"


def test_several_formats_in_one_run(run_cli: RunCli, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run_cli("lint", "--format", "json", "--output", report, "--format", "text", TYPO)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{TYPO}:10:3: error RP102")
    assert [f["rule"] for f in json.loads(report.read_text())["findings"]] == [
        "RP102", "RP101", "RP102",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "json", "--format", "text"), "only one --format can go to standard output"),
        (("-o", "a.txt", "-o", "b.txt"), "more --output files than --format options"),
        (("--format", "json", "-o", "a", "--format", "text", "-o", "a"), "the same --output"),
    ],
)
def test_bad_format_and_output_pairs_are_usage_errors(
    run_cli: RunCli, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("lint", *args, TYPO)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unwritable_output_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("lint", "--format", "json", "-o", tmp_path / "no" / "dir.json", TYPO)
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_color_only_when_asked(run_cli: RunCli) -> None:
    plain = run_cli("lint", TYPO).stdout
    assert "\x1b[" not in plain  # not a terminal: auto means no colour
    colored = run_cli("lint", "--color", "always", TYPO).stdout
    assert "\x1b[31m\x1b[1merror\x1b[0m RP102" in colored
    assert run_cli("lint", "--color", "never", TYPO).stdout == plain


def test_quiet_prints_only_findings(run_cli: RunCli) -> None:
    result = run_cli("plan", "--quiet", FIXTURES / "seed" / "deployment-nginx.yaml")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and " RP301 " in lines[0]


def test_progress_is_reported_per_file() -> None:
    calls: list[tuple[int, int]] = []
    sources = [SourceText(str(p), p.read_bytes()) for p in sorted((FIXTURES / "seed").glob("*"))]
    config = engine.Config(
        newest_version(), progress=lambda done, total: calls.append((done, total))
    )
    engine.run(sources, config)
    assert calls == [(n, len(sources)) for n in range(1, len(sources) + 1)]


def test_every_format_the_cli_offers_has_a_reporter() -> None:
    from rolloutplan import cli, report

    assert cli.FORMATS == report.FORMATS
    assert all(callable(report.reporter(name)) for name in cli.FORMATS)
