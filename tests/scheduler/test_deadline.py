"""The limit is decided outside the invocations' event loop, as a platform decides it: a served
invocation whose loop is blocked well past the limit still gets its 504 by the limit, and
nothing of it commits after the 504, not even once its loop is free again.

The block in the served test is a real one: the history file is a pipe that nobody reads (a
history on a disk that hangs), so the invocation's first note, written on its loop as its first
booking is about to go out, blocks that loop until the test reads the pipe, after the answer.
The endpoint that ran the invocations on its own loop answered nothing until then (the call
timed out; its flow noticed the cut only once the loop was free).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from harness.gym import enqueue, journal, log_in_all, users
from mock_aimharder.server.serving import serve
from scheduler.app import create_app
from scheduler.core.domain import InstanceId
from scheduler.core.status import Status
from scheduler.core.strategies import strategy
from scheduler.invoke import Invocation
from scheduler.settings import Settings
from scheduler.store import MemoryStore, open_store
from scheduler.worker import Worker
from tests.scheduler.real import mock_gym
from tests.scheduler.served import cron

SECRET = "deadline-test-secret"
LIMIT = 2.0  # seconds: the platform's limit
# How late past the limit the 504 may leave on a loaded machine: the front's own timer and the
# answer's way out (the worker's loop is blocked for the whole call, so it is no part of it).
LATE = LIMIT / 2
ATHLETES = 4
# A pipe's buffer on Linux is 64 KiB; filled in halving chunks down to one byte.
CHUNKS = [1 << k for k in range(16, -1, -1)]


@contextmanager
def full_pipe(path: Path) -> Iterator[Callable[[], None]]:
    """A named pipe at ``path`` with its buffer full: a write to it blocks until the pipe is
    read. Yields what reads it empty; its reader stays open until the block ends."""
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    for size in CHUNKS:
        for _ in range(64):  # bounded: each size fits at most a few times in what is left
            try:
                os.write(writer, b"x" * size)
            except BlockingIOError:
                break
    os.close(writer)

    def drain() -> None:
        for _ in range(1000):  # bounded: 64 KiB at most, 64 KiB a read
            try:
                if not os.read(reader, 1 << 16):
                    return
            except BlockingIOError:
                return

    try:
        yield drain
    finally:
        drain()
        os.close(reader)


def test_a_served_invocation_blocked_on_its_loop_gets_its_504_by_the_limit(
    sql_url: str, tmp_path: Path
) -> None:
    history = tmp_path / "history.pipe"
    athletes = users(ATHLETES)
    with mock_gym(ATHLETES) as aimharder, open_store(sql_url) as store:
        log_in_all(store, aimharder, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(
            database_url="unused",
            aimharder_url=aimharder,
            cron_secret=SECRET,
            history=str(history),
            max_duration=LIMIT,
            policy=strategy("parallel", max_duration=LIMIT, buffer=0.5),
        )
        with full_pipe(history) as drain, serve(create_app(settings, store=store)) as url:
            sent = time.monotonic()
            try:
                status: int | None = cron(url, SECRET, timeout=LIMIT + LATE).status_code
            except httpx.TimeoutException:
                status = None  # no answer at all while the loop is blocked
            answered = time.monotonic() - sent
            at_answer = store.list()
            # Only now can the invocation's loop go on: what it does from here is after the 504.
            drain()
        # The server has stopped: the invocation's task was cancelled and its loop wound down.
        after = store.list()
        books = journal(aimharder)
    assert status == 504
    assert answered < LIMIT + LATE
    # The loop was blocked after a claim: work was in flight when the limit came.
    assert Status.EXECUTING in {p.status for p in at_answer}
    assert after == at_answer  # nothing committed after the 504
    assert books == []  # the first booking's note blocked before it left


SPIN = 1.5  # seconds the worker's loop runs Python without an await
CUT_AFTER = 0.1  # seconds until the front's instant


def test_the_front_answers_at_its_instant_while_the_worker_loop_runs_python() -> None:
    """A CPU-bound step holds the interpreter's lock, but gives it up every switch interval
    (5 ms): the front's timer still fires, and the task is cancelled at its next await."""
    spun, cancelled = threading.Event(), threading.Event()

    async def spin() -> str:
        give_up = time.monotonic() + SPIN
        while time.monotonic() < give_up:
            pass
        spun.set()
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "finished"

    async def front() -> tuple[str, bool]:
        by = time.time() + CUT_AFTER
        answer = await worker.answer(spin(), by=by, cut_short=lambda: "cut")
        return answer, spun.is_set()

    worker = Worker()
    worker.start()
    try:
        answer, spun_by_then = asyncio.run(front())
        spun.wait(SPIN + 5)
    finally:
        assert worker.stop(within=SPIN + 5)
    assert (answer, spun_by_then) == ("cut", False)  # answered while the worker still spun
    assert cancelled.is_set()


def test_an_answer_that_comes_in_time_is_the_answer() -> None:
    async def quick() -> str:
        await asyncio.sleep(0)
        return "done"

    async def front() -> str:
        return await worker.answer(quick(), by=time.time() + 30, cut_short=lambda: "cut")

    worker = Worker()
    worker.start()
    try:
        assert asyncio.run(front()) == "done"
    finally:
        assert worker.stop(within=5)


class NotingStore(MemoryStore):
    """Notes every delivery id it is asked to begin."""

    def __init__(self) -> None:
        super().__init__()
        self.noted: list[InstanceId] = []

    def begin_delivery(self, instance_id: InstanceId, now: float, *, hold: float) -> bool:
        self.noted.append(instance_id)
        return super().begin_delivery(instance_id, now, hold=hold)


def test_an_invocation_cut_before_its_loop_could_start_it_does_not_start() -> None:
    """A busy worker loop reaches calls already answered 504: they touch nothing (the model's
    store obeys no cut, so this is the invocation's own doing)."""
    store = NotingStore()
    policy = strategy("parallel", max_duration=LIMIT, buffer=0.5)
    invocation = Invocation(Settings(policy=policy, max_duration=LIMIT), delivery_id="msg_late")
    cut = invocation.cut_short()
    answer = asyncio.run(invocation.run(store))
    assert (cut.status, answer.status, answer.body["results"]) == (504, 504, None)
    assert store.noted == []
