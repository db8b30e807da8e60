"""--jobs defaults to one process: on 2 cores, worker processes cost more CPU than they save
time (see the README's figures); they start only when --jobs asks for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rolloutplan import batch
from rolloutplan.batch import PARALLEL_FROM
from tests.conftest import RunCli


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    for i in range(PARALLEL_FROM + 1):
        (tmp_path / f"m{i:03}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
        )
    return tmp_path


def test_one_process_unless_jobs_asks_for_more(
    run_cli: RunCli, many_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    in_parallel = batch._in_parallel

    def spy(work: Any, job: Any, store: Any, jobs: int, reporter: Any) -> Any:
        started.append(jobs)
        return in_parallel(work, job, store, jobs, reporter)

    monkeypatch.setattr(batch, "_in_parallel", spy)
    one = run_cli("lint", "--no-cache", "--format", "json", many_files)
    assert started == []
    two = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "2", many_files)
    assert started == [2]
    assert one.stdout == two.stdout and one.exit_code == two.exit_code == 0
