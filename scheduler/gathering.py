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
import copy
import functools
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any, TypeAlias

from scheduler.core.domain import InstanceId, Prebooking, PrebookingId, Seconds, Session, UserId
from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult
from scheduler.core.errors import CorruptRowError, StoreError
from scheduler.store import Store
from scheduler.store.perform import StoreEffect, perform

__all__ = ["StoreCalls"]

# Who goes first when a thread frees: what a send waits for, then the rest.
_PRIORITY: tuple[type[StoreEffect], ...] = (Claim, GetSession, FindReady, MarkResult)
_Waiting: TypeAlias = list[tuple[StoreEffect, "asyncio.Future[Any]"]]
# Per call of a batch, in order: its value, or the exception it gets.
_Answers: TypeAlias = list[Any]
# The sessions of the users just claimed for (None: the user has none), read with the claims.
_Sessions: TypeAlias = dict[UserId, Session | CorruptRowError | None]


class StoreCalls:
    """The store calls of one invocation, performed in batches on ``threads`` (at most
    ``concurrency`` batches at once)."""

    def __init__(self, store: Store, threads: Executor, *, concurrency: int) -> None:
        self._store = store
        self._threads = threads
        self._concurrency = concurrency
        self._waiting: dict[type[StoreEffect], _Waiting] = {kind: [] for kind in _PRIORITY}
        self._running = 0
        self._dispatch_due = False
        self._sessions: _Sessions = {}

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
            kind = next((k for k in _PRIORITY if self._waiting[k]), None)
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
                self._threads, context.run, _perform_batch, self._store, effects
            )
            job.add_done_callback(functools.partial(self._answer, loop, batch))

    def _answer(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: _Waiting,
        job: asyncio.Future[tuple[_Answers, _Sessions]],
    ) -> None:
        self._running -= 1
        if job.cancelled():
            answers: _Answers = [asyncio.CancelledError()] * len(batch)
        elif (failure := job.exception()) is not None:
            answers = [_own(failure, len(batch)) for _ in batch]
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


def _own(failure: BaseException, shared_by: int) -> BaseException:
    """A copy of ``failure`` for each call it answers: the driver stamps each with its time."""
    if shared_by == 1:
        return failure
    try:
        return copy.copy(failure)
    except TypeError:  # an exception whose constructor takes other arguments than its message
        return failure


def _perform_batch(store: Store, effects: Sequence[StoreEffect]) -> tuple[_Answers, _Sessions]:
    """Run one batch (all of one kind) on a store thread: per call its value or exception, and
    the sessions read for the claims' users."""
    first = effects[0]
    if isinstance(first, Claim):
        return _claims(store, [e for e in effects if isinstance(e, Claim)])
    if isinstance(first, GetSession):
        found = store.get_sessions([e.user for e in effects if isinstance(e, GetSession)])
        return [found.get(e.user) for e in effects if isinstance(e, GetSession)], {}
    if isinstance(first, MarkResult) and len(effects) > 1:
        marks = [e for e in effects if isinstance(e, MarkResult)]
        return list(store.record_results(marks)), {}
    return [_alone(store, effect) for effect in effects], {}


def _alone(store: Store, effect: StoreEffect) -> Any:
    try:
        return perform(store, effect)
    except Exception as exc:  # this call's own failure; the others of the batch go on
        return exc


def _claims(store: Store, claims: Sequence[Claim]) -> tuple[_Answers, _Sessions]:
    """One ``claim_many`` per claimer and lease (one invocation has one of each), at the latest
    instant of the batch: every claim in it was asked by then, and is performed later still.
    Then, in the same trip to the thread, one query for the sessions of what was claimed: each
    claimed prebooking's next call is for its user's session."""
    groups: dict[tuple[InstanceId, Seconds | None], list[Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.instance_id, claim.lease), []).append(claim)
    taken: dict[tuple[InstanceId, PrebookingId], Any] = {}
    for (instance_id, lease), group in groups.items():
        now = max(claim.now for claim in group)
        ids = [claim.prebooking_id for claim in group]
        claimed = store.claim_many(ids, instance_id, now, lease=lease)
        taken.update(((instance_id, i), claimed.get(i)) for i in ids)
    answers = [taken[(claim.instance_id, claim.prebooking_id)] for claim in claims]
    users = list(dict.fromkeys(p.user for p in answers if isinstance(p, Prebooking)))
    try:
        found = store.get_sessions(users) if users else {}
    except StoreError:  # the claims stand; each session is asked for on its own
        return answers, {}
    return answers, {user: found.get(user) for user in users}
