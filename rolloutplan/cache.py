"""The result cache: each file's check results on disk, so that a run over unchanged files
reads them instead of checking again.

An entry's key covers everything a file's results depend on: its path and bytes, the
settings that change checking, the previous manifests, and this cache's ``salt`` (see
``fingerprint``: the tool, the Python and the libraries).  The directory is safe to delete
at any time; an entry that cannot be read is a miss, and a cache that cannot be read or
written (locked by another run for more than a second, on a full disk) is left alone for
the rest of the run, which only makes it slower.

Entries live in one SQLite database (the standard library's): a run reads and writes
thousands of them, and one file per entry made a cold run 40% slower here (two processes
creating files in one directory).  Entries are pickles: keep the directory private to its
user, as with any tool cache.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMAT = 2  # bump when the shape of a stored result (or of the database) changes
DATABASE = f"results-v{FORMAT}.sqlite"
KEEP_DAYS = 30  # entries not stored or read for about this long are deleted
REFRESH_DAYS = 7  # a read marks an entry as used once it is this old (not on every read)
LOCK_TIMEOUT = 1.0  # seconds to wait for another run's write; then go on without the cache
_BATCH = 500  # keys per query, well under SQLite's limit on bound parameters
_OLDER = re.compile(r"results-v(\d+)\.sqlite(-wal|-shm|-journal)?")
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


class ResultCache:
    """One process's view of the cache.  It pickles (to worker processes) as its directory
    and salt; each process opens its own connection when it first needs one."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory
        self.salt = salt
        self._reset()

    def _reset(self) -> None:
        self._connection: sqlite3.Connection | None = None
        self._pid = os.getpid()  # a connection must not cross a fork
        self._broken = False  # after a failure the store is left alone for this run
        self._used: list[str] = []  # old entries read, to mark as used

    @classmethod
    def open(cls, directory: Path) -> ResultCache:
        from rolloutplan.fingerprint import tool_fingerprint

        return cls(directory, tool_fingerprint())

    def __reduce__(self) -> tuple[type[ResultCache], tuple[Path, str]]:
        return (ResultCache, (self.directory, self.salt))

    def __repr__(self) -> str:
        return f"ResultCache({str(self.directory)!r})"

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored entries among ``keys``; none if the database cannot be read."""
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
            self._fail()
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[str, bytes]]) -> None:
        """Store entries in one transaction."""
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
            self._fail()

    def close(self) -> None:
        """Mark old entries this run read as used, delete the ones no run has stored or
        used for KEEP_DAYS, and close this process's connection."""
        database, self._connection = self._connection, None
        if database is None or self._pid != os.getpid():
            return
        day = today()
        try:
            with database:
                database.executemany(
                    "UPDATE entries SET day = ? WHERE key = ?", ((day, k) for k in self._used)
                )
                database.execute("DELETE FROM entries WHERE day < ?", (day - KEEP_DAYS,))
            database.close()
        except sqlite3.Error:
            return
        finally:
            self._used.clear()

    def _database(self, *, create: bool) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked copy must not use its parent's connection
            self._reset()
        if self._connection is not None or self._broken:
            return self._connection
        path = self.directory / DATABASE
        if not create and not path.exists():
            return None
        try:
            self._connection = _connect(self.directory, path)
        except (OSError, sqlite3.Error):
            self._fail()
        return self._connection

    def _fail(self) -> None:
        self._broken = True
        database, self._connection = self._connection, None
        if database is not None:
            with contextlib.suppress(sqlite3.Error):
                database.close()


def _connect(directory: Path, path: Path) -> sqlite3.Connection:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in _MARKERS.items():  # backup tools and git leave the cache alone
        marker = directory / name
        if not marker.exists():
            marker.write_text(text, encoding="utf-8")
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT)
    connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    connection.execute("PRAGMA synchronous=NORMAL")  # a lost entry is only a miss
    connection.execute(
        "CREATE TABLE IF NOT EXISTS entries"
        " (key TEXT PRIMARY KEY, blob BLOB NOT NULL, day INTEGER NOT NULL)"
    )
    connection.execute("CREATE INDEX IF NOT EXISTS entries_by_day ON entries (day)")
    _remove_older_formats(directory)
    return connection


def _remove_older_formats(directory: Path) -> None:
    """Databases an older rolloutplan wrote; a newer one's (another install sharing the
    directory) are left alone."""
    for entry in directory.iterdir():
        match = _OLDER.fullmatch(entry.name)
        if match is not None and int(match.group(1)) < FORMAT:
            entry.unlink(missing_ok=True)


def today() -> int:
    """Days since the epoch: entries are aged in whole days."""
    return int(time.time() // 86400)
