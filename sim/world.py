"""The world the scheduler's flows touch, modelled in SimPy time.

- the database: each query waits for one of its ``capacity`` connections (if limited), takes a
  drawn delay, then acts on a ``MemoryStore`` (the same claim and result rules as the SQL store);
- the network and AimHarder: a booking travels ``inbound``, queues for one of the server's
  ``capacity`` slots in arrival order, is processed by the mock server's own ``Gym`` rules (so the
  sim and the mock decide alike, and both journal), and travels back ``outbound``. The request
  lives on its own: when the client gives up (its timeout) or is killed, the server still
  processes it, as a real one would.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

import numpy as np
import simpy

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.gym import BookingOutcome, Gym
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.latency import Sampler
from scheduler.core.domain import BookingResult
from scheduler.core.effects import Book, Claim, FindReady, GetSession, MarkResult
from scheduler.core.errors import TransportError
from scheduler.store import MemoryStore
from scheduler.store.perform import perform
from sim.driver import WorldEffect
from sim.scenario import Scenario

__all__ = ["SimWorld"]


class SimWorld:
    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        *,
        store: MemoryStore,
        gym: Gym,
        accounts: dict[str, Account],
        streams: list[np.random.Generator],
    ) -> None:
        db, book = scenario.database, scenario.aimharder.book
        self.env = env
        self.store = store
        self.gym = gym
        self._accounts = accounts
        draws = iter(streams)
        self._db = {
            FindReady: Sampler(db.find_ready, next(draws)),
            Claim: Sampler(db.claim, next(draws)),
            GetSession: Sampler(db.get_session, next(draws)),
            MarkResult: Sampler(db.mark_result, next(draws)),
        }
        self._inbound = Sampler(book.inbound, next(draws))
        self._service = Sampler(book.service, next(draws))
        self._outbound = Sampler(book.outbound, next(draws))
        capacity = book.capacity if book.capacity is not None else 10**9
        self._server = simpy.Resource(env, capacity=capacity)
        self._database = None if db.capacity is None else simpy.Resource(env, db.capacity)

    STREAMS = 7  # how many random streams the world draws from

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]:
        if isinstance(effect, Book):
            return (yield from self._book(effect))
        if self._database is None:
            yield self.env.timeout(self._db[type(effect)].sample())
            return perform(self.store, effect)
        with self._database.request() as connection:
            yield connection
            yield self.env.timeout(self._db[type(effect)].sample())
            return perform(self.store, effect)

    def _book(self, effect: Book) -> Generator[simpy.Event, Any, BookingResult]:
        request = self.env.process(self._request(effect))
        deadline = self.env.timeout(effect.timeout)
        yield request | deadline
        if not request.triggered:
            raise TransportError(
                f"POST /api/book timed out after {effect.timeout:g} s", now=self.env.now
            )
        outcome = cast(BookingOutcome, request.value)
        return BookingResult(
            book_state=int(outcome.book_state),
            reservation_id=None if outcome.reservation_id is None else str(outcome.reservation_id),
            message=None if outcome.refusal is None else outcome.refusal.message,
            message_lang=None if outcome.refusal is None else outcome.refusal.lang,
        )

    def _request(self, effect: Book) -> Generator[simpy.Event, Any, BookingOutcome]:
        env = self.env
        yield env.timeout(self._inbound.sample())
        received = Stamp(monotonic=env.now, wall=env.now)
        with self._server.request() as slot:
            yield slot
            yield env.timeout(self._service.sample())
            processed = Stamp(monotonic=env.now, wall=env.now)
            prebooking = effect.prebooking
            outcome = self.gym.book(
                self._accounts[prebooking.user],
                class_id=prebooking.class_id,
                day=prebooking.day,
                box=prebooking.box,
                insist=False,
                received=received,
                processed=processed,
            )
        yield env.timeout(self._outbound.sample())
        return outcome
