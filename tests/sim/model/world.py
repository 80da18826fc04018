"""A scripted world for driving the scheduler's flows in SimPy time with exact, chosen latencies.

Test support, not a model: every latency and every AimHarder answer is a function the test hands
in, so a test can state the whole trace it expects. The state is a real ``MemoryStore``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from harness.measures import holds_place
from scheduler.core.domain import BookingResult, Prebooking, PrebookingId, Seconds
from scheduler.core.effects import Book, ReadPlace
from scheduler.core.errors import DriverError, TransportError
from scheduler.store import MemoryStore
from scheduler.store.perform import perform
from sim.model.driver import WorldEffect

__all__ = ["Answer", "ScriptedWorld", "booked"]

# (prebooking, attempt number from 1, arrival instant) -> what AimHarder answers or raises
Answer = Callable[[Prebooking, int, float], BookingResult | DriverError]


def booked(prebooking: Prebooking, attempt: int, now: float) -> BookingResult:
    return BookingResult(book_state=1, reservation_id=f"r-{prebooking.id}")


@dataclass
class ScriptedWorld:
    env: simpy.Environment
    store: MemoryStore
    inbound: Callable[[Prebooking, int], Seconds] = lambda p, attempt: 0.1
    outbound: Seconds = 0.1
    db: Seconds = 0.0  # every store call
    answer: Answer = booked
    sends: list[tuple[float, PrebookingId]] = field(default_factory=list)  # (sent at, id)
    journal: list[tuple[float, PrebookingId]] = field(default_factory=list)  # (processed at, id)
    places: dict[PrebookingId, int] = field(default_factory=dict)  # bookState once one is held
    _attempts: dict[PrebookingId, int] = field(default_factory=dict)

    def perform(self, effect: WorldEffect) -> Generator[simpy.Event, Any, Any]:
        if isinstance(effect, Book):
            return (yield from self._book(effect))
        if isinstance(effect, ReadPlace):
            yield self.env.timeout(min(2 * self.outbound, effect.timeout))
            if 2 * self.outbound > effect.timeout:
                raise TransportError("listing timed out")
            return self.places.get(effect.prebooking.id)
        yield self.env.timeout(self.db)
        return perform(self.store, effect)

    def _book(self, effect: Book) -> Generator[simpy.Event, Any, BookingResult]:
        prebooking = effect.prebooking
        attempt = self._attempts.get(prebooking.id, 0) + 1
        self._attempts[prebooking.id] = attempt
        sent = self.env.now
        self.sends.append((sent, prebooking.id))
        inbound = self.inbound(prebooking, attempt)
        if inbound + self.outbound > effect.timeout:
            yield self.env.timeout(effect.timeout)
            raise TransportError("timed out", now=self.env.now)
        yield self.env.timeout(inbound)
        self.journal.append((self.env.now, prebooking.id))
        answer = self.answer(prebooking, attempt, self.env.now)
        if isinstance(answer, BookingResult) and holds_place(answer.book_state):
            self.places.setdefault(prebooking.id, answer.book_state)
        yield self.env.timeout(self.outbound)
        if isinstance(answer, DriverError):
            answer.now = self.env.now
            raise answer
        return answer
