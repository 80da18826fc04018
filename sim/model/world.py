"""The world the scheduler's flows touch, modelled in SimPy time.

- the database: the calls of one instant gathered into one trip as the asyncio driver gathers
  them (``sim.model.database``); a trip waits for one of the database's ``capacity`` connections (if
  limited), takes a drawn delay, then acts on a ``MemoryStore`` (the SQL store's rules);
- the scheduler's own machinery (``sim.model.machinery``): start-up, thread hand-offs, sends over a
  connection pool;
- the network and AimHarder: a booking travels ``inbound``, queues for one of the server's
  ``capacity`` slots in arrival order, is processed by the mock server's own ``Gym`` rules (so the
  sim and the mock decide alike, and both journal), and travels back ``outbound``. The request
  lives on its own: when the client gives up (its timeout) or is killed, the server still
  processes it, as a real one would;
- the listing (``ReadPlace``) travels like a booking, takes no slot, and reads the gym's state
  at the instant it lands;
- faults (``sim.model.faults``, when on): a booking answered 503, 429 or "too early" in front
  of the rules (nothing processed), or processed and its answer lost or held on its way back;
- outside demand: other members' bookings (``Gym.outside_schedule``, the same seeded stream the
  mock server sends) reach the server at their instants and queue for the same slots.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import simpy

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.codes import BookState, too_early
from mock_aimharder.model.gym import BookingOutcome, Gym
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.outside import OutsideRequest
from scheduler.core.domain import BookingResult
from scheduler.core.effects import Book, Claim, FindReady, GetSession, MarkResult, ReadPlace
from scheduler.core.errors import HttpStatusError, TransportError
from scheduler.store import MemoryStore
from sim.model.database import StoreTrips
from sim.model.driver import WorldEffect
from sim.model.faults import Faults
from sim.model.history import History
from sim.model.machinery import Client, instant
from sim.model.slots import Slots
from sim.model.streams import Streams
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
        accounts: Mapping[str, Account],
        streams: Streams,
        outside_seed: int | None = None,
        faults: Faults | None = None,
        history: History | None = None,
    ) -> None:
        db, book = scenario.database, scenario.aimharder.book
        self.env = env
        self._faults = faults
        self._history = history
        self.store = store
        self.gym = gym
        self._accounts = accounts
        # One stream per invocation query; one per prebooking for everything done on its
        # behalf, so a prebooking meets the same delays whichever strategy sends it when.
        find_ready = streams.sampler("database.find_ready", db.find_ready)
        self._client = Client(env, scenario.client, streams)
        self._database = StoreTrips(
            env,
            store,
            self._client,
            {
                FindReady: lambda key: find_ready,
                Claim: streams.keyed("database.claim", db.claim),
                GetSession: streams.keyed("database.get_session", db.get_session),
                MarkResult: streams.keyed("database.mark_result", db.mark_result),
            },
            capacity=db.capacity,
            faults=faults,
        )
        self._inbound = streams.keyed("aimharder.book.inbound", book.inbound)
        self._service = streams.keyed("aimharder.book.service", book.service)
        self._outbound = streams.keyed("aimharder.book.outbound", book.outbound)
        # The listing travels like a booking (no queue of its own: a read takes no slot).
        self._listing_inbound = streams.keyed("aimharder.bookings.inbound", book.inbound)
        self._listing_outbound = streams.keyed("aimharder.bookings.outbound", book.outbound)
        # An unlimited server and a fixed-0 service time cost events and model nothing.
        self._server = None if book.capacity is None else Slots(env, book.capacity)
        self._serves = not instant(book.service)
        # No server queue and no client pool: a request's time is known when it is sent.
        self._fixed_durations = self._server is None and self._client.fixed_request_time
        # The outsiders' stream is the mock server's, seeded by one number as the server is.
        if outside_seed is None:
            outside_seed = int(streams.rng("aimharder.outside").integers(2**62))
        for at, class_id, request in gym.outside_schedule(seed=outside_seed, service=book.service):
            env.process(self._outside(at, class_id, request))

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]:
        if type(effect) is Book:
            yield from self._client.turn(effect.prebooking.id)
            return (yield from self._book(effect))
        if type(effect) is ReadPlace:
            return (yield from self._read_place(effect))
        query = cast(FindReady | Claim | GetSession | MarkResult, effect)
        if type(query) is FindReady:
            yield from self._client.start()  # an invocation's first query
        return (yield from self._database.perform(query))

    def _book(self, effect: Book) -> Generator[simpy.Event, Any, BookingResult]:
        # The request's delays are its prebooking's own streams' next draws whenever drawn: a
        # prebooking's attempts are sent one after another, so they draw in the same order.
        key = effect.prebooking.id
        delays = _Delays(
            inbound=self._inbound(key).sample(),
            service=self._service(key).sample() if self._serves else None,
            outbound=self._outbound(key).sample(),
            fault=None if self._faults is None else self._faults.answer(key),
        )
        if (
            self._fixed_durations
            and delays.fault is None
            and delays.back_before(self.env.now, effect.timeout)
        ):
            # Nothing can hold it up and it is back before the deadline, so before any kill:
            # run it in this flow, without a process of its own, a deadline and a condition.
            outcome = yield from self._request(effect, delays)
        else:
            request = self.env.process(self._request(effect, delays))
            deadline = self.env.timeout(effect.timeout)
            yield request | deadline
            if not request.triggered:
                raise TransportError(f"POST /api/book timed out after {effect.timeout:g} s")
            outcome = cast(BookingOutcome | HttpStatusError, request.value)
        if isinstance(outcome, HttpStatusError):
            raise outcome
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

    def _request(
        self, effect: Book, delays: _Delays
    ) -> Generator[simpy.Event, Any, BookingOutcome | HttpStatusError]:
        env, key = self.env, effect.prebooking.id
        yield from self._client.send(key)
        yield env.timeout(delays.inbound)
        if delays.fault == "late_landing" and self._faults is not None:
            late = self._faults.delay("late_landing", self._faults.model.late_landing_delay)
            self._faults.note("late_landing", key, f"{late:.3f} s on its way in")
            yield env.timeout(late)
        received = Stamp(monotonic=env.now, wall=env.now)
        refused = self._refused(delays.fault)
        if refused is not None:  # answered in front of the booking rules: nothing processed
            yield env.timeout(delays.outbound)
            yield from self._client.receive(key)
            return refused
        if self._server is None:
            outcome = yield from self._serve(effect, received, delays.service)
        else:
            turn = self._server.take()
            try:
                if turn is not None:
                    yield turn
                outcome = yield from self._serve(effect, received, delays.service)
            finally:
                self._server.give_back(turn)
        outbound = delays.outbound
        if delays.fault == "lost_answer" and self._faults is not None:
            yield env.event()  # booked, and the answer never comes: the client times out
        if delays.fault == "late_answer" and self._faults is not None:
            late = self._faults.delay("late_answer", self._faults.model.late_answer_delay)
            self._faults.note("late_answer", key, f"{late:.3f} s on its way back")
            outbound += late
        yield env.timeout(outbound)
        yield from self._client.receive(key)
        return outcome

    def _refused(self, fault: str | None) -> BookingOutcome | HttpStatusError | None:
        """The answer of AimHarder's front when fault ``fault`` strikes, if it answers one."""
        if fault == "server_error":
            return HttpStatusError(503, body="fault: service unavailable")
        if fault == "rate_limited" and self._faults is not None:
            retry_after = self._faults.model.retry_after
            return HttpStatusError(429, retry_after=retry_after, body="fault: rate limited")
        if fault == "too_early":
            return BookingOutcome(book_state=BookState.NOT_ALLOWED, refusal=too_early(1))
        return None

    def _outside(
        self, at: float, class_id: int, request: OutsideRequest
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        yield env.timeout(max(0.0, at - env.now))
        received = Stamp(monotonic=env.now, wall=env.now)
        turn = None if self._server is None else self._server.take()
        try:
            if turn is not None:
                yield turn
            yield env.timeout(request.service)
            processed = Stamp(monotonic=env.now, wall=env.now)
            self.gym.book_outside(class_id, request, received=received, processed=processed)
        finally:
            if self._server is not None:
                self._server.give_back(turn)

    def _serve(
        self, effect: Book, received: Stamp, service: float | None
    ) -> Generator[simpy.Event, Any, BookingOutcome]:
        """The server's processing of a received booking, with the mock's own rules."""
        if service is not None:
            yield self.env.timeout(service)
        processed = Stamp(monotonic=self.env.now, wall=self.env.now)
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
        if self._history is not None:
            self._history.processed(effect, len(self.gym.journal))
        return outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class _Delays:
    """One request's way in, processing (None: not waited) and way back."""

    inbound: float
    service: float | None
    outbound: float
    fault: str | None = None  # AimHarder's fault that strikes it (``sim.faults``), if any

    def back_before(self, now: float, timeout: float) -> bool:
        """Whether the answer arrives strictly before ``now + timeout``, adding up the times
        as SimPy's events will (a tie goes to the general path, which decides it as before)."""
        at = now + self.inbound
        if self.service is not None:
            at += self.service
        return at + self.outbound < now + timeout
