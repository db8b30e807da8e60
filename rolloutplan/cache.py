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
creating files in one directory).  Entries are data (``tally.freeze``), never code.

The cache directory may be one that others can write (a CI workspace a pull request fills),
so its database may be anyone's.  Every entry is therefore keyed and sealed with the user's
own secret ``key`` (random, kept in the default cache directory, which only the environment
chooses): a database written without that key, or damaged, holds only misses.  Nor can such
a directory make a run hang or write elsewhere: a database whose schema is not exactly this
module's (a trigger, a view, another table) or whose files are not regular files (a
symbolic link, a FIFO) turns the cache off for the run, every statement is interrupted after
STATEMENT_SECONDS, and markers are created, never followed or overwritten.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

FORMAT = 6  # bump when the shape of a stored result (or of the database) changes
DATABASE = f"results-v{FORMAT}.sqlite"
KEEP_DAYS = 30  # entries not stored or read for about this long are deleted
REFRESH_DAYS = 7  # a read marks an entry as used once it is this old (not on every read)
LOCK_TIMEOUT = 1.0  # seconds to wait for another run's write; then go on without the cache
STATEMENT_SECONDS = 1.0  # a statement running longer is interrupted, and the cache left alone
_PROGRESS_STEPS = 1000  # SQLite instructions between two looks at the clock
_BATCH = 500  # keys per query, well under SQLite's limit on bound parameters
_OLDER = re.compile(r"results-v(\d+)\.sqlite(-wal|-shm|-journal)?")
KEY_FILE = "key"  # the user's secret, in the default directory (see user_key)
KEY_BYTES = 32
_TAG = 32  # bytes of the HMAC-SHA256 that seals each entry, before its data
_TABLE = "CREATE TABLE entries (key TEXT PRIMARY KEY, blob BLOB NOT NULL, day INTEGER NOT NULL)"
_INDEX = "CREATE INDEX entries_by_day ON entries (day)"
# sqlite_master rows of a database this module made (SQLite stores CREATE ... IF NOT EXISTS
# without the IF NOT EXISTS); another process may be creating it, so a subset is ours too
_SCHEMA = frozenset(
    {
        ("table", "entries", "entries", _TABLE),
        ("index", "sqlite_autoindex_entries_1", "entries", None),
        ("index", "entries_by_day", "entries", _INDEX),
    }
)
_COMPANIONS = ("", "-wal", "-shm", "-journal")  # the database and the files SQLite adds to it
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


class CacheUnavailable(Exception):
    """The user's key cannot be read or created, or the cache directory holds a database
    not to use: the run goes on without the cache."""


def user_key() -> bytes:
    """The user's secret, created on first use in the default cache directory.
    CacheUnavailable if it cannot be created, or if the file there is not one to trust:
    not a regular file, not the user's, or open to others."""
    path = default_directory() / KEY_FILE
    try:
        try:
            return _read_key(path)
        except FileNotFoundError:
            _create_key(path)
            return _read_key(path)
    except (OSError, ValueError) as exc:
        raise CacheUnavailable(f"{path}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _read_key(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)  # no symbolic link; a FIFO must not block the run
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise ValueError("the key is not a regular file")
        if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
            raise ValueError("the key belongs to another user")
        if status.st_mode & 0o077:
            raise ValueError("the key is open to other users; remove it (a new one is made)")
        key = os.read(descriptor, KEY_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(key) != KEY_BYTES:
        raise ValueError(f"the key is not {KEY_BYTES} bytes; remove it (a new one is made)")
    return key


def _create_key(path: Path) -> None:
    """Write a new key beside ``path`` and link it into place: another run sees the whole
    key or none, and of two runs creating one at once, both use the one that won."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    import tempfile  # only when the key is made: shutil, bz2 and lzma come with it

    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(os.urandom(KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)


class ResultCache:
    """One process's view of the cache.  It pickles (to worker processes, which are ours)
    as its directory, salt and key; each process opens its own connection when it first
    needs one.  ``get_many`` and ``put_many`` take the caller's keys; in the database an
    entry is found by HMAC(key, the caller's key) and sealed by HMAC(key, both)."""

    def __init__(self, directory: Path, salt: str, secret: bytes) -> None:
        self.directory = directory
        self.salt = salt
        self._secret = secret
        self._reset()

    def _reset(self) -> None:
        self._connection: sqlite3.Connection | None = None
        self._pid = os.getpid()  # a connection must not cross a fork
        self._problem: str | None = None  # after a failure the store is left alone for this run
        self._used: list[str] = []  # old entries read, to mark as used
        self._clock = _StatementClock()

    @classmethod
    def open(cls, directory: Path) -> ResultCache:
        """The cache in ``directory``, sealed with the user's key; CacheUnavailable if
        there is no key to use, or if the database there is not one to use (checked now,
        so that the reason can be told)."""
        from rolloutplan.fingerprint import tool_fingerprint

        cache = cls(directory, tool_fingerprint(), user_key())
        cache._database(create=False)
        if cache._problem is not None:
            raise CacheUnavailable(cache._problem)
        return cache

    def __reduce__(self) -> tuple[type[ResultCache], tuple[Path, str, bytes]]:
        return (ResultCache, (self.directory, self.salt, self._secret))

    def __repr__(self) -> str:
        return f"ResultCache({str(self.directory)!r})"

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored entries among ``keys`` that are intact and were stored with the
        user's key; none if the database cannot be read."""
        database = self._database(create=False)
        found: dict[str, bytes] = {}
        if database is None:
            return found
        wanted = {self._stored_key(key): key for key in keys}
        stored = list(wanted)
        refresh_before = today() - REFRESH_DAYS
        try:
            for start in range(0, len(stored), _BATCH):
                batch = stored[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, blob, day FROM entries WHERE key IN ({marks})"
                for key, blob, day in self._clock.execute(database, query, batch):
                    data = self._opened(key, blob)
                    if data is None:
                        continue  # forged or damaged: a miss, and stored again
                    found[wanted[key]] = data
                    if type(day) is int and day < refresh_before:
                        self._used.append(key)
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[str, bytes]]) -> None:
        """Store entries in one transaction."""
        database = self._database(create=True)
        if database is None:
            return
        day = today()
        rows = (self._row(key, blob, day) for key, blob in entries)
        try:
            with database:
                database.executemany(
                    "INSERT OR REPLACE INTO entries (key, blob, day) VALUES (?, ?, ?)",
                    self._clock.each(rows),
                )
        except sqlite3.Error as exc:
            self._fail(exc)

    def _stored_key(self, key: str) -> str:
        return hmac.digest(self._secret, b"key\0" + key.encode(), "sha256").hex()

    def _row(self, key: str, data: bytes, day: int) -> tuple[str, bytes, int]:
        stored_key = self._stored_key(key)
        return stored_key, self._seal(stored_key, data) + data, day

    def _seal(self, stored_key: str, data: bytes) -> bytes:
        message = b"entry\0" + stored_key.encode() + b"\0" + data
        return hmac.digest(self._secret, message, "sha256")

    def _opened(self, stored_key: str, blob: object) -> bytes | None:
        """The data of an entry whose seal is right, else None."""
        if not isinstance(blob, bytes) or len(blob) < _TAG:
            return None
        data = blob[_TAG:]
        if not hmac.compare_digest(blob[:_TAG], self._seal(stored_key, data)):
            return None
        return data

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
                    "UPDATE entries SET day = ? WHERE key = ?",
                    self._clock.each((day, k) for k in self._used),
                )
                self._clock.execute(
                    database, "DELETE FROM entries WHERE day < ?", (day - KEEP_DAYS,)
                )
            database.close()
        except sqlite3.Error:
            return
        finally:
            self._used.clear()

    def _database(self, *, create: bool) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked copy must not use its parent's connection
            self._reset()
        if self._connection is not None or self._problem is not None:
            return self._connection
        path = self.directory / DATABASE
        try:
            _refuse_other_files(path)
            if create or os.path.lexists(path):
                self._connection = _connect(self.directory, path, self._clock)
        # ValueError: a NUL in the path
        except (OSError, ValueError, sqlite3.Error, CacheUnavailable) as exc:
            self._fail(exc, path)
        return self._connection

    def _fail(self, exc: Exception, path: Path | None = None) -> None:
        reason = _reason(exc)
        if isinstance(exc, sqlite3.OperationalError) and reason == "interrupted":
            reason = f"a statement ran longer than {STATEMENT_SECONDS:g} s"
        self._problem = f"{path or self.directory / DATABASE}: {reason}"
        database, self._connection = self._connection, None
        if database is not None:
            with contextlib.suppress(sqlite3.Error):
                database.close()


class _StatementClock:
    """SQLite's progress handler: it interrupts a statement that has run STATEMENT_SECONDS,
    which only a database made to be slow (a trigger, a huge table) needs.  The time is
    counted from the statement's first call, after _PROGRESS_STEPS instructions, by when
    it holds its lock: waiting for another run's write is bounded by LOCK_TIMEOUT."""

    def __init__(self) -> None:
        self._deadline: float | None = None

    def restart(self) -> None:
        """Call before each statement."""
        self._deadline = None

    def execute(
        self, connection: sqlite3.Connection, sql: str, parameters: Sequence[object] = ()
    ) -> sqlite3.Cursor:
        """``connection.execute`` timed afresh."""
        self.restart()
        return connection.execute(sql, parameters)

    def each(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        """``rows`` for executemany, which runs the statement once per row."""
        for row in rows:
            self.restart()
            yield row

    def __call__(self) -> bool:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + STATEMENT_SECONDS
        return now > self._deadline


def _refuse_other_files(path: Path) -> None:
    """CacheUnavailable if the database or a file SQLite adds to it is there as anything but
    a regular file of one name: SQLite would follow a symbolic link (or a hard link's other
    name) and write where it points, and block on a FIFO.  Python's sqlite3 cannot ask
    SQLite to refuse links itself (SQLITE_OPEN_NOFOLLOW is not a URI parameter)."""
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            status = companion.lstat()
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
            raise CacheUnavailable(
                f"{companion.name} is not a regular file of one name (a symbolic or hard "
                "link, a FIFO, a directory); remove it to use the cache"
            )


def _connect(directory: Path, path: Path, clock: _StatementClock) -> sqlite3.Connection:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in _MARKERS.items():  # backup tools and git leave the cache alone
        _create_marker(directory / name, text)
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT)
    try:
        connection.set_progress_handler(clock, _PROGRESS_STEPS)
        clock.execute(connection, "PRAGMA trusted_schema=OFF")  # no function from the schema
        _check_schema(connection, clock)
        _use_wal(connection, clock)  # readers never wait for a writer
        clock.execute(connection, "PRAGMA synchronous=NORMAL")  # a lost entry is only a miss
        clock.execute(connection, _TABLE.replace("TABLE", "TABLE IF NOT EXISTS", 1))
        clock.execute(connection, _INDEX.replace("INDEX", "INDEX IF NOT EXISTS", 1))
    except BaseException:
        connection.close()
        raise
    _remove_older_formats(directory)
    return connection


def _create_marker(path: Path, text: str) -> None:
    """Create a marker file, unless anything is there by its name: an existing one, even a
    symbolic link to a file that does not exist, is left alone and never followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _check_schema(connection: sqlite3.Connection, clock: _StatementClock) -> None:
    """CacheUnavailable unless the database holds only what _connect creates: a trigger, a
    view, a generated column or another table or index could make any statement slow."""
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master"
    rows = clock.execute(connection, query).fetchall()
    others = sum(1 for row in rows if tuple(row) not in _SCHEMA)
    if others:
        raise CacheUnavailable(
            f"the database holds {others} object(s) rolloutplan does not create (a trigger, "
            "a view, another table); remove it to use the cache"
        )


def _use_wal(connection: sqlite3.Connection, clock: _StatementClock) -> None:
    """Switch to write-ahead logging, waiting up to LOCK_TIMEOUT for another process that
    is writing the database (SQLite does not wait for this switch): when a --jobs run
    created the cache, its processes raced here and one stored nothing for the whole run."""
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            clock.execute(connection, "PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _remove_older_formats(directory: Path) -> None:
    """Databases an older rolloutplan wrote; a newer one's (another install sharing the
    directory) are left alone."""
    for entry in directory.iterdir():
        match = _OLDER.fullmatch(entry.name)
        if match is not None and int(match.group(1)) < FORMAT:
            with contextlib.suppress(OSError):  # a directory by that name, say: left alone
                entry.unlink(missing_ok=True)


def today() -> int:
    """Days since the epoch: entries are aged in whole days."""
    return int(time.time() // 86400)
