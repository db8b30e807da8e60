"""The stored form keeps each kept document's position index after the rows, outside the
JSON the rows are read from: a warm run places cross-file findings as a cold one does, and
an entry whose parts do not add up is a miss (sealed or not)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rolloutplan.cache import DATABASE, KEY_FILE, ResultCache
from rolloutplan.tally import _HEAD, _TYPED_ROWS
from tests.cache.test_result_cache import cached_count
from tests.conftest import RunCli

# A Service whose named targetPort no container declares (RP402, at its targetPort) and two
# Deployments whose selectors overlap (RP307, at each selector): findings placed after the
# files are checked, with the positions kept from their parse.
APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
              name: http
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: https
"""
CANARY = APP.split("---")[0].replace("name: web\nspec", "name: web-canary\nspec")
FILES = {"app.yaml": APP, "canary.yaml": CANARY}


def _tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name, text in FILES.items():
        (tree / name).write_text(text)
    return tree


def _rows(cache: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache / DATABASE) as connection:
        rows: list[tuple[str, bytes]] = connection.execute(
            "SELECT key, blob FROM entries"
        ).fetchall()
    connection.close()
    return rows


def _user_cache(cache: Path, private_result_cache: Path) -> ResultCache:
    return ResultCache(cache, "salt", (private_result_cache / KEY_FILE).read_bytes())


def _resealed(cache: Path, private_result_cache: Path, change: object) -> None:
    """Every entry's data changed by ``change`` and sealed again with the user's key, as an
    entry written by a faulty version would be."""
    user = _user_cache(cache, private_result_cache)
    rows = []
    for key, blob in _rows(cache):
        data = user._opened(key, blob)
        assert data is not None
        new = change(data)  # type: ignore[operator]
        rows.append((user._seal(key, new) + new, key))
    with sqlite3.connect(cache / DATABASE) as connection:
        connection.executemany("UPDATE entries SET blob = ? WHERE key = ?", rows)
    connection.close()


def _lint(run_cli: RunCli, *args: str | Path) -> tuple[int, str, str]:
    result = run_cli("lint", "-v", "--format", "json", *args)
    return result.exit_code, result.stdout, result.stderr


def test_positions_are_stored_after_the_rows_and_place_warm_findings(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path
) -> None:
    tree, cache = _tree(tmp_path), tmp_path / "cache"
    cold = run_cli("lint", "--format", "json", "--no-cache", tree)
    assert '"RP402"' in cold.stdout and '"RP307"' in cold.stdout
    run_cli("lint", "--cache-dir", cache, tree)
    user = _user_cache(cache, private_result_cache)
    parts = sorted(len(user._opened(k, b).split(b"\n")) for k, b in _rows(cache))  # type: ignore[union-attr]
    assert parts == [4, 5]  # rows, typed rows, objects, then one index per kept document
    code, stdout, stderr = _lint(run_cli, "--cache-dir", cache, tree)
    assert (code, stdout, cached_count(stderr)) == (cold.exit_code, cold.stdout, (2, 2))


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.rpartition(b"\n")[0],  # the last position index left out
        lambda data: data + b"\n[]",  # one more than the rows name
        lambda data: data.partition(b"\n")[0],  # the rows alone
        lambda data: data.replace(b"\n", b" ", 1),  # rows and objects run together
    ],
    ids=["index-missing", "index-extra", "rows-only", "no-separator"],
)
def test_an_entry_whose_parts_do_not_add_up_is_a_miss(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path, change: object
) -> None:
    tree, cache = _tree(tmp_path), tmp_path / "cache"
    fresh = _lint(run_cli, "--cache-dir", cache, tree)
    _resealed(cache, private_result_cache, change)
    code, stdout, stderr = _lint(run_cli, "--cache-dir", cache, tree)
    assert (code, stdout, cached_count(stderr)) == (*fresh[:2], (0, 2))


def test_a_damaged_position_index_only_costs_a_parse(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path
) -> None:
    """An index is decoded only when a finding is placed with it: one that cannot be read
    places the finding from the file's text instead, at the same line and column."""
    tree, cache = _tree(tmp_path), tmp_path / "cache"
    fresh = _lint(run_cli, "--cache-dir", cache, tree)

    def cut(data: bytes) -> bytes:
        head, objects, *texts = data.split(b"\n")
        return b"\n".join([head, objects, *(text[: len(text) // 2] for text in texts)])

    _resealed(cache, private_result_cache, cut)
    code, stdout, stderr = _lint(run_cli, "--cache-dir", cache, tree)
    assert (code, stdout, cached_count(stderr)) == (*fresh[:2], (2, 2))


def _head_changed(change: Callable[[list[Any]], None]) -> Callable[[bytes], bytes]:
    """An entry's rows changed by ``change`` (the JSON head, before the first newline)."""

    def changed(data: bytes) -> bytes:
        head, newline, rest = data.partition(b"\n")
        rows = json.loads(head)
        change(rows)
        return json.dumps(rows, separators=(",", ":")).encode() + newline + rest

    return changed


def _typed_changed(change: Callable[[list[Any]], None]) -> Callable[[bytes], bytes]:
    """An entry's typed rows (what the cross-file analyses read, the second part) changed."""

    def changed(data: bytes) -> bytes:
        head, typed, rest = data.split(b"\n", 2)
        rows = json.loads(typed)
        change(rows)
        return b"\n".join([head, json.dumps(rows, separators=(",", ":")).encode(), rest])

    return changed


def _pod_sources(column: int, value: object) -> Callable[[bytes], bytes]:
    def change(rows: list[Any]) -> None:
        for source in rows[_TYPED_ROWS.index("pod_sources")]:
            source[column] = value

    return _typed_changed(change)


@pytest.mark.parametrize(
    "change",
    [
        _head_changed(lambda rows: rows[_HEAD.index("checked")].update(Deployment="1")),
        _head_changed(lambda rows: rows[_HEAD.index("skipped")].update(ConfigMap=None)),
        _pod_sources(5, [1, {"a": 2}]),  # controller keys that are not text
        _pod_sources(6, ["http", None]),  # mentioned ports that are not numbers
    ],
    ids=["count-text", "count-null", "controller-keys", "mentioned-ports"],
)
def test_an_entry_with_values_of_the_wrong_type_is_a_miss(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path, change: Any
) -> None:
    """Sealed with the user's key but holding what no version wrote (a faulty writer): a
    miss, never a failure later in the run or a wrong result."""
    tree, cache = _tree(tmp_path), tmp_path / "cache"
    fresh = _lint(run_cli, "--cache-dir", cache, tree)
    _resealed(cache, private_result_cache, change)
    code, stdout, stderr = _lint(run_cli, "--cache-dir", cache, tree)
    assert (code, stdout, cached_count(stderr)) == (*fresh[:2], (0, 2))
    assert "Traceback" not in stderr
