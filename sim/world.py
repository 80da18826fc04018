"""The world the scheduler's flows touch, modelled in SimPy time.

- the database: each query waits for one of its ``capacity`` connections (if limited), takes a
  drawn delay, then acts on a ``MemoryStore`` (the same claim and result rules as the SQL store);
- the scheduler's own machinery (``sim.client``): start-up, thread hand-offs, sends over a
  connection pool;
- the network and AimHarder: a booking travels ``inbound``, queues for one of the server's
  ``capacity`` slots in arrival order, is processed by the mock server's own ``Gym`` rules (so the
  sim and the mock decide alike, and both journal), and travels back ``outbound``. The request
  lives on its own: when the client gives up (its timeout) or is killed, the server still
  processes it, as a real one would;
- the listing (``ReadPlace``) travels like a booking, takes no slot, and reads the gym's state
  at the instant it lands;
- outside demand: other members' bookings (``Gym.outside_schedule``, the same seeded stream the
  mock server sends) reach the server at their instants and queue for the same slots.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

import simpy

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.gym import BookingOutcome, Gym
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.latency import Sampler
from mock_aimharder.model.outside import OutsideRequest
from scheduler.core.domain import BookingResult
from scheduler.core.effects import Book, Claim, FindReady, GetSession, MarkResult, ReadPlace
from scheduler.core.errors import TransportError
from scheduler.store import MemoryStore
from scheduler.store.perform import perform
from sim.client import Client
from sim.driver import WorldEffect
from sim.scenario import Scenario
from sim.streams import Streams

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
        streams: Streams,
        outside_seed: int | None = None,
    ) -> None:
        db, book = scenario.database, scenario.aimharder.book
        self.env = env
        self.store = store
        self.gym = gym
        self._accounts = accounts
        # One stream per invocation query; one per prebooking for everything done on its
        # behalf, so a prebooking meets the same delays whichever strategy sends it when.
        self._find_ready = streams.sampler("database.find_ready", db.find_ready)
        self._claim = streams.keyed("database.claim", db.claim)
        self._get_session = streams.keyed("database.get_session", db.get_session)
        self._mark_result = streams.keyed("database.mark_result", db.mark_result)
        self._inbound = streams.keyed("aimharder.book.inbound", book.inbound)
        self._service = streams.keyed("aimharder.book.service", book.service)
        self._outbound = streams.keyed("aimharder.book.outbound", book.outbound)
        self._client = Client(env, scenario.client, streams)
        # The listing travels like a booking (no queue of its own: a read takes no slot).
        self._listing_inbound = streams.keyed("aimharder.bookings.inbound", book.inbound)
        self._listing_outbound = streams.keyed("aimharder.bookings.outbound", book.outbound)
        capacity = book.capacity if book.capacity is not None else 10**9
        self._server = simpy.Resource(env, capacity=capacity)
        self._database = None if db.capacity is None else simpy.Resource(env, db.capacity)
        # The outsiders' stream is the mock server's, seeded by one number as the server is.
        if outside_seed is None:
            outside_seed = int(streams.rng("aimharder.outside").integers(2**62))
        for at, class_id, request in gym.outside_schedule(seed=outside_seed, service=book.service):
            env.process(self._outside(at, class_id, request))

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]:
        if isinstance(effect, Book):
            return (yield from self._book(effect))
        if isinstance(effect, ReadPlace):
            return (yield from self._read_place(effect))
        if isinstance(effect, FindReady):
            yield from self._client.start()  # an invocation's first query
        yield from self._client.handoff(_key(effect))
        delay = self._query_delay(effect)
        if self._database is None:
            yield self.env.timeout(delay.sample())
            return perform(self.store, effect, ran_at=self.env.now)
        with self._database.request() as connection:
            yield connection
            yield self.env.timeout(delay.sample())
            return perform(self.store, effect, ran_at=self.env.now)

    def _query_delay(self, effect: FindReady | Claim | GetSession | MarkResult) -> Sampler:
        if isinstance(effect, FindReady):
            return self._find_ready
        if isinstance(effect, Claim):
            return self._claim(effect.prebooking_id)
        if isinstance(effect, GetSession):
            return self._get_session(effect.user)
        return self._mark_result(effect.prebooking_id)

    def _book(self, effect: Book) -> Generator[simpy.Event, Any, BookingResult]:
        request = self.env.process(self._request(effect))
        deadline = self.env.timeout(effect.timeout)
        yield request | deadline
        if not request.triggered:
            raise TransportError(f"POST /api/book timed out after {effect.timeout:g} s")
        outcome = cast(BookingOutcome, request.value)
        return BookingResult(
            book_state=int(outcome.book_state),
            reservation_id=None if outcome.reservation_id is None else str(outcome.reservation_id),
            message=None if outcome.refusal is None else outcome.refusal.message,
            message_lang=None if outcome.refusal is None else outcome.refusal.lang,
        )

    def _read_place(self, effect: ReadPlace) -> Generator[simpy.Event, Any, int | None]:
        request = self.env.process(self._listing(effect))
        yield request | self.env.timeout(effect.timeout)
        if not request.triggered:
            raise TransportError(f"GET /api/bookings timed out after {effect.timeout:g} s")
        return cast(int | None, request.value)

    def _listing(self, effect: ReadPlace) -> Generator[simpy.Event, Any, int | None]:
        """The user's ``bookState`` in the class, as the gym lists it when the request lands."""
        env, prebooking = self.env, effect.prebooking
        key = f"listing:{prebooking.id}"  # its own streams: a read shifts no booking's draws
        yield from self._client.send(key)
        yield env.timeout(self._listing_inbound(prebooking.id).sample())
        account = self._accounts[prebooking.user]
        views = self.gym.listing(account, day=prebooking.day, box=prebooking.box)
        state = next((v.book_state for v in views if v.spec.id == prebooking.class_id), None)
        yield env.timeout(self._listing_outbound(prebooking.id).sample())
        yield from self._client.receive(key)
        return None if state is None else int(state)

    def _request(self, effect: Book) -> Generator[simpy.Event, Any, BookingOutcome]:
        env, key = self.env, effect.prebooking.id
        yield from self._client.send(key)
        yield env.timeout(self._inbound(key).sample())
        received = Stamp(monotonic=env.now, wall=env.now)
        with self._server.request() as slot:
            yield slot
            yield env.timeout(self._service(key).sample())
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
        yield env.timeout(self._outbound(key).sample())
        yield from self._client.receive(key)
        return outcome

    def _outside(
        self, at: float, class_id: int, request: OutsideRequest
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        yield env.timeout(max(0.0, at - env.now))
        received = Stamp(monotonic=env.now, wall=env.now)
        with self._server.request() as slot:
            yield slot
            yield env.timeout(request.service)
            processed = Stamp(monotonic=env.now, wall=env.now)
            self.gym.book_outside(class_id, request, received=received, processed=processed)


def _key(effect: FindReady | Claim | GetSession | MarkResult) -> str:
    """Whose stream a query's delays come from: its prebooking's (its user's), or the
    invocation's for the one query that has none."""
    if isinstance(effect, Claim | MarkResult):
        return effect.prebooking_id
    if isinstance(effect, GetSession):
        return effect.user
    return "find_ready"
