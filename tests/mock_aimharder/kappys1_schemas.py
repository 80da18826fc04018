"""kappys1/aim-harder-webbot's reading of AimHarder's answers, restated as pydantic models and
small functions (written from its rules, not its code).

- ``modules/booking/api/models/booking.api.ts``: each listing row's field types (numbers,
  nullable strings; ``limit`` and ``limitc`` a number or a string), the listing's envelope
  (``clasesDisp``, ``timetable`` of ``{id, time}``, ``day``, ``bookings``, ``seminars``, an
  optional ``resmsgs``), the booking answer (``clasesContratadas`` required; ``bookState``; ``id``,
  ``errorMssg``, ``errorMssgLang`` strings and ``max`` a number when present) and the cancel
  answer (``cancelState``);
- ``modules/booking/api/mappers/booking.mapper.ts``: a row's status (disabled when ``enabled``
  is 0; booked when ``bookState`` is 1; else, with no spot left (``limitc - ocupation``), waitlist
  when ``waitlist > 0`` or full; else available), the user's reservation is ``idres``; the
  booking answer's reading (1 booked with its ``id``; -12 with "No puedes hacer más de una
  reserva a la misma hora" already booked; other -12 too early, N read from "N días de
  antelación"; -8 the limit with ``max``; anything else failed, with ``errorMssg`` or "Unknown
  booking error");
- ``modules/booking/utils/booking.utils.ts``: ``canUserBook`` = available or waitlist, in the
  plan (``included``) and no ``idres``; ``canUserCancel`` = booked, or waitlist with an ``idres``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["BookAnswer", "CancelAnswer", "Listing", "book_result", "row_state"]

Number = int | float  # strict (the models' config): a bool is not a number
ALREADY_BOOKED = re.compile(
    r"no\s+puedes\s+hacer\s+más\s+de\s+una\s+reserva\s+a\s+la\s+misma\s+hora", re.I
)
DAYS_AHEAD = re.compile(r"(\d+)\s+días?\s+de\s+antelación")


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class _TimeSlot(_Open):
    id: str
    time: str


class Row(_Open):
    id: Number
    zoomid: str | None
    zoomJoinUrl: str | None
    zoomJoinPw: str | None
    onlineclass: Number
    idres: Number | None
    spotres: str | None
    time: str
    timeid: str
    classId: Number
    className: str
    classDesc: str
    boxName: str
    boxDir: str
    boxPic: str | None
    coachName: str | None
    coachPic: str | None
    enabled: Number
    bookState: Number | None
    limit: Number | str
    limitc: Number | str
    ocupation: Number
    checkAthletesNum: Number
    waitlist: Number
    cancelledId: Number | str | None
    color: str
    classLength: Number
    resadmin: Number
    included: Number


class Listing(_Open):
    clasesDisp: str
    timetable: list[_TimeSlot]
    day: str
    bookings: list[Row]
    seminars: list[str]
    resmsgs: list[str] | None = None


class BookAnswer(_Open):
    clasesContratadas: str
    hasPublicMemberships: Number | None = None
    bookState: Number
    id: str | None = None
    errorMssg: str | None = None
    errorMssgLang: str | None = None
    max: Number | None = None


class CancelAnswer(_Open):
    cancelState: Number


def row_state(raw: dict[str, Any]) -> tuple[str, bool, bool]:
    """``(status, canUserBook, canUserCancel)`` of a listing row, by kappys1's rules."""
    row = Row.model_validate(raw)
    if row.enabled == 0:
        status = "disabled"
    elif row.bookState == 1:
        status = "booked"
    elif max(0.0, float(row.limitc) - row.ocupation) == 0:
        status = "waitlist" if row.waitlist > 0 else "full"
    else:
        status = "available"
    can_book = status in ("available", "waitlist") and row.included == 1 and not row.idres
    can_cancel = status == "booked" or (status == "waitlist" and row.idres is not None)
    return status, can_book, can_cancel


def book_result(raw: dict[str, Any]) -> tuple[bool, str, int | None]:
    """``(success, kind, days ahead)`` of a booking answer: kind ``booked``,
    ``already_booked_manually`` (counted a success), ``early_booking`` (with N days when the
    message gives it), ``max_bookings_reached`` or ``booking_failed``."""
    answer = BookAnswer.model_validate(raw)
    message = answer.errorMssg or ""
    if answer.bookState == 1:
        return True, "booked", None
    if answer.bookState == -12 and ALREADY_BOOKED.search(message):
        return True, "already_booked_manually", None
    if answer.bookState == -12:
        found = DAYS_AHEAD.search(message)
        return False, "early_booking", int(found[1]) if found else None
    if answer.bookState == -8:
        return False, "max_bookings_reached", None
    return False, "booking_failed", None
