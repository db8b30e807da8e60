"""The result cache finds a file by its resolved path and bytes, however the path is spelled
(relative, absolute, ./dir, dir/../dir, through a symbolic link to its directory), and the
output names the file as given this time, never as the run that stored it did."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cache.test_result_cache import FORMATS, SEED, cached_count
from tests.conftest import RunCli

FILES = 12  # in fixtures/seed


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed fixtures in ``dir``, the working directory its parent, with a
    symbolic link ``link`` to it."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEED, tmp_path / "dir")
    (tmp_path / "link").symlink_to("dir", target_is_directory=True)
    return tmp_path / "dir"


def _outputs(run_cli: RunCli, tmp_path: Path, *args: str | Path) -> list[str]:
    outputs = []
    for output_format in FORMATS:
        target = tmp_path / f"out.{output_format}"
        result = run_cli("check", "--format", output_format, "-o", target, *args)
        outputs.append(f"exit {result.exit_code}\n" + target.read_text())
    return outputs


@pytest.mark.parametrize("spelling", ["ABSOLUTE", "./dir", "dir/../dir", "link", "./link/"])
def test_another_spelling_of_the_path_is_a_hit_named_as_given(
    run_cli: RunCli, seed: Path, tmp_path: Path, spelling: str
) -> None:
    given = str(seed) if spelling == "ABSOLUTE" else spelling
    cache = ("--cache-dir", tmp_path / "cache", "--jobs", "1")
    assert cached_count(run_cli("lint", "-v", *cache, "dir").stderr) == (0, FILES)
    warm = run_cli("lint", "-v", *cache, given)
    assert cached_count(warm.stderr) == (FILES, FILES)
    cold = _outputs(run_cli, tmp_path, "--no-cache", given)
    assert _outputs(run_cli, tmp_path, *cache, given) == cold
    if spelling in ("ABSOLUTE", "link"):  # the others are tidied when read (as "dir")
        assert f"{given}/deployment-nginx.yaml:" in cold[0]
        assert "dir/deployment" not in cold[0].replace(f"{given}/", "")


def test_a_file_named_by_its_absolute_path_is_a_hit(run_cli: RunCli, seed: Path) -> None:
    cache = ("--cache-dir", seed.parent / "cache", "--jobs", "1")
    relative = "dir/deployment-nginx.yaml"
    run_cli("lint", *cache, relative)
    warm = run_cli("lint", "-v", *cache, seed / "deployment-nginx.yaml")
    assert cached_count(warm.stderr) == (1, 1)
    findings = [line for line in warm.stdout.splitlines() if " RP" in line]
    assert findings
    assert all(line.startswith(f"{seed / 'deployment-nginx.yaml'}:") for line in findings)


def test_findings_are_placed_in_the_file_as_given(
    run_cli: RunCli, seed: Path, tmp_path: Path
) -> None:
    """An entry with findings, waivers and the documents kept for later findings (a
    duplicate across files), stored under one spelling and read under another."""
    target = seed / "deployment-nginx.yaml"
    target.write_text(target.read_text().replace("replicas: 3", "replica: 3"))
    cache = ("--cache-dir", tmp_path / "cache", "--jobs", "1")
    run_cli("check", *cache, "dir")
    cold = _outputs(run_cli, tmp_path, "--no-cache", "link")
    assert "link/deployment-nginx.yaml:" in cold[0] and "RP102" in cold[0]
    assert _outputs(run_cli, tmp_path, *cache, "link") == cold


def test_with_previous_manifests_the_path_as_given_still_counts(
    run_cli: RunCli, seed: Path, tmp_path: Path
) -> None:
    """Which previous copy an object is compared with depends on its path as given, so a
    run with --previous is keyed by it too, and stays right under another spelling."""
    previous = ("--previous", SEED / "deployment-nginx-updated.yaml")
    cache = ("--cache-dir", tmp_path / "cache", "--jobs", "1")
    run_cli("lint", *cache, *previous, "dir")
    for given in ("dir", "link"):
        cold = _outputs(run_cli, tmp_path, "--no-cache", *previous, given)
        assert _outputs(run_cli, tmp_path, *cache, *previous, given) == cold
