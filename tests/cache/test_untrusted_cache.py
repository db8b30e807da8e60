"""A cache directory may be anyone's (a config file in the repository chooses it): what is in
it can neither run code nor change a result.  Entries are data, keyed and sealed with the
user's own key; anything else in the database is a miss, never a crash."""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import stat
from pathlib import Path

import pytest

from rolloutplan.cache import DATABASE, KEY_FILE, ResultCache
from rolloutplan.collect import Config, _EntryKey, _fingerprint
from rolloutplan.fingerprint import tool_fingerprint
from rolloutplan.model.source import SourceText
from rolloutplan.tally import Tally, freeze
from tests.cache.test_result_cache import SEED, cached_count
from tests.conftest import RunCli

UNKNOWN_FIELD = b"""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replica: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
"""


class _Touch:
    """A pickle that creates a file when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _old_key(path: str, data: bytes) -> str:
    """The key the previous rolloutplan gave a file (no previous manifests), computable
    offline from public facts."""
    digest = hashlib.sha256(tool_fingerprint().encode())
    digest.update(repr(("1.35", False, "default", True, (30000, 32767))).encode())
    inner = hashlib.sha256(digest.digest())
    inner.update(path.encode() + b"\0")
    inner.update(data)
    return inner.hexdigest()


def _unkeyed_key(path: str, data: bytes) -> str:
    """The key this rolloutplan computes before its HMAC: all an attacker can know."""
    cache = ResultCache(Path("unused"), tool_fingerprint(), b"")
    fingerprint = _fingerprint(cache, Config(kubernetes_version="1.35"), None)
    key = _EntryKey(fingerprint, as_given=False)(SourceText(path, data))
    assert key is not None
    return key


def _plant(database: Path, rows: list[tuple[str, bytes]]) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries"
            " (key TEXT PRIMARY KEY, blob BLOB NOT NULL, day INTEGER NOT NULL)"
        )
        connection.executemany("INSERT INTO entries VALUES (?, ?, 99999)", rows)
    connection.close()


def test_a_crafted_repository_runs_nothing_and_forges_nothing(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text("cache-dir: .rpcache\nkubernetes-version: '1.35'\n")
    Path("deploy.yaml").write_bytes(UNKNOWN_FIELD)
    marker = tmp_path / "pwned"
    code = pickle.dumps(_Touch(marker))
    clean = freeze(Tally(documents=1, checked={"Deployment": 1}))
    Path(".rpcache").mkdir()
    old, new = _old_key("deploy.yaml", UNKNOWN_FIELD), _unkeyed_key("deploy.yaml", UNKNOWN_FIELD)
    _plant(Path(".rpcache/results-v2.sqlite"), [(old, code)])
    _plant(Path(".rpcache") / DATABASE, [(new, code), (old, b"\0" * 32 + clean)])
    planted = sorted(p.name for p in Path(".rpcache").iterdir())
    for command, from_cache in (("lint", 0), ("check", 1)):  # check reads lint's own entry
        result = run_cli(command, "-v", "deploy.yaml")
        assert "'cache-dir' is ignored" in result.stderr
        assert sorted(p.name for p in Path(".rpcache").iterdir()) == planted
        assert not marker.exists()
        assert result.exit_code == 1
        assert "RP102" in result.stdout
        assert cached_count(result.stderr) == (from_cache, 1)


def _fill(run_cli: RunCli, cache: Path, *paths: Path) -> list[tuple[str, bytes]]:
    run_cli("lint", "--cache-dir", cache, *paths)
    with sqlite3.connect(cache / DATABASE) as connection:
        rows: list[tuple[str, bytes]] = connection.execute(
            "SELECT key, blob FROM entries"
        ).fetchall()
    connection.close()
    return rows


def _replace(cache: Path, rows: list[tuple[str, bytes]]) -> None:
    with sqlite3.connect(cache / DATABASE) as connection:
        connection.executemany(
            "UPDATE entries SET blob = ? WHERE key = ?", [(b, k) for k, b in rows]
        )
    connection.close()


def test_an_entry_sealed_without_the_users_key_is_a_miss(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path
) -> None:
    (tmp_path / "deploy.yaml").write_bytes(UNKNOWN_FIELD)
    cache = tmp_path / "cache"
    ((stored_key, _),) = _fill(run_cli, cache, tmp_path / "deploy.yaml")
    clean = freeze(Tally(documents=1, checked={"Deployment": 1}))
    forger = ResultCache(cache, "salt", os.urandom(32))
    _replace(cache, [(stored_key, forger._seal(stored_key, clean) + clean)])
    forged = run_cli("lint", "-v", "--cache-dir", cache, tmp_path / "deploy.yaml")
    assert (forged.exit_code, cached_count(forged.stderr)) == (1, (0, 1))
    assert "RP102" in forged.stdout
    # the same entry sealed with the user's key is read: the seal is what refused it
    user = ResultCache(cache, "salt", (private_result_cache / KEY_FILE).read_bytes())
    _replace(cache, [(stored_key, user._seal(stored_key, clean) + clean)])
    trusted = run_cli("lint", "-v", "--cache-dir", cache, tmp_path / "deploy.yaml")
    assert (trusted.exit_code, cached_count(trusted.stderr)) == (0, (1, 1))


@pytest.mark.parametrize("position", [0, 31, 32, 33, -1])
def test_a_flipped_bit_is_a_miss(run_cli: RunCli, tmp_path: Path, position: int) -> None:
    cache = tmp_path / "cache"
    rows = _fill(run_cli, cache, SEED)
    flipped = []
    for key, blob in rows:
        damaged = bytearray(blob)
        damaged[position] ^= 0x10
        flipped.append((key, bytes(damaged)))
    _replace(cache, flipped)
    warm = run_cli("lint", "-v", "--format", "json", "--cache-dir", cache, SEED)
    assert cached_count(warm.stderr) == (0, 12)
    assert warm.stdout == run_cli("lint", "--format", "json", "--no-cache", SEED).stdout


@pytest.mark.parametrize("keep", [0, 16, 32, 40, -1])
def test_a_truncated_entry_is_a_miss(run_cli: RunCli, tmp_path: Path, keep: int) -> None:
    cache = tmp_path / "cache"
    rows = _fill(run_cli, cache, SEED)
    _replace(cache, [(key, blob[:keep]) for key, blob in rows])
    warm = run_cli("lint", "-v", "--format", "json", "--cache-dir", cache, SEED)
    assert cached_count(warm.stderr) == (0, 12)
    assert warm.stdout == run_cli("lint", "--format", "json", "--no-cache", SEED).stdout


def test_previous_sets_that_joined_alike_have_different_keys(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joined without lengths, one file holding ``A\\0b.yaml\\0B`` and the two files a.yaml
    (A) and b.yaml (B) gave the same key, so the second run was served the first's result."""
    monkeypatch.chdir(tmp_path)
    current = SEED / "deployment-nginx.yaml"
    before = current.read_bytes().replace(b"app: nginx", b"app: web")  # another selector
    cache = ("--cache-dir", tmp_path / "cache")
    Path("a.yaml").write_bytes(b"kind: List\n\0b.yaml\0" + before)  # unreadable: no objects
    first = run_cli("lint", *cache, "--previous", "a.yaml", current)
    assert "RP205" not in first.stdout
    Path("a.yaml").write_bytes(b"kind: List\n")
    Path("b.yaml").write_bytes(before)
    second = run_cli("lint", "-v", *cache, "--previous", "a.yaml", "--previous", "b.yaml", current)
    assert cached_count(second.stderr) == (0, 1)
    assert "RP205" in second.stdout  # the selector is immutable
    fresh = run_cli("lint", "--no-cache", "--previous", "a.yaml", "--previous", "b.yaml", current)
    assert second.stdout == fresh.stdout


def test_the_key_is_private_and_kept_across_runs(
    run_cli: RunCli, private_result_cache: Path
) -> None:
    run_cli("lint", SEED)
    key_file = private_result_cache / KEY_FILE
    key = key_file.read_bytes()
    assert len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert cached_count(run_cli("lint", "-v", SEED).stderr) == (12, 12)
    assert key_file.read_bytes() == key


@pytest.mark.parametrize("damage", ["group-writable", "symlink", "directory", "short"])
def test_a_key_not_to_trust_turns_the_cache_off(
    run_cli: RunCli, tmp_path: Path, private_result_cache: Path, damage: str
) -> None:
    key_file = private_result_cache / KEY_FILE
    if damage == "group-writable":
        key_file.write_bytes(b"k" * 32)
        key_file.chmod(0o620)
    elif damage == "symlink":
        (tmp_path / "elsewhere").write_bytes(b"k" * 32)
        key_file.symlink_to(tmp_path / "elsewhere")
    elif damage == "directory":
        key_file.mkdir()
    else:
        key_file.write_bytes(b"k" * 31)
        key_file.chmod(0o600)
    result = run_cli("lint", "-v", "--format", "json", SEED)
    assert "the result cache is off" in result.stderr and str(key_file) in result.stderr
    assert result.stdout == run_cli("lint", "--format", "json", "--no-cache", SEED).stdout
    assert not (private_result_cache / DATABASE).exists()


def test_a_nul_in_cache_dir_of_a_config_file_is_no_traceback(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text('cache-dir: "a\\0b"\n')
    result = run_cli("lint", SEED)
    assert result.exit_code == 0
    assert "'cache-dir' is ignored" in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_config_file_of_another_user_is_ignored_whole(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As git's safe.directory: another user's /tmp/.rolloutplan.yaml switches no rule off."""
    monkeypatch.chdir(tmp_path)
    Path(".rolloutplan.yaml").write_text("ignore: [RP0, RP1, RP2, RP3, RP4]\n")
    Path("deploy.yaml").write_bytes(UNKNOWN_FIELD)
    os.chown(".rolloutplan.yaml", 4321, 4321)
    result = run_cli("lint", "deploy.yaml")
    assert "ignored: it belongs to another user (name it with --config to use it)" in (
        result.stderr
    )
    assert (result.exit_code, "RP102" in result.stdout) == (1, True)
    named = run_cli("lint", "--config", ".rolloutplan.yaml", "deploy.yaml")
    assert (named.exit_code, named.stderr) == (0, "")
