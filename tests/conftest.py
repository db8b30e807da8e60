from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from rolloutplan.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def private_result_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test starts with an empty result cache of its own, never the user's."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ROLLOUTPLAN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def run_cli() -> RunCli:
    """Invoke the CLI in-process; bugs raise instead of hiding in ``result.exception``."""

    def run(*args: str | Path, stdin: str | bytes | None = None) -> Result:
        runner = CliRunner()
        result = runner.invoke(cli, [str(a) for a in args], input=stdin, catch_exceptions=False)
        print(f"exit {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
        return result

    return run


# Property and fuzz tests run a short budget by default (CI); set HYPOTHESIS_PROFILE=fuzz for
# the long run the README describes.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("fuzz", max_examples=5_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
