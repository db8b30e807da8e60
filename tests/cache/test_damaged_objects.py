"""An entry sealed with the user's key whose typed objects (the third part, decoded when first
read: the planner, the Service table and the neighbour relations read them) cannot be decoded
is a miss: the file is checked again, never a traceback (a faulty writer holding the key is
the only way to make one)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cache.test_result_cache import cached_count
from tests.cache.test_stored_positions import _resealed
from tests.conftest import FIXTURES, RunCli


def _objects_changed(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """A file's entry with its typed objects (the third part) changed; the cross-file
    results' entry (its first part is the apply units, a JSON object) as it was."""

    def changed(data: bytes) -> bytes:
        if not data.startswith(b"["):
            return data
        head, typed, objects, *rest = data.split(b"\n")
        return b"\n".join([head, typed, change(objects), *rest])

    return changed


DAMAGES = {
    "not-the-codec": lambda objects: b"not objects",
    "cut": lambda objects: objects[: len(objects) // 2],
    "empty": lambda objects: b"",
}


@pytest.mark.parametrize("command", ["check", "plan", "services"])
@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_undecodable_typed_objects_are_a_miss(
    run_cli: RunCli,
    tmp_path: Path,
    private_result_cache: Path,
    command: str,
    damage: str,
) -> None:
    """fixtures/cluster/manifests: a Deployment with an autoscaler, a quota, a LimitRange and a
    budget (the neighbour relations read every file's objects); five files, so the cross-file
    results are not stored and each run works them out from the files' results."""
    cache = tmp_path / "cache"
    tree = FIXTURES / "cluster" / "manifests"
    fresh = run_cli(command, "-v", "--format", "json", "--cache-dir", cache, tree)
    _resealed(cache, private_result_cache, _objects_changed(DAMAGES[damage]))
    warm = run_cli(command, "-v", "--format", "json", "--cache-dir", cache, tree)
    assert "Traceback" not in warm.stderr
    assert (warm.exit_code, warm.stdout) == (fresh.exit_code, fresh.stdout)
    assert cached_count(warm.stderr) == (5, 5)  # read from the cache, then checked again
    again = run_cli(command, "-v", "--format", "json", "--cache-dir", cache, tree)
    assert (again.exit_code, again.stdout) == (fresh.exit_code, fresh.stdout)


def _eight_files(tmp_path: Path) -> Path:
    """fixtures/cluster/manifests and three more Deployments: eight files, so the cross-file
    results are stored and a warm run reads no file's typed rows, only its objects (for the
    plans and JUnit's test cases; `services` then reads neither, so it is not run here: the
    test above covers it)."""
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "cluster" / "manifests", tree)
    deployment = (tree / "deployment.yaml").read_text(encoding="utf-8")
    for name in ("api", "worker", "admin"):
        text = deployment.replace("cart", name).replace("  replicas: 4\n", "  replicas: 2\n")
        (tree / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tree


@pytest.mark.parametrize(
    ("command", "options"),
    [("check", ()), ("plan", ()), ("lint", ("--format", "junit"))],
    ids=["check", "plan", "lint-junit"],
)
def test_undecodable_typed_objects_beside_stored_cross_file_results_are_a_miss(
    run_cli: RunCli,
    tmp_path: Path,
    private_result_cache: Path,
    command: str,
    options: tuple[str, ...],
) -> None:
    cache, tree = tmp_path / "cache", _eight_files(tmp_path)
    args = (command, "-v", *(options or ("--format", "json")), "--cache-dir", cache, tree)
    fresh = run_cli(*args)
    _resealed(cache, private_result_cache, _objects_changed(DAMAGES["cut"]))
    warm = run_cli(*args)
    assert "Traceback" not in warm.stderr
    assert (warm.exit_code, _timeless(warm.stdout)) == (fresh.exit_code, _timeless(fresh.stdout))
    assert cached_count(warm.stderr) == (8, 8)


def _timeless(text: str) -> str:
    """JUnit's time attributes vary from run to run."""
    return re.sub(r'time="[^"]*"', "", text)
