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
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

PARALLEL_FROM = 200  # files to check; below that, starting workers costs more than it saves
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
    """How to check one file.  Every callable must pickle (module-level functions, partials).
    ``freeze`` may raise for a result it cannot store (the result is then not stored);
    ``thaw`` raises for bytes it cannot read (a miss)."""

    check: Callable[[Source], Result]
    freeze: Callable[[Result], bytes]
    thaw: Callable[[bytes, Source], Result]
    key: Callable[[Source], str | None]  # the store key; None: never stored (unreadable)
    storable: Callable[[Result], bool]  # False: a result not to keep (an internal error)
    # another key whose entry serves as well when the key's is missing (never stored to):
    # the full results, of which a run that wants less keeps what it needs
    fallback: Callable[[Source], str | None] | None = None


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
    if jobs > 1 and len(work) >= PARALLEL_FROM:
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


# A worker's job and store, set once when the worker starts (see _in_parallel): sent with
# every chunk instead, a large --previous index cost more than the checking.
_worker_task: tuple[Job[Any, Any], Store | None] | None = None
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_EVERY = 0.5  # seconds between a worker's checks that its parent is still there


def _start_worker(job: Job[Any, Any], store: Store | None, parent: int) -> None:
    """A worker ends with the process that started it, however that one ends (killed,
    even with SIGKILL): left alone it would wait for work forever."""
    global _worker_task
    _worker_task = (job, store)
    _die_with_parent()
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


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


def _in_worker(work: Sequence[tuple[Any, str | None]]) -> list[Any]:
    """A worker checks a chunk and sends back its results (stored on the way): pickled by
    the pool, between this tool's own processes; nothing read from disk is unpickled."""
    assert _worker_task is not None, "the pool initializer sets it"
    job, store = _worker_task
    return _in_order(work, job, store, _Reporter(None, 0, 0))


def _in_parallel(
    work: Sequence[tuple[Source, str | None]],
    job: Job[Source, Result],
    store: Store | None,
    jobs: int,
    reporter: _Reporter,
) -> list[Result]:
    """``jobs - 1`` worker processes take contiguous chunks from the front and this process
    takes them from the back, cancelling each before a worker starts it: its own results
    need no pickling."""
    from concurrent.futures import ProcessPoolExecutor

    chunks = [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]
    parts: list[list[Result] | None] = [None] * len(chunks)
    start = (job, store, os.getpid())
    with ProcessPoolExecutor(jobs - 1, initializer=_start_worker, initargs=start) as pool:
        futures: list[Future[list[Result]]] = [pool.submit(_in_worker, chunk) for chunk in chunks]
        for position in reversed(range(len(chunks))):
            if not futures[position].cancel():
                break  # a worker has it, and every chunk before it
            parts[position] = _in_order(chunks[position], job, store, reporter)
        for position, future in enumerate(futures):
            if parts[position] is None:
                parts[position] = future.result()
                reporter.advance(len(chunks[position]))
    return [result for part in parts if part is not None for result in part]
