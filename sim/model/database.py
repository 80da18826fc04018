"""The model's store calls, gathered into trips as the asyncio driver gathers them.

The calls the flows make at one simulated instant wait together and leave as one trip to the
database (``scheduler.store.batches``: the same grouping and order as ``scheduler.gathering``):
claims in one statement with the claimed users' sessions read on the same trip, sessions in one
query, results in one transaction. A trip leaves after every call of its instant has come (an
event scheduled now runs after those already due now, as the event loop's next turn does);
calls that come while the database is busy wait and leave together when it frees.

A trip is priced as one statement of its kind (the scenario's per-query delay, one draw from its
first call's stream, so a lone call meets the delay it always met), plus one session read when
its claims took any; the database serves ``capacity`` trips at once. A killed flow's calls are
not performed: the platform's kill ends the function, its store threads with it.

Faults (``sim.model.faults``, when on): a trip stalls (held longer), or its connection fails
before anything is written, and every call of it gets a ``StoreError``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, cast

import simpy

from mock_aimharder.model.latency import Sampler
from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult
from scheduler.core.errors import CorruptRowError, StoreError
from scheduler.store import MemoryStore
from scheduler.store.batches import PRIORITY, Answers, Sessions, own, perform_batch
from scheduler.store.perform import StoreEffect
from sim.model.faults import Faults
from sim.model.machinery import Client

__all__ = ["StoreTrips"]


@dataclass(slots=True)
class _Call:
    effect: StoreEffect
    answer: simpy.Event
    abandoned: bool = field(default=False)


class StoreTrips:
    """The database as the flows reach it: calls gathered into trips, ``capacity`` trips at
    once (None: no limit). ``delays``: per query kind, the delay stream of a key."""

    def __init__(
        self,
        env: simpy.Environment,
        store: MemoryStore,
        client: Client,
        delays: dict[type[StoreEffect], Callable[[str], Sampler]],
        *,
        capacity: int | None,
        faults: Faults | None = None,
    ) -> None:
        self._env = env
        self._faults = faults
        self._store = store
        self._client = client
        self._delays = delays
        self._capacity = capacity
        self._waiting: dict[type[StoreEffect], list[_Call]] = {kind: [] for kind in PRIORITY}
        self._running = 0
        self._dispatch_due = False
        self._sessions: Sessions = {}

    def perform(self, effect: StoreEffect) -> Generator[simpy.Event, Any, Any]:
        """What ``effect`` gives back, once its trip is over."""
        yield from self._client.turn(_key(effect))  # the flow's step before it asks
        if type(effect) is GetSession and effect.user in self._sessions:
            session = self._sessions.pop(effect.user)  # read with the claim, for this call
            if isinstance(session, CorruptRowError):
                raise session
            return session
        call = _Call(effect, self._env.event())
        self._waiting[type(effect)].append(call)
        self._wake()
        try:
            value = yield call.answer
        except simpy.Interrupt:
            call.abandoned = True  # killed: nobody hears the answer
            raise
        if isinstance(value, BaseException):
            raise value
        return value

    def _free(self) -> bool:
        return self._capacity is None or self._running < self._capacity

    def _wake(self) -> None:
        if not self._dispatch_due and self._free():
            self._dispatch_due = True
            due = self._env.event()
            due.callbacks.append(self._dispatch)  # after every call of this instant has come
            due.succeed()

    def _dispatch(self, _: simpy.Event) -> None:
        self._dispatch_due = False
        while self._free():
            kind = next((k for k in PRIORITY if self._waiting[k]), None)
            if kind is None:
                return
            batch = [call for call in self._waiting[kind] if not call.abandoned]
            self._waiting[kind] = []
            if batch:
                self._running += 1
                self._env.process(self._trip(kind, batch))

    def _trip(
        self, kind: type[StoreEffect], batch: list[_Call]
    ) -> Generator[simpy.Event, Any, None]:
        env, key = self._env, _key(batch[0].effect)
        yield from self._client.handoff(key)
        yield env.timeout(self._delays[kind](key).sample())
        failed = None
        faults = self._faults
        if faults is not None and faults.strikes("database_stall"):
            stall = faults.delay("database_stall", faults.model.database_stall_delay)
            faults.note("database_stall", key, f"{kind.__name__} held {stall:.3f} s")
            yield env.timeout(stall)
        if faults is not None and faults.strikes("database_error"):
            faults.note("database_error", key, f"{kind.__name__}: connection lost")
            failed = StoreError(f"{kind.__name__}: the connection to the database was lost")
        # A call whose flow was killed meanwhile died with its function: its write never ran.
        batch = [call for call in batch if not call.abandoned]
        if not batch:
            self._answer(batch, [], {})
            return
        effects = [call.effect for call in batch]
        try:
            if failed is not None:
                raise failed
            answers, sessions = perform_batch(self._store, effects, ran_at=env.now)
        except Exception as exc:  # the whole trip failed: each call gets its own copy
            answers, sessions = [own(exc, len(batch)) for _ in batch], {}
        if sessions:  # the claimed users' sessions, read on the same trip
            yield env.timeout(self._delays[GetSession](next(iter(sessions))).sample())
        self._answer(batch, answers, sessions)

    def _answer(self, batch: list[_Call], answers: Answers, sessions: Sessions) -> None:
        self._running -= 1
        self._sessions.update(sessions)
        for call, value in zip(batch, answers, strict=True):
            if not call.abandoned:
                call.answer.succeed(value)
        self._wake()


def _key(effect: StoreEffect) -> str:
    """Whose stream a trip's delay comes from: its first call's prebooking (its user), or the
    invocation's for the one query that has none."""
    if type(effect) is GetSession:
        return effect.user
    if type(effect) is FindReady:
        return "find_ready"
    return cast(Claim | MarkResult, effect).prebooking_id
