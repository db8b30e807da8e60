"""The realistic benchmark corpus: findings at its rates, none with --clean, and the same
documents for the same seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, RunCli

GENERATOR = ROOT / "benchmarks" / "realistic_corpus.py"


def generate(out: Path, *options: str) -> None:
    command = [sys.executable, str(GENERATOR), str(out), "--documents", "400", *options]
    subprocess.run(command, check=True, capture_output=True)


def test_clean_corpus_has_no_findings_and_the_default_has_cross_file_ones(
    tmp_path: Path, run_cli: RunCli
) -> None:
    generate(tmp_path / "clean", "--clean")
    generate(tmp_path / "default")
    clean = run_cli("lint", "--no-cache", "--format", "json", tmp_path / "clean")
    assert clean.exit_code == 0
    assert json.loads(clean.stdout)["findings"] == []
    default = run_cli("lint", "--no-cache", "--format", "json", tmp_path / "default")
    rules = {finding["rule"] for finding in json.loads(default.stdout)["findings"]}
    assert {"RP307", "RP402", "RP406"} <= rules


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", "--seed", "7")
    generate(tmp_path / "b", "--seed", "7")

    def contents(folder: Path) -> dict[Path, bytes]:
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*.yaml")}

    assert contents(tmp_path / "a") == contents(tmp_path / "b")
