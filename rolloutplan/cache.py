"""The result cache: each file's check results on disk, so that a run over unchanged files
reads them instead of checking again.

An entry's key covers everything a file's results depend on: its path and bytes, the
settings that change checking, the previous manifests, and this cache's ``salt``, which
changes with the tool's version, its code (the rule set, the validators) and its bundled
schemas.  Entries are never updated, only added, so the directory is safe to delete at any
time; an entry that cannot be read is a miss, and a cache that cannot be written only makes
the next run slower.

Entries live in one SQLite database (the standard library's): a run reads and writes
thousands of them, and one file per entry made a cold run 40% slower here (two processes
creating files in one directory).  Entries are pickles: keep the directory private to its
user, as with any tool cache.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "2"  # bump when the shape of a stored result (or of the database) changes
DATABASE = f"results-v{FORMAT}.sqlite"
KEEP_DAYS = 30  # entries not stored or used for this long are deleted
REFRESH_DAYS = 7  # an entry used after this long is marked as used (not on every read)
_BATCH = 500  # keys per query, well under SQLite's limit on bound parameters
_MARKERS = {
    "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This directory is the rolloutplan result cache; it is safe to delete.\n",
    ".gitignore": "# rolloutplan's result cache\n*\n",
}


def default_directory() -> Path:
    """$ROLLOUTPLAN_CACHE_DIR, else $XDG_CACHE_HOME/rolloutplan, else ~/.cache/rolloutplan."""
    given = os.environ.get("ROLLOUTPLAN_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rolloutplan"


@dataclass(frozen=True)
class ResultCache:
    """Pickles to worker processes as its directory and salt; each process opens its own
    connection when it first needs one."""

    directory: Path
    salt: str  # see tool_fingerprint
    _connections: dict[int, sqlite3.Connection | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _used: list[str] = field(default_factory=list, compare=False, repr=False)  # to refresh

    @classmethod
    def open(cls, directory: Path) -> ResultCache:
        return cls(directory, tool_fingerprint())

    def __reduce__(self) -> tuple[type[ResultCache], tuple[Path, str]]:
        return (ResultCache, (self.directory, self.salt))

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored entries among ``keys``; none at all if the database cannot be read."""
        database = self._database(create=False)
        found: dict[str, bytes] = {}
        if database is None:
            return found
        refresh_before = today() - REFRESH_DAYS
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, blob, day FROM entries WHERE key IN ({marks})"
                for key, blob, day in database.execute(query, batch):
                    found[key] = blob
                    if day < refresh_before:
                        self._used.append(key)
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[str, bytes]]) -> None:
        """Store entries in one transaction; errors are ignored (the cache is an aid)."""
        database = self._database(create=True)
        if database is None:
            return
        day = today()
        try:
            with database:
                database.executemany(
                    "INSERT OR REPLACE INTO entries (key, blob, day) VALUES (?, ?, ?)",
                    ((key, blob, day) for key, blob in entries),
                )
        except sqlite3.Error:
            return

    def close(self) -> None:
        """Mark old entries this run used as used, delete the ones no run has stored or used
        for KEEP_DAYS, and close this process's connection."""
        connection = self._connections.pop(os.getpid(), None)
        if connection is None:
            return
        day = today()
        try:
            with connection:
                connection.executemany(
                    "UPDATE entries SET day = ? WHERE key = ?", ((day, k) for k in self._used)
                )
                connection.execute("DELETE FROM entries WHERE day < ?", (day - KEEP_DAYS,))
            connection.close()
        except sqlite3.Error:
            return
        finally:
            self._used.clear()

    def _database(self, *, create: bool) -> sqlite3.Connection | None:
        pid = os.getpid()  # a connection must not cross a fork
        if pid in self._connections and (self._connections[pid] is not None or not create):
            return self._connections[pid]
        path = self.directory / DATABASE
        connection = None
        if create or path.exists():
            try:
                connection = _connect(self.directory, path)
            except (OSError, sqlite3.Error):
                connection = None
        self._connections[pid] = connection
        return connection


def _connect(directory: Path, path: Path) -> sqlite3.Connection:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in _MARKERS.items():  # backup tools and git leave the cache alone
        marker = directory / name
        if not marker.exists():
            marker.write_text(text, encoding="utf-8")
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    connection.execute("PRAGMA synchronous=NORMAL")  # a lost entry is only a miss
    connection.execute(
        "CREATE TABLE IF NOT EXISTS entries"
        " (key TEXT PRIMARY KEY, blob BLOB NOT NULL, day INTEGER NOT NULL)"
    )
    connection.execute("CREATE INDEX IF NOT EXISTS entries_by_day ON entries (day)")
    for old in directory.glob("results-v*.sqlite*"):  # databases of older formats
        if not old.name.startswith(DATABASE):
            old.unlink(missing_ok=True)
    return connection


def today() -> int:
    """Days since the epoch: entries are aged in whole days."""
    return int(time.time() // 86400)


# the libraries whose behaviour is part of a file's results (parsing, validity, messages)
RESULT_LIBRARIES = ("_ruamel_yaml", "ruamel.yaml", "jsonschema_rs", "jsonschema")


def tool_fingerprint() -> str:
    """Changes whenever results could: with the version, any file of the package (the rule
    set, the validators) or of the bundled schemas, the Python version, and a reinstall of
    a library the results depend on (the modification time of its entry file)."""
    import importlib.util
    import sys

    from rolloutplan import __version__

    package = Path(__file__).resolve().parent
    folders = [package]
    if not (package / "schemas").is_dir():  # a source tree: the schemas sit beside it
        folders.append(package.parent / "schemas")
    parts = [__version__, sys.version]
    for name in RESULT_LIBRARIES:
        spec = importlib.util.find_spec(name)  # finds without importing
        origin = spec.origin if spec is not None else None
        stat = os.stat(origin) if origin and os.path.exists(origin) else None
        parts.append(f"{name}:{origin}:{stat.st_mtime_ns if stat else None}")
    return fingerprint_of(folders, "\0".join(parts))


def fingerprint_of(folders: list[Path], version: str) -> str:
    """The version and every file under ``folders`` by path, size and modification time,
    which also catches edits to a development install that keeps its version."""
    digest = hashlib.sha256(f"{FORMAT}\0{version}".encode())
    pending = [str(folder) for folder in folders]
    while pending:
        with os.scandir(pending.pop()) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            if entry.is_dir():
                if entry.name != "__pycache__":
                    pending.append(entry.path)
            else:
                stat = entry.stat()
                digest.update(f"\0{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
