"""The README's set-up commands, .ci/run and the installed entry points agree."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from rolloutplan import __version__
from tests.conftest import ROOT, RunCli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP_COMMANDS = re.findall(r"```sh\n(python3 -m venv .*)\n```", README)


def test_readme_has_the_two_set_up_commands() -> None:
    main_job, tests = SETUP_COMMANDS
    assert "pip install . && .venv/bin/rolloutplan lint fixtures/" in main_job
    assert tests.endswith("pip install -e '.[test]' && .venv/bin/python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert """pip" install --quiet -e '.[test]' && "$venv/bin/python" -m pytest""" in ci
    assert "set -euo pipefail" in ci


def test_readme_main_job_is_clean_on_the_bundled_fixtures(run_cli: RunCli) -> None:
    main_job = SETUP_COMMANDS[0]
    lint_args = shlex.split(main_job.split(".venv/bin/rolloutplan ", 1)[1])
    result = run_cli(*lint_args[:1], *(ROOT / arg for arg in lint_args[1:]))
    assert result.exit_code == 0, result.stdout
    assert "0 errors" in result.stdout


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rolloutplan", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout == f"rolloutplan, version {__version__}\n"


def test_every_package_is_listed_for_the_wheel() -> None:
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "rolloutplan").rglob("__init__.py")
    }
    assert on_disk | {"rolloutplan.schemas"} == listed


@pytest.mark.parametrize("command", ["plan", "services"])
def test_readme_console_examples_are_real_output(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    block = README.split(f"```console\n$ rolloutplan {command} ", 1)[1].split("```", 1)[0]
    arguments, expected = block.split("\n", 1)
    monkeypatch.chdir(ROOT)
    result = run_cli(command, *shlex.split(arguments))
    assert result.stdout == expected
