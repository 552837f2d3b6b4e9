"""Forked processes that render a pass's chunks of pages, each replaced by a fresh fork once it has
rendered its share.

A forked worker shares this process's memory until either of them writes to a page of it, and
reference counting writes to every object read: over the longest pass of a full build at 10,000
articles, each of the two workers came to hold 390-480 MB of its own (sampled each second), half of
the build's peak, most of it copies of articles whose pages it had rendered long before. A fresh
fork shares everything again. `ProcessPoolExecutor` cannot renew forked workers
(`max_tasks_per_child` refuses the fork start method: its manager thread would fork, and a process
forked from a thread may inherit a lock another thread holds), so this process forks them itself,
on its own thread, when it chooses: between its own steps (`PageWorkers.poll`). A worker never
waits to be replaced: told to retire, it ends after its current chunk, and its successor has
started already.
"""

from __future__ import annotations

import fcntl
import gc
import math
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

RENDERED, RETIRE = 0, 1
"""A worker's shared state: the pages it has rendered (`work`), and whether it is asked to retire."""
RENEWALS = 8
"""How many times, over a pass, each worker is replaced by a fresh fork. A fork costs this process
about 20 ms a GB of its size (page tables), and the new worker copies again what it first reads (80 to
140 MB in its first chunk of entity pages at 10,000 articles): a full build there took 3% longer."""
POLL_S = 0.02
"""How long `rest` waits for a result before looking for a worker that died."""
PIPE_BYTES = 1 << 20
"""The results' pipe buffer (Linux's limit for a process without privileges): a worker writes its
results without waiting while this process is busy with a step of its own; one waiting to write
could not end, and held its memory (the default 64 KB held a dozen chunks' results, with paths)."""
F_SETPIPE_SZ = 1031


class WorkerDied(Exception):
    """A worker ended without reporting the chunk it had claimed (killed, most likely by the
    kernel when memory ran out)."""


class ChunkClaims:
    """Which chunks of pages have been taken, shared by this process and its forked workers: the
    workers take chunks from the start of the list, and this process, once done with its own work,
    takes them from the end; whoever claims a chunk first renders it. Without this, this process,
    done early, sat idle while the workers rendered the rest; and when memory allows a single worker
    beside the findings, that worker alone would render every page."""

    def __init__(self, count: int, context: Any) -> None:
        self.count = count
        self.taken = context.RawArray("b", max(count, 1))
        self.cursor = context.RawValue("i", 0)
        self.left = context.RawValue("i", count)
        self.from_start = context.RawValue("i", 0)
        """Claimed by `first_free`: the workers' chunks."""
        self.lock = context.Lock()

    def claim(self, n: int) -> bool:
        with self.lock:
            if self.taken[n]:
                return False
            self.taken[n] = 1
            self.left.value -= 1
            return True

    def first_free(self) -> int | None:
        """The first chunk from the start nobody has claimed, now claimed; None when none is left."""
        with self.lock:
            n = self.cursor.value
            while n < self.count and self.taken[n]:
                n += 1
            self.cursor.value = n
            if n == self.count:
                return None
            self.taken[n] = 1
            self.left.value -= 1
            self.from_start.value += 1
            return n


@dataclass(frozen=True)
class _Worker:
    process: Any
    state: Any
    """RawArray: [RENDERED, RETIRE]."""


class PageWorkers:
    """`count` forked workers that claim chunks from the start (`ChunkClaims.first_free`) and
    render each with `render(n)`, until none is left. Each is replaced by a fresh fork once it
    has done `lifetime` work, or one of the `heavy` chunks (those that read the whole corpus,
    such as a data file), the next time this process calls `poll`. Use as a context manager: on
    the way out, workers still running (after an error) are stopped.

    `work`: how much of the corpus each chunk reads, as the number of pages it renders (by default
    one per chunk). A chunk of unchanged pages, linked from the previous site, reads none of it:
    counted as chunks, the 13,499 links of a one-edit rebuild at 10,000 articles had 9 workers
    forked in all where 7 now are, for 641 pages rendered."""

    def __init__(self, count: int, claims: ChunkClaims, render: Callable[[int], Any], context: Any,
                 niceness: int = 0, lifetime: int | None = None, heavy: frozenset[int] = frozenset(),
                 work: tuple[int, ...] | None = None) -> None:
        self.claims, self.render, self.context, self.niceness = claims, render, context, niceness
        self.count, self.heavy = count, heavy
        self.work = work
        total = sum(work) if work is not None else claims.count
        self.lifetime = lifetime or max(1, math.ceil(total / (max(count, 1) * RENEWALS)))
        self.reader, self.writer = context.Pipe(duplex=False)
        self.write_lock = context.Lock()
        try:
            fcntl.fcntl(self.writer.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:  # not Linux, or a lower limit: results wait for this process a little more
            pass
        self.parent = os.getpid()
        self.live: list[_Worker] = []
        self.received = 0
        for _ in range(count):
            self._fork()

    def __enter__(self) -> PageWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.live:
            if worker.process.is_alive():
                worker.process.terminate()
            worker.process.join()
        self.live = []
        self.reader.close()
        self.writer.close()

    def poll(self) -> Iterator[tuple[int, Any]]:
        """The chunks rendered since the last call, as (n, what `render` returned); then, while
        chunks are left, a fresh fork for each worker that has rendered its share or has ended."""
        yield from self._drain()
        self._reap()
        if self.claims.left.value <= 0:
            return
        for worker in self.live:
            if not worker.state[RETIRE] and worker.state[RENDERED] >= self.lifetime:
                worker.state[RETIRE] = 1
        for _ in range(self.count - sum(not worker.state[RETIRE] for worker in self.live)):
            self._fork()

    def rest(self) -> Iterator[tuple[int, Any]]:
        """Every chunk of the workers not yet returned, once all chunks are claimed."""
        expected = self.claims.from_start.value
        while self.received < expected:
            yield from self._drain(timeout=POLL_S)
            if self.received < expected:
                self._reap()
                if not self.live and not self.reader.poll():
                    raise WorkerDied("the workers ended with chunks not reported")

    def _drain(self, timeout: float = 0.0) -> Iterator[tuple[int, Any]]:
        while self.reader.poll(timeout):
            n, pages, error = self.reader.recv()
            if error is not None:
                raise error
            self.received += 1
            yield n, pages
            timeout = 0.0

    def _reap(self) -> None:
        """Forget the workers that have ended; a worker that was killed fails the pass."""
        for worker in list(self.live):
            if worker.process.exitcode is None:
                continue
            worker.process.join()
            self.live.remove(worker)
            if worker.process.exitcode != 0:
                raise WorkerDied(f"a worker ended with code {worker.process.exitcode}")

    def _fork(self) -> None:
        state = self.context.RawArray("i", 2)
        process = self.context.Process(target=self._work, args=(state,), daemon=True)
        process.start()
        self.live.append(_Worker(process, state))

    def _work(self, state: Any) -> None:
        """A worker: dies with the build, steps back, then renders chunks until none is left or it
        is asked to retire. The objects it inherits are out of its collector's sight: a collection
        would write to each, and copy them all."""
        gc.freeze()
        die_with_parent(self.parent)
        if self.niceness:
            os.nice(self.niceness)
        while not state[RETIRE] and (n := self.claims.first_free()) is not None:
            try:
                self._send((n, self.render(n), None))
            except BaseException as exc:  # noqa: BLE001 - raised again in the parent by `poll`
                self._send((n, None, _picklable(exc)))
                return
            state[RENDERED] += self.work[n] if self.work is not None else 1
            if n in self.heavy:  # replaced at the next `poll`; until then, it goes on
                state[RENDERED] = max(state[RENDERED], self.lifetime)

    def _send(self, message: tuple[int, Any, BaseException | None]) -> None:
        with self.write_lock:  # a message longer than the kernel writes at once is not interleaved
            self.writer.send(message)


def _picklable(exc: BaseException) -> BaseException:
    """The exception itself when it can cross to the parent; else one that says what it was."""
    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - any failure to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def die_with_parent(parent: int) -> None:
    """A forked process dies with the build that forked it: one killed by a scheduler must not
    leave it writing into a staging folder that the next build clears."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, as for Pagefind (search.py)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)
