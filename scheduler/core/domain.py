"""The scheduler's nouns: prebookings, booking results and sessions.

Time is never read here. An ``Instant`` is seconds since the Unix epoch (UTC) handed in by a
driver: the asyncio driver passes the wall clock, the SimPy driver its virtual clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NewType

from scheduler.core.status import Status

__all__ = [
    "BookingResult",
    "InstanceId",
    "Instant",
    "Prebooking",
    "PrebookingId",
    "Seconds",
    "Session",
    "UserId",
]

Seconds = float
Instant = float
PrebookingId = NewType("PrebookingId", str)
UserId = NewType("UserId", str)  # the AimHarder login e-mail
InstanceId = NewType("InstanceId", str)  # one cron invocation


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingResult:
    """What AimHarder answered to ``POST /api/book`` (mock_aimharder/API.md)."""

    book_state: int
    reservation_id: str | None = None
    message: str | None = None  # errorMssg
    message_lang: str | None = None  # errorMssgLang, e.g. "NOPUEDESRESERVAMISMAHORA"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A user's AimHarder cookies (``amhrdrauth`` and friends), as stored after a login."""

    user: UserId
    cookies: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Prebooking:
    """A request to book one class for one user as soon as its booking window opens."""

    id: PrebookingId
    user: UserId
    class_id: int  # the class-session id that /api/book takes as ``id``
    day: str  # YYYYMMDD, as /api/book takes it
    box: int  # the box's numeric id
    available_at: Instant  # when the booking window opens
    created_at: Instant  # when the user asked: the FIFO key
    status: Status = Status.PENDING
    claimed_by: InstanceId | None = None
    claimed_at: Instant | None = None
    executed_at: Instant | None = None
    result: BookingResult | None = None
    error: str | None = None
    attempts: int = 0
    # When the earliest request whose answer never came was sent (None: every one answered).
    # While it may still land the row is not failed (``core.settling``); a failed row with it
    # is read again from AimHarder's listing until the class is over.
    unanswered_at: Instant | None = None

    @property
    def fifo_key(self) -> tuple[Instant, str]:
        """Oldest request first; the id breaks ties so the same rows always sort the same."""
        return (self.created_at, self.id)
