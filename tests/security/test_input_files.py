"""Only regular files are read, each within a size limit, and nothing under a directory is
lost silently: FIFOs, devices, links out of the tree, unreadable and linked directories."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolloutplan import inputs
from tests.conftest import FIXTURES, RunCli

DEPLOYMENT = FIXTURES / "plans" / "deployment-nginx-4-replicas.yaml"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of blocking forever (the FIFO case, before the fix)."""

    def fail(*_: object) -> None:
        raise TimeoutError("rolloutplan blocked on its input")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def unreadable(output: str) -> dict[str, str]:
    """path -> message of each RP012 finding in text output."""
    found = {}
    for line in output.splitlines():
        path, sep, message = line.partition(": error RP012 ")
        if sep:
            found[path] = message
    return found


def manifests(root: Path) -> Path:
    (root / "deploy").mkdir()
    (root / "deploy" / "web.yaml").write_bytes(DEPLOYMENT.read_bytes())
    return root / "deploy"


def test_a_fifo_found_while_walking_is_reported_not_waited_on(
    run_cli: RunCli, in_tmp: Path, no_hang: None
) -> None:
    deploy = manifests(in_tmp)
    os.mkfifo(deploy / "pipe.yaml")
    result = run_cli("lint", "deploy")
    assert result.exit_code == 2
    assert unreadable(result.stdout) == {
        "deploy/pipe.yaml": "not a regular file but a named pipe (FIFO); not read"
    }
    assert "1 object checked" in result.stdout  # web.yaml beside it still checked


def test_a_fifo_named_explicitly_is_reported(run_cli: RunCli, in_tmp: Path, no_hang: None) -> None:
    os.mkfifo(in_tmp / "pipe.yaml")
    result = run_cli("lint", "pipe.yaml", DEPLOYMENT)
    assert result.exit_code == 2
    assert "pipe.yaml" in unreadable(result.stdout)


def test_devices_are_never_read(run_cli: RunCli, in_tmp: Path) -> None:
    (in_tmp / "zero.yaml").symlink_to("/dev/zero")
    result = run_cli("lint", "zero.yaml", "/dev/zero", "/dev/null")
    assert result.exit_code == 2
    assert unreadable(result.stdout) == {
        "zero.yaml": "not a regular file but a character device; not read",
        "/dev/zero": "not a regular file but a character device; not read",
        "/dev/null": "not a regular file but a character device; not read",
    }


def test_links_out_of_the_tree_found_while_walking_are_not_followed(
    run_cli: RunCli, in_tmp: Path
) -> None:
    deploy = manifests(in_tmp)
    (deploy / "zero.yaml").symlink_to("/dev/zero")  # git stores symlinks like this one
    (deploy / "etc").symlink_to("/etc")
    result = run_cli("lint", "deploy")
    assert result.exit_code == 2
    assert set(unreadable(result.stdout)) == {"deploy/etc", "deploy/zero.yaml"}
    assert "not followed" in unreadable(result.stdout)["deploy/etc"]


def test_a_file_over_the_size_limit_is_reported_not_read(
    run_cli: RunCli, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 1000)
    (in_tmp / "big.yaml").write_bytes(DEPLOYMENT.read_bytes() + b"#" * 1000)
    result = run_cli("lint", "big.yaml", DEPLOYMENT)
    assert result.exit_code == 2
    assert "big.yaml" in unreadable(result.stdout)
    assert "the limit for one input" in unreadable(result.stdout)["big.yaml"]


def test_standard_input_is_bounded_too(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 1000)
    result = run_cli("lint", "-", stdin=b"# padding\n" * 200)
    assert result.exit_code == 2
    assert "<stdin>" in unreadable(result.stdout)
    small = run_cli("lint", "-", stdin=DEPLOYMENT.read_bytes()[:900] + b"\n")
    assert "<stdin>" not in unreadable(small.stdout)


def test_an_unreadable_directory_is_reported(
    run_cli: RunCli, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy = manifests(in_tmp)
    (deploy / "secret").mkdir()
    (deploy / "secret" / "api.yaml").write_bytes(DEPLOYMENT.read_bytes())
    real_scandir = os.scandir

    def scandir(path: str) -> object:  # root reads a chmod 000 directory: refuse it here
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(inputs.os, "scandir", scandir)
    result = run_cli("lint", "deploy")
    assert result.exit_code == 2
    assert unreadable(result.stdout) == {
        "deploy/secret": "cannot read directory: Permission denied"
    }
    assert "1 object checked" in result.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a directory whatever its mode")
def test_an_unreadable_directory_is_reported_without_a_stub(run_cli: RunCli, in_tmp: Path) -> None:
    deploy = manifests(in_tmp)
    (deploy / "secret").mkdir(mode=0)
    try:
        result = run_cli("lint", "deploy")
    finally:
        (deploy / "secret").chmod(0o755)
    assert result.exit_code == 2
    assert "deploy/secret" in unreadable(result.stdout)


def test_linked_directories_are_followed_once(run_cli: RunCli, in_tmp: Path) -> None:
    deploy = manifests(in_tmp)
    (in_tmp / "shared").mkdir()
    (in_tmp / "shared" / "api.yaml").write_text(
        DEPLOYMENT.read_text().replace("nginx-deployment", "api")
    )
    (deploy / "shared").symlink_to("../shared")
    (deploy / "again").symlink_to("../shared")  # the same directory: read once
    (deploy / "loop").symlink_to(".")  # a loop ends
    result = run_cli("lint", "--format", "json", "deploy")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == 2
    assert document["summary"]["checked"] == {"Deployment": 2}
    assert {f["file"] for f in document["findings"]} == {
        "deploy/shared/api.yaml",
        "deploy/web.yaml",
    }


def test_a_dangling_link_is_reported(run_cli: RunCli, in_tmp: Path) -> None:
    deploy = manifests(in_tmp)
    (deploy / "gone.yaml").symlink_to("missing.yaml")
    result = run_cli("lint", "deploy")
    assert result.exit_code == 2
    assert unreadable(result.stdout) == {
        "deploy/gone.yaml": "cannot read: a symbolic link to a missing file"
    }
