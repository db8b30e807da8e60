"""Worker processes (--jobs) end with the process that started them, even when it is killed
with SIGKILL: left alone they would wait for work forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from rolloutplan.batch import PARALLEL_FROM

T = TypeVar("T")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# The real CLI, with each file's check slowed down, so that the run is still going when the
# test kills it; with ``watch`` the kernel's parent-death signal is not asked for, which
# leaves the worker's own watch of its parent.
SCRIPT = """\
import sys, time
import rolloutplan.batch as batch
import rolloutplan.collect as collect
check = collect._check_file
collect._check_file = lambda *args: (time.sleep(0.05), check(*args))[1]
if sys.argv.pop(1) == "watch":
    batch._die_with_parent = lambda: None
from rolloutplan.cli import main
sys.exit(main(sys.argv[1:]))
"""


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (zombies count as ended)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for(condition: Callable[[], T], seconds: float = 20.0) -> T:
    """Poll ``condition`` until it gives something true; give up after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("how", ["prctl", "watch"])
@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_when_their_parent_is_killed(
    tmp_path: Path, how: str, kill: signal.Signals
) -> None:
    files = 200  # of 1 MB or more together: workers start
    blob = "x" * (PARALLEL_FROM // files + 1)
    for i in range(files):
        (tmp_path / f"m{i:03}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{b: {blob}}}\n"
        )
    command = [
        sys.executable,
        "-c",
        SCRIPT,
        how,
        "lint",
        "--jobs",
        "2",
        "--no-cache",
        str(tmp_path),
    ]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        workers = wait_for(lambda: children(run.pid))
        assert workers, "the run started no worker"
        os.kill(run.pid, kill)
        run.wait()
        wait_for(lambda: not alive(workers))
        assert not alive(workers)
    finally:
        run.kill()
        run.wait()
        for pid in alive(workers):  # only if the test failed: leave nothing behind
            os.kill(pid, signal.SIGKILL)
