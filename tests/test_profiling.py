"""`python -m cProfile -m rolloutplan ...` writes its profile: the command leaves through
os._exit() for speed, which would skip the profiler's write at exit."""

from __future__ import annotations

import pstats
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    ("target", "expected"), [(FIXTURES / "seed", 0), (FIXTURES / "bad" / "missing-kind.yaml", 1)]
)
def test_cprofile_writes_a_profile_and_keeps_the_exit_code(
    tmp_path: Path, target: Path, expected: int
) -> None:
    out = tmp_path / "lint.prof"
    command = ["-m", "rolloutplan", "lint", "-q", "--no-cache", str(target)]
    plain = subprocess.run([sys.executable, *command], capture_output=True, text=True)
    profiled = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), *command],
        capture_output=True,
        text=True,
    )
    assert plain.returncode == profiled.returncode == expected
    assert profiled.stdout == plain.stdout
    names = {function for _, _, function in pstats.Stats(str(out)).stats}  # type: ignore[attr-defined]
    assert "entry_point" in names
