"""The result cache: a warm run gives the same bytes as a cold one, and every input a file's
results depend on invalidates its entry."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from rolloutplan.cache import DATABASE, ResultCache
from tests.conftest import FIXTURES, RunCli

KEY = bytes(range(32))
CORPUS = FIXTURES / "corpus" / "kubernetes-examples"
SEED = FIXTURES / "seed"
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit")


def cached_count(stderr: str) -> tuple[int, int]:
    """(from the cache, files) from the -v line."""
    line = next(x for x in stderr.splitlines() if "from the cache" in x)
    words = line.split()
    return int(words[1]), int(words[3])


def every_format(run_cli: RunCli, tmp_path: Path, command: str, *args: str | Path) -> list[str]:
    outputs: list[str] = []
    for output_format in FORMATS:
        target = tmp_path / f"out.{output_format}"
        result = run_cli(command, "--format", output_format, "-o", target, *args)
        outputs.append(f"exit {result.exit_code}\n" + target.read_text())
    return outputs


@pytest.mark.parametrize("command", ["lint", "check"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_warm_run_gives_the_same_bytes_in_every_format(
    run_cli: RunCli, tmp_path: Path, command: str, jobs: str
) -> None:
    args = ("--jobs", jobs, "--cache-dir", tmp_path / "cache", CORPUS, SEED)
    cold = every_format(run_cli, tmp_path, command, "--no-cache", *args)
    first = every_format(run_cli, tmp_path, command, *args)  # fills the cache
    warm = run_cli(command, "-v", *args)
    assert cached_count(warm.stderr) == (257, 257)
    assert every_format(run_cli, tmp_path, command, *args) == first == cold


def test_a_changed_file_is_checked_again(run_cli: RunCli, tmp_path: Path) -> None:
    shutil.copytree(SEED, tmp_path / "seed")
    cache = ("--cache-dir", tmp_path / "cache")
    assert run_cli("lint", *cache, tmp_path / "seed").exit_code == 0
    target = tmp_path / "seed" / "deployment-nginx.yaml"
    target.write_text(target.read_text().replace("replicas: 3", "replicas: -3"))
    again = run_cli("lint", "-v", *cache, tmp_path / "seed")
    assert cached_count(again.stderr) == (11, 12)
    assert again.exit_code == 1
    assert "deployment-nginx.yaml" in again.stdout and "replicas" in again.stdout


@pytest.mark.parametrize(
    "changed",
    [
        ("--kubernetes-version", "1.30"),
        ("--namespace", "shop"),
        ("--strict-kinds",),
        ("--no-suppressions",),
        ("--service-node-port-range", "20000-22767"),
        ("--previous", str(SEED / "deployment-nginx-updated.yaml")),
    ],
)
def test_settings_that_change_results_miss_the_cache(
    run_cli: RunCli, tmp_path: Path, changed: tuple[str, ...]
) -> None:
    cache = ("--cache-dir", tmp_path / "cache")
    run_cli("lint", *cache, SEED)
    assert cached_count(run_cli("lint", "-v", *cache, *changed, SEED).stderr) == (0, 12)
    assert cached_count(run_cli("lint", "-v", *cache, *changed, SEED).stderr) == (12, 12)


def test_rule_selection_reuses_the_cache_and_still_applies(run_cli: RunCli, tmp_path: Path) -> None:
    cache = ("--cache-dir", tmp_path / "cache")
    full = run_cli("lint", *cache, SEED)
    assert "RP301" in full.stdout
    narrowed = run_cli("lint", "-v", "--ignore", "RP301", *cache, SEED)
    assert cached_count(narrowed.stderr) == (12, 12)
    assert "RP301" not in narrowed.stdout
    assert narrowed.stdout == run_cli("lint", "--no-cache", "--ignore", "RP301", SEED).stdout


def test_no_cache_neither_reads_nor_writes(run_cli: RunCli, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    result = run_cli("lint", "-v", "--no-cache", "--cache-dir", directory, SEED)
    assert result.exit_code == 0
    assert "from the cache" not in result.stderr
    assert not directory.exists()


def test_the_command_line_turns_the_cache_back_on(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text("cache: false\n")
    assert "from the cache" not in run_cli("lint", "-v", SEED).stderr
    assert "0 of 12 files from the cache" in run_cli("lint", "-v", "--cache", SEED).stderr


def test_default_directory_comes_from_the_environment(
    run_cli: RunCli, private_result_cache: Path
) -> None:
    result = run_cli("lint", "-v", SEED)
    assert f"0 of 12 files from the cache in {private_result_cache}" in result.stderr
    assert entry_count(private_result_cache) == 12 + 1  # each file's, and the cross-file stage's
    assert (private_result_cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f59")
    assert (private_result_cache / ".gitignore").read_text().endswith("*\n")


def test_config_file_turns_the_cache_off_but_never_chooses_its_directory(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_result_cache: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text("cache-dir: build/cache\n")
    result = run_cli("lint", "-v", SEED)
    assert "'cache-dir' is ignored (a repository must not choose where the cache is)" in (
        result.stderr
    )
    assert f"from the cache in {private_result_cache}" in result.stderr
    assert not (tmp_path / "build").exists()
    Path(".rolloutplan.yaml").write_text("cache: false\n")
    assert "from the cache" not in run_cli("lint", "-v", SEED).stderr
    Path(".rolloutplan.yaml").write_text("cache: maybe\n")
    assert run_cli("lint", SEED).exit_code == 2


def test_a_damaged_entry_is_a_miss(run_cli: RunCli, tmp_path: Path) -> None:
    cache = ("--cache-dir", tmp_path / "cache")
    cold = run_cli("lint", "--format", "json", *cache, SEED)
    with sqlite3.connect(tmp_path / "cache" / DATABASE) as database:
        database.execute("UPDATE entries SET blob = substr(blob, 1, 20)")  # cut short
    warm = run_cli("lint", "-v", "--format", "json", *cache, SEED)
    assert cached_count(warm.stderr) == (0, 12)
    assert warm.stdout == cold.stdout


def test_a_cache_that_cannot_be_written_only_costs_time(run_cli: RunCli, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    result = run_cli("lint", "--format", "json", "--cache-dir", blocked / "cache", SEED)
    assert result.exit_code == 0
    assert result.stdout == run_cli("lint", "--format", "json", "--no-cache", SEED).stdout


def test_entries_are_stored_and_read_back(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "salt", KEY)
    assert cache.get_many(["key"]) == {}  # no database yet: nothing, and nothing created
    assert not tmp_path.joinpath(DATABASE).exists()
    cache.put_many([("key", b"x" * 100_000), ("other", b"y")])
    keys = ["key", "missing", *(f"k{i}" for i in range(1200))]  # more than one query's worth
    assert cache.get_many(keys) == {"key": b"x" * 100_000}
    assert ResultCache(tmp_path, "salt", KEY).get_many(["other"]) == {"other": b"y"}


def test_a_database_that_is_not_one_is_ignored(tmp_path: Path) -> None:
    (tmp_path / DATABASE).write_bytes(b"not a database" * 100)
    cache = ResultCache(tmp_path, "salt", KEY)
    cache.put_many([("key", b"x")])
    assert cache.get_many(["key"]) == {}


def entry_count(directory: Path) -> int:
    with sqlite3.connect(directory / DATABASE) as database:
        count: int = database.execute("SELECT count(*) FROM entries").fetchone()[0]
    return count


def test_entries_age_out_unless_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rolloutplan.cache as cache_module

    def on(day: int) -> ResultCache:
        monkeypatch.setattr(cache_module, "today", lambda: day)
        return ResultCache(tmp_path, "salt", KEY)

    first = on(100)
    first.put_many([("used", b"1"), ("forgotten", b"2")])
    first.close()
    reader = on(110)  # more than REFRESH_DAYS later: a read marks the entry as used
    assert reader.get_many(["used"]) == {"used": b"1"}
    reader.close()
    later = on(135)  # KEEP_DAYS after the write, 25 days after the read
    assert later.get_many(["used"]) == {"used": b"1"}
    later.close()  # deletes what was last stored or used before day 105
    assert on(136).get_many(["used", "forgotten"]) == {"used": b"1"}


def test_only_databases_of_older_formats_are_removed(tmp_path: Path) -> None:
    (tmp_path / "results-v1.sqlite").write_bytes(b"old")
    (tmp_path / "results-v1.sqlite-wal").write_bytes(b"old")
    (tmp_path / "results-v99.sqlite").write_bytes(b"a newer rolloutplan's")
    ResultCache(tmp_path, "salt", KEY).put_many([("key", b"x")])
    assert not list(tmp_path.glob("results-v1.*"))
    assert (tmp_path / DATABASE).is_file()
    assert (tmp_path / "results-v99.sqlite").read_bytes() == b"a newer rolloutplan's"


def test_a_locked_database_is_given_up_on_not_waited_for(run_cli: RunCli, tmp_path: Path) -> None:
    cache = ("--cache-dir", tmp_path / "cache")
    run_cli("lint", *cache, SEED / "service-nodeport.yaml")  # creates the database
    shutil.copytree(SEED, tmp_path / "seed")  # files the cache has not seen
    with sqlite3.connect(tmp_path / "cache" / DATABASE, isolation_level=None) as other:
        other.execute("BEGIN EXCLUSIVE")  # another run writing
        other.execute("DELETE FROM entries")
        blocked = run_cli("lint", "--format", "json", *cache, tmp_path / "seed")
        other.execute("ROLLBACK")
    fresh = run_cli("lint", "--format", "json", "--no-cache", tmp_path / "seed")
    assert (blocked.exit_code, blocked.stdout) == (fresh.exit_code, fresh.stdout)
    later = run_cli("lint", "-v", *cache, tmp_path / "seed")
    assert cached_count(later.stderr) == (0, 12)  # nothing was written while it was locked


def test_internal_errors_are_not_cached(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rolloutplan.collect as collect

    def broken(*args: object) -> None:
        raise MemoryError("a passing failure")

    cache = ("--cache-dir", tmp_path / "cache")
    with monkeypatch.context() as patch:
        patch.setattr(collect, "_check_file", broken)
        failed = run_cli("lint", *cache, SEED / "deployment-nginx.yaml")
    assert "RP000" in failed.stdout
    again = run_cli("lint", "-v", *cache, SEED / "deployment-nginx.yaml")
    assert cached_count(again.stderr) == (0, 1)
    assert "RP000" not in again.stdout
