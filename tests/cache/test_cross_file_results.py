"""The cross-file stage's results (selector overlaps, Service reachability, duplicates, the
apply units) are kept in the cache with the files' own: a run whose inputs are all unchanged
reads them instead of analysing again, and any input they depend on changes their key, so
a warm run always prints what a run without the cache prints."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from rolloutplan import collect
from rolloutplan.cache import DATABASE, KEY_FILE, ResultCache
from tests.conftest import RunCli
from tests.units.layouts import deployment, service

# Two environments (so two apply units), each with a canary whose selector overlaps the
# app's (RP307), a Service whose targetPort no container names (RP402), a true duplicate
# (RP407), a waived finding, and files shared by both units.
TREE = {
    "apps/prod/web.yaml": deployment() + "---\n" + service(),
    "apps/prod/canary.yaml": deployment(name="web-canary"),
    "apps/prod/api.yaml": service(name="api", app="api", target="grpc"),
    "apps/prod/api-app.yaml": deployment(name="api", app="api"),
    "apps/staging/web.yaml": deployment(replicas=1) + "---\n" + service(),
    "apps/staging/canary.yaml": deployment(name="web-canary"),
    "apps/staging/again.yaml": deployment(replicas=3),
    "apps/staging/api.yaml": service(name="api", app="api", target="grpc").replace(
        "  name: api\n",
        "  name: api\n  annotations:\n    rolloutplan.io/ignore-target-port-not-found: known\n",
    ),
    "apps/staging/api-app.yaml": deployment(name="api", app="api"),
    "apps/shared.yaml": service(name="shared", app="web"),
}
CHANGES: dict[str, Callable[[Path], list[str]]] = {}


def _change(function: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    CHANGES[function.__name__] = function
    return function


@_change
def nothing(tree: Path) -> list[str]:
    return []


@_change
def one_file_of_a_unit(tree: Path) -> list[str]:
    (tree / "apps/prod/canary.yaml").write_text(deployment(name="web-canary", app="canary"))
    return []


@_change
def a_file_removed(tree: Path) -> list[str]:
    (tree / "apps/staging/again.yaml").unlink()
    return []


@_change
def a_file_added(tree: Path) -> list[str]:
    (tree / "apps/prod/again.yaml").write_text(deployment(replicas=4))
    return []


@_change
def the_apply_units(tree: Path) -> list[str]:
    (tree / ".rolloutplan.yaml").write_text("units: [[apps/**]]\n")
    return []


@_change
def the_selection(tree: Path) -> list[str]:
    return ["--ignore", "RP307"]


@_change
def the_selection_with_another_severity(tree: Path) -> list[str]:
    return ["--select", "RP4", "--severity", "RP402=info"]


@_change
def no_waivers(tree: Path) -> list[str]:
    return ["--no-suppressions"]


@_change
def previous_manifests(tree: Path) -> list[str]:
    (tree / "before").mkdir()
    (tree / "before/web.yaml").write_text(deployment(app="old"))
    return ["--previous", "before"]


def _write(tree: Path) -> None:
    for name, text in TREE.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)


def _lint(run_cli: RunCli, *args: str) -> tuple[int, str]:
    result = run_cli("lint", "--format", "json", *args, "apps")
    return result.exit_code, result.stdout


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_warm_run_prints_what_a_run_without_the_cache_prints(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path)
    _lint(run_cli)  # fills the cache, the cross-file results included
    options = CHANGES[change](tmp_path)
    fresh = _lint(run_cli, "--no-cache", *options)
    assert '"RP4' in fresh[1] or "--select" not in options
    assert _lint(run_cli, *options) == fresh
    assert _lint(run_cli, *options) == fresh  # and once more, from what that run stored


def test_unchanged_inputs_are_not_analysed_again(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path)
    fresh = _lint(run_cli)
    assert all(f'"{rule}"' in fresh[1] for rule in ("RP307", "RP402", "RP407"))
    assert '"suppressed": 1' in fresh[1]  # the waived RP402, waived in the cross-file stage
    table = run_cli("services", "--format", "json", "apps").stdout  # its own results

    def unexpected(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(collect, "_cross_file", unexpected)
    monkeypatch.setattr(collect, "apply_units", unexpected)
    assert _lint(run_cli) == fresh
    assert run_cli("services", "--format", "json", "apps").stdout == table
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert table == run_cli("services", "--format", "json", "--no-cache", "apps").stdout


def _resealed(cache: Path, change: Callable[[bytes], bytes]) -> int:
    """The cross-file results changed by ``change`` and sealed again with the user's key, as
    a faulty version would write them; how many such entries there were."""
    user = ResultCache(cache, "salt", (cache / KEY_FILE).read_bytes())
    with sqlite3.connect(cache / DATABASE) as connection:
        rows = connection.execute("SELECT key, blob FROM entries").fetchall()
        changed = []
        for key, blob in rows:
            data = user._opened(key, blob)
            assert data is not None
            if data.split(b"\n", 1)[0].startswith(b'{"Units"'):
                new = change(data)
                assert new != data
                changed.append((user._seal(key, new) + new, key))
        connection.executemany("UPDATE entries SET blob = ? WHERE key = ?", changed)
    connection.close()
    return len(changed)


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data.replace(b'{"Unit":', b'{"Unix":', 1),
        lambda data: b"[]\n[]\n" + data.split(b"\n", 2)[2],
        lambda data: re.sub(rb"\n\[\[\d+,", b"\n[[99,", data, count=1),  # not in the run
        lambda data: data.replace(b'"Unit":["apps', b'"Unit":[7,["apps', 1),
    ],
    ids=["truncated", "not-a-unit", "empty", "file-out-of-range", "fields-of-another-shape"],
)
def test_damaged_cross_file_results_are_a_miss_or_never_read(
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    private_result_cache: Path,
    change: Callable[[bytes], bytes],
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path)
    fresh = _lint(run_cli, "--no-cache")
    _lint(run_cli)
    assert _resealed(private_result_cache, change) == 1
    for command in ("lint", "services", "check"):
        result = run_cli(command, "--format", "json", "apps")
        expected = run_cli(command, "--format", "json", "--no-cache", "apps")
        assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)
    assert _lint(run_cli) == fresh
