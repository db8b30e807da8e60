"""Processes that open the cache's database at once (the workers of a --jobs run that
creates it) all store their entries."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from rolloutplan.cache import _TABLE, DATABASE
from tests.cache.test_result_cache import SEED, cached_count
from tests.conftest import RunCli


def test_a_database_another_process_is_writing_is_waited_for(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching a database to write-ahead logging fails at once, without waiting, while
    another connection writes it: one in four --jobs runs that created the cache lost the
    entries of one of its processes (half of them)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    writer = sqlite3.connect(cache / DATABASE, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(_TABLE)  # as another rolloutplan process creates it
    waits: list[float] = []

    def wait(seconds: float) -> None:  # the other process finishes while this one waits
        waits.append(seconds)
        if writer.in_transaction:
            writer.execute("COMMIT")

    manifest = SEED / "deployment-nginx.yaml"
    with monkeypatch.context() as patch:
        patch.setattr(time, "sleep", wait)
        run_cli("lint", "--cache-dir", cache, manifest)
    writer.close()
    assert waits
    warm = run_cli("lint", "-v", "--cache-dir", cache, manifest)
    assert cached_count(warm.stderr) == (1, 1)
