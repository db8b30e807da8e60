"""Write faults: a full disk or an unwritable -o path is a message and exit 2, a closed pipe
ends the run quietly with 141, never a traceback; -o replaces its file whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rolloutplan import cli
from tests.conftest import FIXTURES, RunCli

BAD = FIXTURES / "bad" / "typo-field.yaml"  # one finding: exit 1 when all is written
CLEAN = FIXTURES / "seed" / "service-clusterip.yaml"
DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")


def rolloutplan(*args: str | Path, stdout: int) -> subprocess.CompletedProcess[bytes]:
    """The installed command in a process of its own, with ``stdout`` as its standard output."""
    command = [sys.executable, "-m", "rolloutplan", *map(str, args)]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, check=False)


@needs_dev_full
@pytest.mark.parametrize(
    "args", [("lint", BAD), ("plan", BAD), ("lint", "--format", "json", BAD), ("rules",)]
)
def test_a_full_disk_on_standard_output_is_a_message_and_exit_2(args: tuple[str, ...]) -> None:
    with DEV_FULL.open("wb") as full:
        result = rolloutplan(*args, stdout=full.fileno())
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "rolloutplan: cannot write standard output: No space left on device\n"
    )


@needs_dev_full
def test_a_full_disk_on_an_output_file_is_a_message_and_exit_2(run_cli: RunCli) -> None:
    result = run_cli("lint", "--format", "json", "-o", DEV_FULL, BAD)
    assert result.exit_code == 2
    assert result.stderr == "rolloutplan: cannot write /dev/full: No space left on device\n"
    assert stat.S_ISCHR(DEV_FULL.stat().st_mode)  # a device is written in place, not replaced


@pytest.mark.parametrize("args", [("lint", BAD), ("check", BAD), ("rules",), ("--help",)])
def test_a_closed_pipe_ends_the_run_quietly_with_141(args: tuple[str, ...]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written (| head, deterministic)
    try:
        result = rolloutplan(*args, stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (cli.EXIT_BROKEN_PIPE, b"")


def test_output_into_a_path_whose_parent_is_a_file_is_a_message(
    run_cli: RunCli, tmp_path: Path
) -> None:
    parent = tmp_path / "report"
    parent.write_text("a file\n")
    result = run_cli("lint", "--format", "json", "-o", parent / "x.json", BAD)
    assert result.exit_code == 2
    assert result.stderr == f"rolloutplan: cannot write {parent / 'x.json'}: Not a directory\n"
    assert parent.read_text() == "a file\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("the previous report\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cli.os, "fsync", full)  # the disk fills while the file is written
    result = run_cli("lint", "--format", "json", "-o", target, BAD)
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "No space left on device" in result.stderr
    assert target.read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_other_outputs_are_still_written(run_cli: RunCli, tmp_path: Path) -> None:
    good = tmp_path / "report.sarif"
    result = run_cli(
        "lint", "--format", "json", "--format", "sarif", "-o", tmp_path / "no" / "x.json",
        "-o", good, BAD,
    )  # fmt: skip
    assert result.exit_code == 2
    assert good.read_text().startswith("{")
    assert result.stdout == ""


def test_an_output_file_replaced_keeps_its_mode_and_a_new_one_gets_the_umask(
    run_cli: RunCli, tmp_path: Path
) -> None:
    existing = tmp_path / "old.json"
    existing.write_text("old\n")
    existing.chmod(0o640)
    new = tmp_path / "new.json"
    umask = os.umask(0o022)
    try:
        assert run_cli("lint", "--format", "json", "-o", existing, CLEAN).exit_code == 0
        assert run_cli("lint", "--format", "json", "-o", new, CLEAN).exit_code == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert existing.read_text().startswith("{")


def test_an_output_through_a_symlink_replaces_the_file_it_points_at(
    run_cli: RunCli, tmp_path: Path
) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run_cli("lint", "--format", "json", "-o", link, CLEAN).exit_code == 0
    assert link.is_symlink()
    assert real.read_text().startswith("{")


def test_a_standard_output_closed_from_the_start_is_a_message_and_exit_2() -> None:
    """`rolloutplan lint x >&-`: Python then has no sys.stdout at all."""
    command = [sys.executable, "-m", "rolloutplan", "lint", str(BAD)]
    result = subprocess.run(
        command, stderr=subprocess.PIPE, check=False, pass_fds=(), close_fds=True,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode().startswith("rolloutplan: cannot write standard output: ")
    assert "Traceback" not in result.stderr.decode()
