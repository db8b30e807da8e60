"""What the command says on stderr, and how it exits, when its own settings are hostile or
broken: escaped like every output, a usage error (exit 2), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, RunCli

SEED = FIXTURES / "seed" / "deployment-nginx.yaml"


@pytest.mark.parametrize("where", [".rolloutplan.yaml", "pyproject.toml", "option"])
def test_a_port_range_of_4301_digits_is_a_usage_error(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    huge = "30000-" + "9" * 4301
    args: list[str | Path] = ["lint", SEED]
    if where == "option":
        args[1:1] = ["--service-node-port-range", huge]
    elif where == "pyproject.toml":
        Path(where).write_text(f'[tool.rolloutplan]\nservice-node-port-range = "{huge}"\n')
    else:
        Path(where).write_text(f"service-node-port-range: {huge}\n")
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "must look like 30000-32767" in result.stderr


def test_a_usage_error_quoting_a_value_is_escaped(run_cli: RunCli) -> None:
    result = run_cli("check", "--base", "x\n::error::INJ\x1b]0;T\x07", SEED)
    assert result.exit_code == 2
    assert not any(line.startswith("::") for line in result.stderr.splitlines())
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b" in result.stderr


def test_a_config_value_with_escapes_is_quoted_escaped(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text('namespace: "x\\n::error::INJ\\e[31m"\nfail-on: "\\e]0"\n')
    result = run_cli("lint", SEED)
    assert result.exit_code == 2
    assert not any(line.startswith("::") for line in result.stderr.splitlines())
    assert "\x1b" not in result.stderr


def test_a_config_file_of_any_size_is_refused_unread(run_cli: RunCli) -> None:
    result = run_cli("lint", "--config", "/dev/zero", SEED)
    assert result.exit_code == 2
    assert "/dev/zero: larger than 1024 KiB; not a config" in result.stderr


def test_a_usage_error_with_stderr_on_a_full_disk_still_exits_2() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "rolloutplan", "lint", "--bogus"], stderr=full, check=False
        )
    assert done.returncode == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "NOPE"], "Error: Invalid value for RULE: no rule 'NOPE'"),
        (["lint", "--jobs", "0", "x"], "Error: Invalid value for '-j' / '--jobs': 0 is not"),
    ],
)
def test_click_errors_name_the_parameter_once(args: list[str], message: str) -> None:
    """As the command runs: through main(), which escapes what click raises."""
    done = subprocess.run(
        [sys.executable, "-m", "rolloutplan", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.count("Invalid value for") == 1
