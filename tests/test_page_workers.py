"""The render workers: every chunk rendered once, workers replaced by fresh forks, failures raised here."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from generator.page_workers import ChunkClaims, PageWorkers, WorkerDied

CONTEXT = multiprocessing.get_context("fork")


def build_pass(chunks: int, count: int, render: Callable[[int], Any], **options: Any) -> dict[int, Any]:
    """What `render._make_pages` does with the workers, without pages: poll between steps of its
    own (here, short sleeps) until every chunk is claimed, then collect the rest."""
    claims = ChunkClaims(chunks, CONTEXT)
    got: dict[int, Any] = {}
    with PageWorkers(count, claims, render, CONTEXT, **options) as pool:
        while claims.left.value > 0:
            for n, result in pool.poll():
                assert n not in got
                got[n] = result
            time.sleep(0.005)
        for n, result in pool.rest():
            assert n not in got
            got[n] = result
    return got


def slow_pid(n: int) -> int:
    time.sleep(0.01)
    return os.getpid()


def test_every_chunk_is_rendered_once_by_workers_renewed_along_the_way() -> None:
    got = build_pass(40, 2, slow_pid, lifetime=3)
    assert sorted(got) == list(range(40))
    assert os.getpid() not in got.values()
    # Without renewal two processes render everything; here each lives for about three chunks.
    assert len(set(got.values())) >= 8, got


def test_chunks_that_render_nothing_do_not_wear_a_worker_out() -> None:
    """A chunk of links to the previous site's pages reads nothing of the corpus: the same pass as
    above, its chunks weighing nothing but every fourth, renews the workers a few times, not ten."""
    got = build_pass(40, 2, slow_pid, lifetime=3, work=tuple(int(n % 4 == 0) for n in range(40)))
    assert sorted(got) == list(range(40))
    assert 2 <= len(set(got.values())) <= 5, got
    alone = build_pass(40, 2, slow_pid, lifetime=3, work=(0,) * 40)
    assert len(set(alone.values())) == 2, alone


def test_a_worker_that_read_the_whole_corpus_is_replaced_at_the_next_step() -> None:
    def slower_pid(n: int) -> int:
        time.sleep(0.03)
        return os.getpid()

    alone = build_pass(10, 1, slower_pid, lifetime=100)
    assert len(set(alone.values())) == 1
    got = build_pass(10, 1, slower_pid, lifetime=100, heavy=frozenset({0}))
    assert sorted(got) == list(range(10))
    # It goes on until this process, between two of its steps (5 ms here), forks its successor.
    assert list(got.values()).count(got[0]) <= 3 and got[9] != got[0], got


def test_workers_go_on_while_this_process_is_busy_and_reads_no_result() -> None:
    """A busy build (a long step of its own) does not stop the workers: their results wait in the
    pipe, which holds far more than the 64 KB of a default one (a worker blocked writing could
    neither go on nor end)."""
    claims = ChunkClaims(300, CONTEXT)
    with PageWorkers(2, claims, lambda n: bytes(1000), CONTEXT) as pool:
        deadline = time.monotonic() + 20
        while claims.left.value > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert claims.left.value == 0, "the workers stopped before every chunk was claimed"
        got = dict(pool.rest())
    assert sorted(got) == list(range(300))


def test_an_error_in_a_worker_is_raised_here_and_the_other_workers_are_stopped() -> None:
    def failing(n: int) -> int:
        if n == 5:
            raise ValueError("chunk 5 is broken")
        time.sleep(0.01)
        return n

    with pytest.raises(ValueError, match="chunk 5 is broken"):
        build_pass(200, 2, failing)
    assert not multiprocessing.active_children()


def test_a_worker_that_is_killed_fails_the_pass() -> None:
    def dying(n: int) -> int:
        if n == 3:
            os._exit(9)
        return n

    with pytest.raises(WorkerDied):
        build_pass(20, 2, dying)
    assert not multiprocessing.active_children()


def test_an_error_that_cannot_cross_to_this_process_is_told_by_name() -> None:
    class Unpicklable(Exception):
        def __reduce__(self) -> Any:
            raise TypeError("no")

    def failing(n: int) -> int:
        raise Unpicklable("local class")

    with pytest.raises(RuntimeError, match="Unpicklable: local class"):
        build_pass(3, 1, failing)


def test_this_process_and_the_workers_claim_each_chunk_once() -> None:
    claims = ChunkClaims(10, CONTEXT)
    assert claims.claim(9) and not claims.claim(9)
    firsts = [claims.first_free() for _ in range(10)]
    assert firsts == [0, 1, 2, 3, 4, 5, 6, 7, 8, None]
    assert claims.left.value == 0
