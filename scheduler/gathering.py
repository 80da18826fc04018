"""One invocation's store calls, gathered into batches on their way to the store's threads.

The prebookings an invocation starts at one instant (all of them, for ``parallel``) each ask for
their claim in the same turn of the event loop, and then for their session. Asked one by one,
those calls queue on the store's threads (SQLite has one), so the last booking of a parallel
invocation would be sent only after 49 claims and 49 session reads, and its result written after
49 others. Here the calls of one kind that wait together go as one: claims in one statement
(``Store.claim_many``: the same lease and claimer rules as one claim), sessions in one query
(``Store.get_sessions``), results in one transaction (``Store.record_results``).

A batch leaves on the next turn of the loop, so every call of the instant is in it; calls that
come while the store is busy wait and leave together when a thread frees. Claims and session
reads go before results: a send never waits for a result to be written. The flows see nothing
of this: each call gets its own answer, or its own failure.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
from concurrent.futures import Executor
from typing import Any, TypeAlias

from scheduler.core.effects import GetSession
from scheduler.core.errors import CorruptRowError
from scheduler.store import Store
from scheduler.store.batches import PRIORITY, Answers, Sessions, own, perform_batch
from scheduler.store.perform import StoreEffect
from scheduler.tracing import BatchRan, Tracer

__all__ = ["StoreCalls"]

_Waiting: TypeAlias = list[tuple[StoreEffect, "asyncio.Future[Any]"]]


class StoreCalls:
    """The store calls of one invocation, performed in batches on ``threads`` (at most
    ``concurrency`` batches at once)."""

    def __init__(
        self, store: Store, threads: Executor, *, concurrency: int, tracer: Tracer | None = None
    ) -> None:
        self._store = store
        self._tracer = tracer
        self._threads = threads
        self._concurrency = concurrency
        self._waiting: dict[type[StoreEffect], _Waiting] = {kind: [] for kind in PRIORITY}
        self._running = 0
        self._dispatch_due = False
        self._sessions: Sessions = {}

    async def perform(self, effect: StoreEffect) -> Any:
        """What ``effect`` gives back (as ``scheduler.store.perform``), once its batch ran."""
        if isinstance(effect, GetSession) and effect.user in self._sessions:
            session = self._sessions.pop(effect.user)  # read with the claim, for this call
            if isinstance(session, CorruptRowError):
                raise session
            return session
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting[type(effect)].append((effect, answer))
        self._wake(loop)
        return await answer

    def _wake(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._dispatch_due and self._running < self._concurrency:
            self._dispatch_due = True
            loop.call_soon(self._dispatch, loop)  # after every call of this turn has come

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        self._dispatch_due = False
        while self._running < self._concurrency:
            kind = next((k for k in PRIORITY if self._waiting[k]), None)
            if kind is None:
                return
            batch = [(e, a) for e, a in self._waiting[kind] if not a.cancelled()]
            self._waiting[kind] = []
            if not batch:
                continue
            self._running += 1
            effects = [effect for effect, _ in batch]
            # In a copy of this context: the store sees the invocation's cut (store.cut).
            context = contextvars.copy_context()
            job = loop.run_in_executor(
                self._threads, context.run, _run_batch, self._store, effects, self._tracer
            )
            job.add_done_callback(functools.partial(self._answer, loop, batch))

    def _answer(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: _Waiting,
        job: asyncio.Future[tuple[Answers, Sessions]],
    ) -> None:
        self._running -= 1
        if job.cancelled():
            answers: Answers = [asyncio.CancelledError()] * len(batch)
        elif (failure := job.exception()) is not None:
            answers = [own(failure, len(batch)) for _ in batch]
        else:
            answers, sessions = job.result()
            self._sessions.update(sessions)
        for (_, answer), value in zip(batch, answers, strict=True):
            if answer.done():  # cancelled: the invocation was cut
                continue
            if isinstance(value, BaseException):
                answer.set_exception(value)
            else:
                answer.set_result(value)
        self._wake(loop)


def _run_batch(
    store: Store, effects: list[StoreEffect], tracer: Tracer | None
) -> tuple[Answers, Sessions]:
    """``perform_batch`` on a store thread, told to ``tracer`` when there is one."""
    if tracer is None:
        return perform_batch(store, effects)
    started = time.time()
    try:
        return perform_batch(store, effects)
    finally:
        tracer(
            BatchRan(
                effects=tuple(effects),
                thread=threading.get_ident(),
                started=started,
                ended=time.time(),
            )
        )
