"""What a flow asks of the world, and what the world answers.

Flows (``scheduler.flows``) are generators that yield these effects; a driver performs each one and
sends back a ``Reply`` carrying the value and the driver's clock, or throws the failure in (a
``DriverError`` carries its own ``now``; store failures are thrown in as ``StoreError``). This is
the whole interface between the decisions and the I/O: the asyncio driver performs the effects
with SQL and HTTP in real time, the SimPy driver in simulated time.

What a driver does for each effect, and what it replies:

    FindReady(now, limit)      -> tuple[Prebooking, ...]  pending, ready by now, FIFO, <= limit
    Claim(id, instance, now)   -> Prebooking | None       one atomic pending -> executing
    GetSession(user)           -> Session | None
    Book(prebooking, session, timeout) -> BookingResult   or throws TransportError, HttpStatusError,
                                                          SessionExpiredError
    MarkResult(...)            -> bool                    False: the row was no longer ours
    Sleep(until)               -> None                    replies at ``until``
    Spawn(key, flow)           -> None                    starts ``flow`` as a child, concurrently
    WaitAny(until)             -> tuple[Finished, ...]    children finished since the last WaitAny;
                                                          () when ``until`` came first
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from scheduler.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Seconds,
    Session,
    UserId,
)
from scheduler.status import Status

__all__ = [
    "Book",
    "Claim",
    "Effect",
    "FindReady",
    "Finished",
    "Flow",
    "GetSession",
    "MarkResult",
    "Reply",
    "Sleep",
    "Spawn",
    "WaitAny",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class FindReady:
    now: Instant
    limit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    prebooking_id: PrebookingId
    instance_id: InstanceId
    now: Instant


@dataclass(frozen=True, slots=True, kw_only=True)
class GetSession:
    user: UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class Book:
    prebooking: Prebooking
    session: Session
    timeout: Seconds  # the core's bound: no request outlives the invocation's budget


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkResult:
    prebooking_id: PrebookingId
    instance_id: InstanceId
    status: Status
    executed_at: Instant
    result: BookingResult | None
    error: str | None
    attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Sleep:
    until: Instant


@dataclass(frozen=True, slots=True, kw_only=True)
class Spawn:
    key: PrebookingId
    flow: Flow[Any]  # compared by identity: a generator is equal only to itself


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitAny:
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


Effect: TypeAlias = FindReady | Claim | GetSession | Book | MarkResult | Sleep | Spawn | WaitAny
Flow: TypeAlias = Generator[Effect, Reply[Any], T]
