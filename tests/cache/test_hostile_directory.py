"""A cache directory others can write (a CI workspace a pull request fills) costs at most
time: a database made to be slow, or files that are links, FIFOs or directories, turn the
cache off for the run (said with -v), and nothing is written outside the directory."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rolloutplan import cache
from rolloutplan.cache import _INDEX, _TABLE, DATABASE
from tests.cache.test_result_cache import SEED, cached_count
from tests.conftest import RunCli

MANIFEST = SEED / "deployment-nginx.yaml"
UNUSABLE = "rolloutplan: the result cache is off: "
# a trigger whose work grows as the cube of table `big`: 3,000 rows made each insert take
# about three minutes; the tests keep `big` small, and check that it never grew
SLOW_TRIGGER = (
    "CREATE TRIGGER slow AFTER INSERT ON entries BEGIN"
    " INSERT INTO big SELECT count(*) FROM big a, big b, big c; END"
)
OURS = (_TABLE, _INDEX)  # the tool's own schema


def _database(path: Path, *statements: str, big_rows: int = 0) -> None:
    """A database made by ``statements``, with a table ``big`` of ``big_rows`` rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as database:
        if big_rows:
            database.execute("CREATE TABLE big (x)")
            database.executemany("INSERT INTO big VALUES (?)", ((i,) for i in range(big_rows)))
        for statement in statements:
            database.execute(statement)
    database.close()


def _big_rows(path: Path) -> int:
    with sqlite3.connect(path) as database:
        (count,) = database.execute("SELECT count(*) FROM big").fetchone()
    database.close()
    return int(count)


def _same_as_without_cache(run_cli: RunCli, directory: Path) -> Result:
    """The -v run with the cache in ``directory``, checked against --no-cache."""
    result = run_cli("lint", "-v", "--cache-dir", directory, MANIFEST)
    plain = run_cli("lint", "--no-cache", MANIFEST)
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout)
    return result


def test_a_database_with_a_trigger_is_not_used(run_cli: RunCli, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    _database(directory / DATABASE, *OURS, SLOW_TRIGGER, big_rows=30)
    for _ in range(2):
        result = _same_as_without_cache(run_cli, directory)
        assert result.stderr.startswith(UNUSABLE + str(directory / DATABASE))
        assert "does not create (a trigger" in result.stderr
    assert _big_rows(directory / DATABASE) == 30


@pytest.mark.parametrize(
    "schema",
    [
        (*OURS, "CREATE VIEW everything AS SELECT * FROM entries"),
        (*OURS, "CREATE INDEX by_length ON entries (length(blob))"),
        (*OURS, "CREATE TABLE other (x)"),
        (*OURS, "ANALYZE"),  # statistics that steer the query planner
        (
            _TABLE.replace("NOT NULL)", "NOT NULL, size AS (length(blob)) STORED)"),
            _INDEX,
        ),
        (_TABLE.replace("TEXT PRIMARY KEY", "TEXT"), _INDEX),
    ],
    ids=["view", "index", "table", "statistics", "generated-column", "no-key"],
)
def test_a_database_holding_other_than_the_cache_is_not_used(
    run_cli: RunCli, tmp_path: Path, schema: tuple[str, ...]
) -> None:
    directory = tmp_path / "cache"
    _database(directory / DATABASE, *schema)
    result = _same_as_without_cache(run_cli, directory)
    assert result.stderr.startswith(UNUSABLE)
    assert "rolloutplan does not create" in result.stderr


def test_a_statement_that_runs_too_long_is_interrupted(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a database holds that the schema check would miss, no statement outlives
    STATEMENT_SECONDS.  Here the check is off and the budget is spent before a statement
    starts, so any statement of more than a few instructions is interrupted: the trigger's
    8,000,000 rows are never counted, and the run goes on without the cache."""
    directory = tmp_path / "cache"
    _database(directory / DATABASE, *OURS, SLOW_TRIGGER, big_rows=200)
    monkeypatch.setattr(cache, "_check_schema", lambda connection, clock: None)
    monkeypatch.setattr(cache, "STATEMENT_SECONDS", -1.0)
    result = _same_as_without_cache(run_cli, directory)
    assert cached_count(result.stderr) == (0, 1)
    assert _big_rows(directory / DATABASE) == 200


def test_a_marker_that_is_a_link_is_not_followed(run_cli: RunCli, tmp_path: Path) -> None:
    directory, outside = tmp_path / "cache", tmp_path / "outside"
    directory.mkdir()
    (directory / ".gitignore").symlink_to(outside / "gitignore")
    (directory / "CACHEDIR.TAG").symlink_to(outside / "tag")
    outside.mkdir()
    _same_as_without_cache(run_cli, directory)
    assert list(outside.iterdir()) == []
    assert (directory / ".gitignore").is_symlink() and (directory / "CACHEDIR.TAG").is_symlink()
    assert cached_count(_same_as_without_cache(run_cli, directory).stderr) == (1, 1)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("ours", [False, True], ids=["new", "existing"])
def test_database_files_that_are_links_are_not_followed(
    run_cli: RunCli, tmp_path: Path, suffix: str, ours: bool
) -> None:
    directory, outside = tmp_path / "cache", tmp_path / "outside"
    outside.mkdir()
    if ours:
        _same_as_without_cache(run_cli, directory)  # a cache of this tool's own
    directory.mkdir(exist_ok=True)
    (directory / (DATABASE + suffix)).unlink(missing_ok=True)
    (directory / (DATABASE + suffix)).symlink_to(outside / "target")
    result = _same_as_without_cache(run_cli, directory)
    assert result.stderr.startswith(UNUSABLE)
    assert f"{DATABASE + suffix} is not a regular file" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_database_with_another_name_is_not_used(run_cli: RunCli, tmp_path: Path) -> None:
    """A hard link: writing the cache would write the other file."""
    directory, elsewhere = tmp_path / "cache", tmp_path / "elsewhere.sqlite"
    _database(elsewhere, *OURS)
    directory.mkdir()
    os.link(elsewhere, directory / DATABASE)
    result = _same_as_without_cache(run_cli, directory)
    assert f"{DATABASE} is not a regular file" in result.stderr
    with sqlite3.connect(elsewhere) as database:
        assert database.execute("SELECT count(*) FROM entries").fetchone() == (0,)
    database.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
@pytest.mark.parametrize(
    ("suffix", "make"), [("", os.mkfifo), ("-wal", os.mkfifo), ("-journal", os.mkdir)]
)
def test_a_fifo_or_directory_in_place_of_a_database_file_does_not_block(
    run_cli: RunCli, tmp_path: Path, suffix: str, make: Callable[[Path], None]
) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    make(directory / (DATABASE + suffix))
    result = _same_as_without_cache(run_cli, directory)
    assert result.stderr.startswith(UNUSABLE)
    assert f"{DATABASE + suffix} is not a regular file" in result.stderr
