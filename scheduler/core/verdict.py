"""What an AimHarder answer means for a prebooking: booked, refused for good, or try again.

The codes are AimHarder's ``bookState`` values as public clients read them (mock_aimharder/API.md,
"POST /api/book").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scheduler.core.domain import BookingResult

__all__ = [
    "ALREADY_BOOKED",
    "BOOKED",
    "HOLDS_SPOT",
    "TOO_EARLY",
    "WAITLISTED",
    "Verdict",
    "VerdictKind",
    "holds_place",
    "judge",
    "judge_place",
]

BOOKED = 1
WAITLISTED = 0
NOT_ALLOWED = -12
# errorMssgLang of a -12: the user already holds this class (kappys1 counts it as booked,
# "alreadyBookedManually"); and the window is not open yet (days or hours ahead).
ALREADY_BOOKED = "NOPUEDESRESERVAMISMAHORA"
TOO_EARLY = ("ERROR_ANTELACION_CLIENTE", "ERROR_ANTELACION_CLIENTE_HORAS")


class VerdictKind(StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    ALREADY_BOOKED = "already booked"
    TOO_EARLY = "too early"  # worth another attempt: a clock a little ahead of AimHarder's
    REFUSED = "refused"


# The user ends with a place (or a waitlist place): the prebooking is completed. "Already
# booked" gives no place: it says the user held one before this answer.
HOLDS_SPOT = frozenset({VerdictKind.BOOKED, VerdictKind.WAITLISTED, VerdictKind.ALREADY_BOOKED})


def holds_place(book_state: int | None) -> bool:
    """Whether AimHarder gave the user a place with this answer: booked or on the waitlist.

    Both count as a place (the waitlist moves up on its own; README: the waitlist counts as
    completed). Every judge counts places in the journal with this, never by its own codes.
    """
    return book_state in (BOOKED, WAITLISTED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    kind: VerdictKind
    message: str | None = None

    @property
    def holds_spot(self) -> bool:
        return self.kind in HOLDS_SPOT

    @property
    def retryable(self) -> bool:
        return self.kind is VerdictKind.TOO_EARLY


def judge(result: BookingResult) -> Verdict:
    state, lang = result.book_state, result.message_lang
    if state == BOOKED:
        return Verdict(kind=VerdictKind.BOOKED)
    if state == WAITLISTED:
        return Verdict(kind=VerdictKind.WAITLISTED, message="on the waitlist")
    if state == NOT_ALLOWED and lang == ALREADY_BOOKED:
        return Verdict(kind=VerdictKind.ALREADY_BOOKED, message="already booked")
    message = result.message or f"booking refused with bookState {state}"
    if state == NOT_ALLOWED and lang in TOO_EARLY:
        return Verdict(kind=VerdictKind.TOO_EARLY, message=message)
    return Verdict(kind=VerdictKind.REFUSED, message=message)


def judge_place(book_state: int | None) -> VerdictKind | None:
    """What the listing's ``bookState`` for the user says: booked, waitlisted, or None (no place).

    The listing shows 1 for a place and 0 for a waitlist place, nothing when the user holds
    neither (mock_aimharder/API.md, "GET /api/bookings"); only these settle an unknown booking.
    """
    if book_state == BOOKED:
        return VerdictKind.BOOKED
    if book_state == WAITLISTED:
        return VerdictKind.WAITLISTED
    return None
