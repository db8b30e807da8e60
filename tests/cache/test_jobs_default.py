"""--jobs: by default as many processes as the CPUs this one may use, started only for 1 MB
or more to check (below that, starting them costs more than they save; see the README's
figures).  The processes share the chunks from one counter, a worker's results come back
whole or its chunks are checked by the parent, and the output never depends on --jobs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rolloutplan import batch
from rolloutplan.batch import CHUNK, PARALLEL_FROM
from tests.conftest import RunCli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks workers")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{i}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web{i}}}
  template:
    metadata:
      labels: {{app: web{i}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{{containerPort: 8080, name: http}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web{i}
spec:
  selector: {{app: web{i}}}
  ports: [{{port: 80, targetPort: htp}}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: blob{i}
data:
  blob: "{blob}"
"""


def write_files(folder: Path, files: int, total_bytes: int) -> Path:
    """``files`` files of ``total_bytes`` together, each with a finding (RP402: the
    Service's targetPort names no port of the containers)."""
    blob = "x" * (total_bytes // files)
    folder.mkdir(exist_ok=True)
    for i in range(files):
        (folder / f"m{i:03}.yaml").write_text(DEPLOYMENT.format(i=i, blob=blob))
    return folder


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The --jobs of every run that started workers."""
    started: list[int] = []
    in_parallel = batch._in_parallel

    def spy(work: Any, job: Any, store: Any, jobs: int, reporter: Any) -> Any:
        started.append(jobs)
        return in_parallel(work, job, store, jobs, reporter)

    monkeypatch.setattr(batch, "_in_parallel", spy)
    return started


def test_workers_by_default_for_large_inputs(
    run_cli: RunCli, tmp_path: Path, spied: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_files(tmp_path, 2 * CHUNK + 1, PARALLEL_FROM + 10_000)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    many = run_cli("lint", "--no-cache", "--format", "json", folder)
    assert spied == [3]
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    assert spied == [3]
    assert many.stdout == one.stdout and many.exit_code == one.exit_code == 1
    assert many.stdout.count('"RP402"') == 2 * CHUNK + 1


def test_small_inputs_stay_in_one_process(
    run_cli: RunCli, tmp_path: Path, spied: list[int]
) -> None:
    folder = write_files(tmp_path, 2 * CHUNK + 1, PARALLEL_FROM // 2)
    run_cli("lint", "--no-cache", "--jobs", "4", folder)
    assert spied == []


def test_the_processes_share_the_chunks(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process writes down the chunks it checked: every file is checked once, and the
    worker takes chunks while this process checks its own (a pool fed by a thread of the
    busy parent once left its worker idle for most of the run)."""
    folder = write_files(tmp_path / "in", 8 * CHUNK, PARALLEL_FROM + 10_000)
    journal = tmp_path / "journal"
    in_order = batch._in_order

    def recorded(work: Any, job: Any, store: Any, reporter: Any) -> Any:
        results = in_order(work, job, store, reporter)
        with journal.open("a") as out:
            out.write(f"{os.getpid()} {len(work)}\n")
        return results

    monkeypatch.setattr(batch, "_in_order", recorded)
    result = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "2", folder)
    lines = [line.split() for line in journal.read_text().splitlines()]
    assert sum(int(files) for _, files in lines) == 8 * CHUNK
    by_process = {pid for pid, _ in lines}
    assert str(os.getpid()) in by_process and len(by_process) == 2
    assert result.stdout.count('"RP402"') == 8 * CHUNK


def test_a_worker_that_ends_early_leaves_its_chunks_to_this_process(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_files(tmp_path, 3 * CHUNK, PARALLEL_FROM + 10_000)

    def killed(chunks: Any, job: Any, store: Any, counter: Any, *rest: Any) -> None:
        batch._next(counter)  # takes the first chunk and ends without sending it
        os._exit(1)

    monkeypatch.setattr(batch, "_work", killed)
    two = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "2", folder)
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    assert two.stdout == one.stdout and two.exit_code == one.exit_code == 1
    assert two.stdout.count('"RP402"') == 3 * CHUNK


@pytest.mark.parametrize(
    ("contents", "cpus"),
    [
        (["150000 100000\n"], 2),  # cgroup v2: 1.5 CPUs
        (["max 100000\n"], None),
        (["50000\n", "100000\n"], 1),  # cgroup v1: quota, period
        (["-1\n", "100000\n"], None),
        (["garbage"], None),
        (["0 0"], None),
    ],
)
def test_a_containers_cpu_quota_bounds_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, contents: list[str], cpus: int | None
) -> None:
    names = []
    for i, content in enumerate(contents):
        (tmp_path / f"f{i}").write_text(content)
        names.append(str(tmp_path / f"f{i}"))
    monkeypatch.setattr(batch, "CPU_QUOTA_FILES", ((str(tmp_path / "missing"),), tuple(names)))
    assert batch.cpu_quota() == cpus
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert batch.default_jobs() == (batch.MAX_DEFAULT_JOBS if cpus is None else cpus)


def test_a_worker_killed_after_sending_some_chunks_leaves_the_rest_to_this_process(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker sends each chunk as it is checked: the chunks it sent are kept (with their
    entries, which this process stores), the ones it took after are checked here."""
    folder = write_files(tmp_path / "in", 6 * CHUNK, PARALLEL_FROM + 10_000)
    put = batch._Outbox.put

    def put_then_die(outbox: Any, message: bytes) -> None:
        put(outbox, message)
        batch._next(counters[0])  # takes another chunk and ends without checking it
        os._exit(1)

    counters: list[Any] = []
    check_chunks = batch._check_chunks

    def remembered(chunks: Any, job: Any, store: Any, counter: Any, *rest: Any) -> None:
        counters.append(counter)
        check_chunks(chunks, job, store, counter, *rest)

    monkeypatch.setattr(batch._Outbox, "put", put_then_die)
    monkeypatch.setattr(batch, "_check_chunks", remembered)
    cache = str(tmp_path / "cache")
    two = run_cli("lint", "--format", "json", "--cache-dir", cache, "--jobs", "2", folder)
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    assert two.stdout == one.stdout and two.exit_code == one.exit_code == 1
    warm = run_cli("lint", "-v", "--format", "json", "--cache-dir", cache, folder)
    assert f"{6 * CHUNK} of {6 * CHUNK} files from the cache" in warm.stderr
    assert warm.stdout == one.stdout


def test_results_that_do_not_fit_the_pipe_are_sent_at_the_end(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message larger than the room left in the pipe waits until the worker's chunks run
    out (it never waits for this process to read); with no room, all of them do."""
    folder = write_files(tmp_path / "in", 6 * CHUNK, PARALLEL_FROM + 10_000)
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    for room in (0, 5_000):
        monkeypatch.setattr(batch, "_widened", lambda descriptor, room=room: room)
        cache = str(tmp_path / f"cache{room}")
        two = run_cli("lint", "--format", "json", "--cache-dir", cache, "--jobs", "2", folder)
        assert two.stdout == one.stdout and two.exit_code == one.exit_code == 1
        warm = run_cli("lint", "-v", "--format", "json", "--cache-dir", cache, folder)
        assert f"{6 * CHUNK} of {6 * CHUNK} files from the cache" in warm.stderr


# The CLI with every worker failing at once: a worker's stderr is the run's own file
# descriptor 2 only in a real process (CliRunner's capture does not reach forked children)
FAILING_WORKERS = """\
import sys
import rolloutplan.batch as batch
def broken(*args):
    raise BrokenPipeError("the pipe broke")
batch._check_chunks = broken
from rolloutplan.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_worker_that_fails_ends_quietly_and_its_chunks_are_checked_again(
    run_cli: RunCli, tmp_path: Path
) -> None:
    folder = write_files(tmp_path, 3 * CHUNK, PARALLEL_FROM + 10_000)
    command = [sys.executable, "-c", FAILING_WORKERS, "lint", "--no-cache", "--format", "json"]
    two = subprocess.run([*command, "--jobs", "2", str(folder)], capture_output=True, text=True)
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    assert two.stdout == one.stdout and two.returncode == one.exit_code == 1
    assert "Traceback" not in two.stderr and "BrokenPipeError" not in two.stderr


def test_no_more_workers_than_chunks_and_none_past_the_systems_limits(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 64 over 3 chunks starts 2 workers; a worker that cannot be started (out of
    processes or file descriptors) leaves the work to those that were, without a traceback."""
    folder = write_files(tmp_path, 3 * CHUNK, PARALLEL_FROM + 10_000)
    started = batch._started
    calls: list[int] = []
    failing = False

    def limited(*args: Any) -> Any:
        calls.append(1)
        if failing and len(calls) > 1:
            raise OSError(24, "Too many open files")
        return started(*args)

    monkeypatch.setattr(batch, "_started", limited)
    one = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "1", folder)
    many = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "64", folder)
    assert len(calls) == 2  # 3 chunks: this process and 2 workers
    calls.clear()
    failing = True
    short = run_cli("lint", "--no-cache", "--format", "json", "--jobs", "3", folder)
    assert len(calls) == 2  # the second failed: the run went on with one worker
    assert many.stdout == short.stdout == one.stdout
    assert many.exit_code == short.exit_code == one.exit_code == 1
