"""Checking many independent files: unchanged ones from a result store, the rest in this
process or spread over worker processes.  Results come back in file order, so the output is
the same whichever way each file was checked.

Generic over what a file's result is: the caller says how to check one file, how to turn a
result into bytes (to store it) and back.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

# Bytes to check (files not in the store) from which workers start: below, starting them
# and sending their results back costs more than they save (measured: benchmarks/README)
PARALLEL_FROM = 1_000_000
CHUNK = 16  # files per chunk: small, so that the processes finish within ~10 ms of each
# other (chunks of 1/16 of the work left one idle for up to 0.1 s on the 5,000-document corpus)

Source = TypeVar("Source")
Result = TypeVar("Result")


class Store(Protocol):
    """Where results are kept between runs, by key (rolloutplan.cache.ResultCache)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def put_many(self, entries: Iterable[tuple[str, bytes]]) -> None: ...


@dataclass(frozen=True)
class Job(Generic[Source, Result]):
    """How to check one file (worker processes are forked: nothing here is pickled).
    ``freeze`` may raise for a result it cannot store (the result is then not stored);
    ``thaw`` raises for bytes it cannot read (a miss)."""

    check: Callable[[Source], Result]
    freeze: Callable[[Result], bytes]
    thaw: Callable[[bytes, Source], Result]
    key: Callable[[Source], str | None]  # the store key; None: never stored (unreadable)
    storable: Callable[[Result], bool]  # False: a result not to keep (an internal error)
    size: Callable[[Source], int]  # the work a source makes, in bytes
    # another key whose entry serves as well when the key's is missing (never stored to):
    # the full results, of which a run that wants less keeps what it needs
    fallback: Callable[[Source], str | None] | None = None


MAX_DEFAULT_JOBS = 8  # measured on 2 cores; beyond 8 workers, untested
CPU_QUOTA_FILES = (  # cgroup v2, then v1: a container's share of the machine's CPUs
    ("/sys/fs/cgroup/cpu.max",),
    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
)


def default_jobs() -> int:
    """The processes a run may use by default: the CPUs this process may run on, within a
    container's CPU quota, where worker processes can be forked (Linux); one elsewhere."""
    if not sys.platform.startswith("linux"):
        return 1
    cpus = len(os.sched_getaffinity(0))
    quota = cpu_quota()
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, min(cpus, MAX_DEFAULT_JOBS))


def cpu_quota() -> int | None:
    """The CPUs a cgroup quota allows, rounded up, or None without a quota."""
    for names in CPU_QUOTA_FILES:
        try:
            fields = " ".join(_small_file(name) for name in names).split()
        except OSError:
            continue
        if len(fields) != 2 or not all(field.isdigit() for field in fields):
            return None  # "max 100000", "-1 100000": no quota
        quota, period = (int(field) for field in fields)
        return -(-quota // period) if period else None
    return None


def _small_file(name: str) -> str:
    with open(name, encoding="ascii", errors="replace") as file:
        return file.read(64)


Progress = Callable[[int, int], None]


def run(
    sources: Sequence[Source],
    job: Job[Source, Result],
    *,
    jobs: int = 1,
    store: Store | None = None,
    progress: Progress | None = None,
) -> tuple[list[Result], int]:
    """Every source's result, in order, and how many came from the store."""
    keys = [job.key(s) if store is not None else None for s in sources]
    results: list[Result | None] = (
        [None] * len(sources) if store is None else _from_store(sources, keys, job, store)
    )
    todo = [i for i, result in enumerate(results) if result is None]
    from_store = len(sources) - len(todo)
    work = [(sources[i], keys[i]) for i in todo]
    reporter = _Reporter(progress, from_store, len(sources))
    if (
        jobs > 1
        and sys.platform.startswith("linux")
        and len(work) > CHUNK
        and sum(job.size(source) for source, _ in work) >= PARALLEL_FROM
    ):
        fresh = _in_parallel(work, job, store, jobs, reporter)
    else:
        fresh = _in_order(work, job, store, reporter)
    for i, result in zip(todo, fresh, strict=True):
        results[i] = result
    return [r for r in results if r is not None], from_store


def _from_store(
    sources: Sequence[Source], keys: Sequence[str | None], job: Job[Source, Result], store: Store
) -> list[Result | None]:
    """Each source's stored result (its key's entry, else its fallback's), or None."""
    fallback = job.fallback
    fallbacks: list[str | None] = [None] * len(sources)
    if fallback is not None:
        fallbacks = [
            fallback(s) if k is not None else None for s, k in zip(sources, keys, strict=True)
        ]
    stored = store.get_many([k for k in (*keys, *fallbacks) if k is not None])
    results: list[Result | None] = []
    for key, other, source in zip(keys, fallbacks, sources, strict=True):
        result = _thawed(job, stored.get(key) if key is not None else None, source)
        if result is None and other is not None:
            result = _thawed(job, stored.get(other), source)
        results.append(result)
    return results


def _thawed(job: Job[Source, Result], blob: bytes | None, source: Source) -> Result | None:
    if blob is None:
        return None
    try:
        return job.thaw(blob, source)
    except Exception:  # an entry from a broken write or another version: check again
        return None


def _frozen(job: Job[Any, Result], result: Result) -> bytes | None:
    try:
        return job.freeze(result)
    except Exception:  # a value the stored form cannot hold: keep the result unstored
        return None


@dataclass
class _Reporter:
    progress: Progress | None
    done: int
    total: int

    def advance(self, files: int) -> None:
        self.done += files
        if self.progress is not None:
            self.progress(self.done, self.total)


def _in_order(
    work: Sequence[tuple[Source, str | None]],
    job: Job[Source, Result],
    store: Store | None,
    reporter: _Reporter,
) -> list[Result]:
    results = []
    entries = []
    for source, key in work:
        result = job.check(source)
        if store is not None and key is not None and job.storable(result):
            blob = _frozen(job, result)
            if blob is not None:
                entries.append((key, blob))
        results.append(result)
        reporter.advance(1)
    if store is not None:
        store.put_many(entries)
    return results


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_EVERY = 0.5  # seconds between a worker's checks that its parent is still there


def _in_parallel(
    work: Sequence[tuple[Source, str | None]],
    job: Job[Source, Result],
    store: Store | None,
    jobs: int,
    reporter: _Reporter,
) -> list[Result]:
    """This process and ``jobs - 1`` forked workers take chunks in turn from one shared
    counter, so that none waits for another to hand out work.  A worker sends each chunk's
    results and store entries as soon as its pipe has room for them, and this process reads
    what has come between its own chunks (a thread reading them did not get the interpreter
    lock often enough to keep the pipes drained, and the workers stalled on full pipes):
    what is left to read once the chunks run out is a chunk or two, not half the results.
    Only this process writes to the store, a few hundred entries at a time while the
    workers check: two processes writing at once wait for each other's lock, by SQLite's
    sleeps of up to 100 ms, and one write of everything at the end made the others wait.
    A chunk that a worker took but never sent (it was killed) is checked here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    chunks = [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]
    parts: list[list[Result] | None] = [None] * len(chunks)
    buffered = None if store is None else _Buffered(store)
    # The first chunk before the workers start: what it imports, loads and compiles (the
    # schemas, their validators, the error reporting) is then done once, not in every process
    parts[0] = _in_order(chunks[0], job, buffered, reporter)
    counter = context.Value("q", 1)
    parent = os.getpid()
    workers: list[tuple[Any, _Inbox]] = []  # each process, and what it sends
    for _ in range(min(jobs, len(chunks)) - 1):  # no more workers than chunks to share
        try:
            workers.append(_started(context, chunks, job, store, counter, parent, workers))
        except OSError:  # out of processes or file descriptors: go on with those started
            break
    while (position := _next(counter)) < len(chunks):
        parts[position] = _in_order(chunks[position], job, buffered, reporter)
        for _, inbox in workers:
            _take(inbox.ready(), parts, chunks, buffered, reporter)
        if buffered is not None and len(buffered.entries) >= WRITE_EVERY:
            buffered.flush()
    for process, inbox in workers:
        _take(inbox.rest(), parts, chunks, buffered, reporter)
        process.join()
    if buffered is not None:
        buffered.flush()
    for position, part in enumerate(parts):
        if part is None:  # its worker ended early (killed): check it here
            parts[position] = _in_order(chunks[position], job, store, reporter)
    return [result for part in parts if part is not None for result in part]


def _take(
    messages: Iterable[bytes],
    parts: list[list[Any] | None],
    chunks: Sequence[Sequence[Any]],
    buffered: _Buffered | None,
    reporter: _Reporter,
) -> None:
    """Put each chunk's results a worker sent in their place, and its entries with the
    ones to store: pickled by this tool's own worker, never read from disk."""
    import pickle

    for message in messages:
        position, results, entries = pickle.loads(message)
        parts[position] = results
        if buffered is not None:
            buffered.put_many(entries)
        reporter.advance(len(chunks[position]))


def _started(
    context: Any,
    chunks: Sequence[Sequence[tuple[Any, str | None]]],
    job: Job[Any, Any],
    store: Store | None,
    counter: Any,
    parent: int,
    workers: Sequence[tuple[Any, _Inbox]],
) -> tuple[Any, _Inbox]:
    """A worker process started, and the reading end of the pipe it sends its results on."""
    receiving, sending = os.pipe()
    try:
        readers = [receiving, *(inbox.descriptor for _, inbox in workers)]
        process = context.Process(
            target=_work, args=(chunks, job, store, counter, sending, parent, readers), daemon=True
        )
        process.start()
    except OSError:
        os.close(receiving)
        raise
    finally:
        os.close(sending)
    return process, _Inbox(receiving)


class _Buffered:
    """A store that keeps what is put in it until ``flush``: entries are written a few
    hundred to a transaction, not one transaction per chunk."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.entries: list[tuple[str, bytes]] = []

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        return self.store.get_many(keys)

    def put_many(self, entries: Iterable[tuple[str, bytes]]) -> None:
        self.entries += entries

    def flush(self) -> None:
        self.store.put_many(self.entries)
        self.entries = []


def _next(counter: Any) -> int:
    """The next chunk to check, from the counter the processes share."""
    with counter.get_lock():
        position = int(counter.value)
        counter.value = position + 1
    return position


WRITE_EVERY = 256  # entries: this process writes them to the store as they come

# A message on a worker's pipe: its length (8 bytes, big-endian), then a pickle
HEADER = 8
PIPE_SIZE = 1 << 20  # Linux's default limit for a pipe's buffer (/proc/sys/fs/pipe-max-size)


class _Inbox:
    """The reading end of a worker's pipe: the messages it holds, read without waiting
    (``ready``) or until the worker closes its end (``rest``).  A message cut short (the
    worker was killed while writing it) is dropped: its chunk is checked again."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor
        self.closed = False

    def ready(self) -> list[bytes]:
        import select

        found: list[bytes] = []
        waiting = select.poll()  # not select(): a descriptor may be beyond FD_SETSIZE
        waiting.register(self.descriptor, select.POLLIN)
        while not self.closed and waiting.poll(0):
            found += self._one()
        return found

    def rest(self) -> list[bytes]:
        found: list[bytes] = []
        while not self.closed:
            found += self._one()
        return found

    def _one(self) -> list[bytes]:
        header = self._exactly(HEADER)
        message = None if header is None else self._exactly(int.from_bytes(header, "big"))
        if message is None:
            self.closed = True
            os.close(self.descriptor)
            return []
        return [message]

    def _exactly(self, size: int) -> bytes | None:
        """``size`` bytes, or None at the end of the pipe before them (or a read error)."""
        parts = []
        while size:
            try:
                part = os.read(self.descriptor, min(size, PIPE_SIZE))
            except OSError:
                return None
            if not part:
                return None
            parts.append(part)
            size -= len(part)
        return b"".join(parts)


class _Outbox:
    """The writing end of a worker's pipe.  A message is written when the pipe has room for
    all of it, so that the worker never waits for the parent, who reads between its own
    chunks; the others at ``close``, waiting as long as it takes."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor
        self.waiting: list[bytes] = []
        self.size = _widened(descriptor)

    def put(self, message: bytes) -> None:
        self.waiting.append(len(message).to_bytes(HEADER, "big") + message)
        left = []
        for framed in self.waiting:  # in any order: each message says which chunk it is
            if len(framed) <= self.size - _queued(self.descriptor):
                _write(self.descriptor, framed)
            else:
                left.append(framed)
        self.waiting = left

    def close(self) -> None:
        for framed in self.waiting:
            _write(self.descriptor, framed)
        self.waiting = []
        os.close(self.descriptor)


def _widened(descriptor: int) -> int:
    """The pipe's buffer size, made as large as Linux lets a process make it."""
    import fcntl

    try:
        return fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (OSError, AttributeError):
        try:
            return fcntl.fcntl(descriptor, fcntl.F_GETPIPE_SZ)
        except (OSError, AttributeError):
            return 0  # room unknown: every message waits for ``close``


def _queued(descriptor: int) -> int:
    """The bytes in the pipe that the parent has not read yet (its buffer size when that
    cannot be told: then nothing is written before ``close``)."""
    import array
    import fcntl
    import termios

    count = array.array("i", [0])
    try:
        fcntl.ioctl(descriptor, termios.FIONREAD, count, True)
    except OSError:
        return PIPE_SIZE * 64
    return count[0]


def _write(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _work(*arguments: Any) -> None:
    """A worker: check chunks until none is left, sending each one's results.  Whatever goes
    wrong ends it quietly (no traceback on the run's stderr): the chunks it did not send
    are checked by the parent."""
    try:
        _check_chunks(*arguments)
    except BaseException:
        os._exit(1)


def _check_chunks(
    chunks: Sequence[Sequence[tuple[Any, str | None]]],
    job: Job[Any, Any],
    store: Store | None,
    counter: Any,
    sending: int,
    parent: int,
    readers: Sequence[int],
) -> None:
    import pickle

    for receiving in readers:  # only the parent may read, so that its end makes sends fail
        os.close(receiving)
    _die_with_parent()
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    reporter = _Reporter(None, 0, 0)
    buffered = None if store is None else _Buffered(store)  # sent, not written, from here
    outbox = _Outbox(sending)
    while (position := _next(counter)) < len(chunks):
        results = _in_order(chunks[position], job, buffered, reporter)
        entries = [] if buffered is None else buffered.entries
        outbox.put(pickle.dumps((position, results, entries), pickle.HIGHEST_PROTOCOL))
        if buffered is not None:
            buffered.entries = []
    outbox.close()


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGKILL to this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no C library to call: the watch below suffices
        return


def _watch_parent(parent: int) -> None:
    """Everywhere: a parent that ended leaves this process to another (init)."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)
