"""Issue 11's closing test: the same input gives the same bytes whatever the hash seed, the
order of the arguments, the number of processes, and whether the cache served it."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.security.test_cross_file import ANCHORED_PORTS

CORPUS = FIXTURES / "corpus"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The corpus (over 200 files, so that --jobs 2 uses a worker), the seed chapter, and a
    file whose anchors make findings tie on place, rule and message."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "anchored.yaml").write_text(ANCHORED_PORTS)
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert len(files) >= 200
    return [*files, *sorted((FIXTURES / "seed").glob("*.yaml")), folder / "anchored.yaml"]


def run(args: list[str | Path], *, seed: int, cwd: Path, cache: Path | None) -> tuple[int, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    command = [sys.executable, "-m", "rolloutplan", *map(str, [*args, *cache_args])]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    assert done.stderr == b"", done.stderr.decode()
    return done.returncode, done.stdout


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_same_bytes_across_seeds_orders_jobs_and_the_cache(
    inputs: list[Path], tmp_path: Path, output_format: str
) -> None:
    shuffled = random.Random(11)
    outputs = set()
    for round_ in range(10):
        order = list(inputs)
        if round_ % 2:  # five rounds in their own shuffled order, five in path order
            shuffled.shuffle(order)
        jobs = str(1 + round_ % 2)
        cache = tmp_path / "cache" if round_ % 3 else None  # cold, then warm, or none
        args: list[str | Path] = ["check", "--format", output_format, "--jobs", jobs, *order]
        outputs.add(run(args, seed=round_, cwd=tmp_path, cache=cache))
    assert len(outputs) == 1
    code, stdout = outputs.pop()
    assert code == 1 and b"RP219" in stdout
