"""What a flow asks of the world, and what the world answers.

Flows (``flows``) are generators that yield these effects; a driver performs each one.
This is the whole interface between the decisions and the I/O: the asyncio driver performs the
effects with SQL and HTTP in real time, the SimPy driver in simulated time.

The driver protocol:

- A flow is created with the instant it starts (``run_invocation(..., now=...)``); the driver
  starts it with ``next(flow)`` and gets its first effect.
- For each effect the driver replies ``flow.send(Reply(value=..., now=...))``, ``now`` being its
  clock when the effect completed, or throws the failure in with ``flow.throw(error)``: a
  ``Failure`` (``DriverError`` for AimHarder, ``StoreError`` for the store) on which the driver
  has stamped its clock (``Failure.at(now)``). The flow never asks for the time.
- ``StopIteration.value`` is what the flow returns. The flows handle every domain error; any
  other exception out of a flow is a bug, and the driver lets it propagate.

What a driver does for each effect, and what it replies:

    FindReady(now, limit, lease) -> tuple[Prebooking, ...]  ready by now (pending, or executing
                                                          with a lease expired), FIFO, <= limit
    Claim(id, instance, now, lease) -> Prebooking | None  one atomic pending -> executing (or an
                                                          expired executing -> executing)
    GetSession(user)           -> Session | None
    Book(prebooking, session, timeout) -> BookingResult   or throws TransportError (also when
                                                          ``timeout`` s pass), HttpStatusError,
                                                          SessionExpiredError
    ReadPlace(prebooking, session, timeout) -> int | None the user's ``bookState`` in that class
                                                          from AimHarder's listing (1 booked, 0
                                                          waitlisted), None: holds no place; or
                                                          throws as ``Book`` does
    MarkResult(id, event, ...) -> bool                    the claimer's event (complete, fail,
                                                          unanswered, release); False: the row
                                                          was no longer ours
    Sleep(until)               -> None                    replies at ``until`` (or at once if past)
    Spawn(key, flow)           -> None                    starts ``flow`` as a child of this flow,
                                                          driven the same way, concurrently;
                                                          replies at once
    WaitAny(among, until)      -> tuple[Finished, ...]    the children named in ``among`` that
                                                          have returned, with their values; if
                                                          none has, waits for the first one, or
                                                          until ``until`` (None: no limit), then ()

The flow keeps the books: ``among`` is the children it has spawned and not yet heard back from,
so a driver needs no memory of what it has already reported. ``ask`` yields an effect and gives
back its reply typed by the effect (``Asks[T]``), so a flow's ``Reply`` values are never ``Any``.

Equality: effects compare by value, so traces compare with ``==``; ``Spawn`` holds a generator,
which is equal only to itself.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar, cast

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Seconds,
    Session,
    UserId,
)
from scheduler.core.status import Event

__all__ = [
    "Asks",
    "Book",
    "Claim",
    "Effect",
    "FindReady",
    "Finished",
    "Flow",
    "GetSession",
    "MarkResult",
    "ReadPlace",
    "Reply",
    "Sleep",
    "Spawn",
    "WaitAny",
    "ask",
]

T = TypeVar("T")


class Asks(Generic[T]):
    """An effect whose reply value is a ``T`` (a marker: it adds no field and no behaviour)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FindReady(Asks[tuple[Prebooking, ...]]):
    now: Instant
    limit: int
    lease: Seconds | None = None  # None: an executing prebooking is never ready again


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim(Asks[Prebooking | None]):
    prebooking_id: PrebookingId
    instance_id: InstanceId
    now: Instant
    lease: Seconds | None = None  # None: only a pending prebooking may be claimed


@dataclass(frozen=True, slots=True, kw_only=True)
class GetSession(Asks[Session | None]):
    user: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class Book(Asks[BookingResult]):
    prebooking: Prebooking
    session: Session
    timeout: Seconds  # the core's bound: no request outlives the invocation's budget


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadPlace(Asks[int | None]):
    """AimHarder's own word on whether the user holds the class: its listing, not our record."""

    prebooking: Prebooking
    session: Session
    timeout: Seconds  # the same bound as a Book's


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkResult(Asks[bool]):
    prebooking_id: PrebookingId
    instance_id: InstanceId
    event: Event  # what happened to the claimed row; the store's table says where it leads
    executed_at: Instant
    result: BookingResult | None
    error: str | None
    attempts: int
    unanswered_at: Instant | None = None  # the earliest send never answered (Prebooking's)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sleep(Asks[None]):
    until: Instant


@dataclass(frozen=True, slots=True, kw_only=True)
class Spawn(Asks[None]):
    key: PrebookingId
    flow: Flow[Any]  # compared by identity: a generator is equal only to itself


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitAny(Asks["tuple[Finished, ...]"]):
    among: frozenset[PrebookingId]  # the children still running, as far as the flow knows
    until: Instant | None  # None: wait for the next child, however long


@dataclass(frozen=True, slots=True, kw_only=True)
class Finished:
    """A child flow that returned; ``value`` is what it returned."""

    key: PrebookingId
    value: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply(Generic[T]):
    value: T
    now: Instant


Effect: TypeAlias = (
    FindReady | Claim | GetSession | Book | ReadPlace | MarkResult | Sleep | Spawn | WaitAny
)
Flow: TypeAlias = Generator[Effect, Reply[Any], T]


def ask(effect: Asks[T]) -> Generator[Effect, Reply[Any], Reply[T]]:
    """Yield ``effect`` and return its reply, typed by what the effect asks for.

    The one place that trusts the driver protocol above: a driver replies to an ``Asks[T]``
    with a ``T``.
    """
    reply = yield cast(Effect, effect)
    return cast(Reply[T], reply)
