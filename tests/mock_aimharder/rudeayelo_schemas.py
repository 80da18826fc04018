"""rudeayelo/aimharder-mcp's strict reading of AimHarder's answers, restated as pydantic models.

Its rules (``src/client.ts``, ``src/classes.ts``, ``src/booking-preparation.ts``,
``src/bookings.ts``), written here from what they accept, not from its code:
- login: ``data.userData.id`` a positive safe integer and ``data.auth.authOK`` exactly true;
- whoami: ``data`` holds at most one account; each role has a non-blank ``gym`` and a
  ``centre_url`` ``<slug>.aimharder.es``; ``boid`` (the ``box`` query) a positive id when given;
- the listing: the envelope admits only ``bookings``, ``clasesDisp``, ``day``, ``timetable``,
  ``seminars`` and an empty ``resmsgs`` (anything else fails, so that new pagination or error
  fields are never stripped); each row has positive ``id`` and ``classId``, a non-blank
  ``className``, ``time`` "HH:MM - HH:MM", ``ocupation`` and ``limit`` counts or null (other
  keys ignored); then the row's flags: ``enabled``, ``resadmin`` integers, ``bookState`` and
  ``cancelledId`` integer or null, ``hidden`` absent or integer, ``idres`` positive or null;
- next bookings: exactly ``nextClasses`` and ``history``; each row a positive ``id``, ``day``
  "<Weekday>, D de <Mes> de YYYY" naming the weekday of that date, ``time`` as above;
- the booking answer: any object; a negative ``bookState``, or ``errorMssg``/``errorMssgLang``
  present, is a denial. The result is judged from fresh reads of the schedule: booked is
  ``confirmed``, waitlisted ``waitlisted``, a denial with the row unbooked ``rejected``, anything
  else ``uncertain``.
A row is *offered* for booking when enabled, not admin, not hidden, not cancelled and unbooked.
After a cancel answered 1, the cancel is confirmed by the same reservation marked cancelled, or
the same class unbooked with no ``idres``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Identity",
    "Listing",
    "Login",
    "Row",
    "RowFlags",
    "Upcoming",
    "booking_status",
    "cancel_confirmed",
    "denied",
    "offered_for_booking",
    "row_state",
]

SAFE = 2**53 - 1
SourceId = Annotated[int, Field(strict=True, gt=0, le=SAFE)]
Count = Annotated[int, Field(strict=True, ge=0, le=SAFE)]
Integer = Annotated[int, Field(strict=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"\S")]
TimeLabel = Annotated[
    str, StringConstraints(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d - (?:[01]\d|2[0-3]):[0-5]\d$")
]
CentreUrl = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.aimharder\.es$")
]
MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
          "Septiembre", "Octubre", "Noviembre", "Diciembre"]  # fmt: skip
WEEKDAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"]
DAY_LABEL = re.compile(r"^(\w+), (\d{1,2}) de ([A-Za-z]+) de (\d{4})$")


class _Strict(BaseModel):
    """An object whose unknown keys fail (zod's ``.strict()``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Open(BaseModel):
    """An object whose unknown keys are ignored (zod's default)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class _UserData(_Open):
    id: SourceId


class _Auth(_Open):
    authOK: Literal[True]


class _LoginData(_Open):
    userData: _UserData
    auth: _Auth


class Login(_Open):
    data: _LoginData


class _Role(_Open):
    role: str
    boid: SourceId | None = None
    gym: Name
    centre_url: CentreUrl


class _Account(_Open):
    id: SourceId
    roles: list[_Role]


class Identity(_Open):
    data: Annotated[list[_Account], Field(max_length=1)]


class Row(_Open):
    id: SourceId
    classId: SourceId
    className: Name
    time: TimeLabel
    ocupation: Count | None = None
    limit: Count | None = None


class RowFlags(_Open):
    enabled: Integer
    bookState: Integer | None
    cancelledId: Integer | None
    resadmin: Integer
    hidden: Integer | None = Field(default=None, strict=True)
    idres: SourceId | None


class Listing(_Strict):
    bookings: list[Row]
    clasesDisp: str | None = None
    day: str | None = None
    timetable: list[Any] | None = None
    seminars: list[str] | None = None
    resmsgs: Annotated[list[Any], Field(max_length=0)] | None = None


def _calendar_date(label: str) -> str:
    match = DAY_LABEL.match(label)
    if match is None or match[3] not in MONTHS:
        raise ValueError(f"not a Spanish full date: {label!r}")
    on = date(int(match[4]), MONTHS.index(match[3]) + 1, int(match[2]))
    if WEEKDAYS[on.weekday()] != match[1]:
        raise ValueError(f"{label!r} names the wrong weekday for {on}")
    return label


class _NextClass(_Open):
    id: SourceId
    day: Annotated[str, AfterValidator(_calendar_date)]
    time: TimeLabel
    className: Name | None = None
    bookState: Integer | None = None


class Upcoming(_Strict):
    nextClasses: list[_NextClass]
    history: list[Any]


def row_state(row: dict[str, Any]) -> str:
    """``unbooked``, ``booked``, ``waitlisted`` or ``unknown``, as the booking side reads it."""
    flags = RowFlags.model_validate(row)
    return {None: "unbooked", 1: "booked", 0: "waitlisted"}.get(flags.bookState, "unknown")


def offered_for_booking(row: dict[str, Any]) -> bool:
    flags = RowFlags.model_validate(row)
    return (flags.enabled, flags.resadmin, flags.hidden or 0, flags.cancelledId) == (
        1, 0, 0, None,
    ) and row_state(row) == "unbooked"  # fmt: skip


def cancel_confirmed(row: dict[str, Any], reservation: int) -> bool:
    flags = RowFlags.model_validate(row)
    same_cancelled = flags.idres == reservation and flags.cancelledId is not None
    released = flags.idres is None and flags.cancelledId is None and flags.bookState is None
    return same_cancelled or released


def denied(answer: object) -> bool:
    if not isinstance(answer, dict):
        raise TypeError(f"the booking answer is not an object: {answer!r}")
    state = answer.get("bookState")
    negative = isinstance(state, int) and not isinstance(state, bool) and state < 0
    return negative or "errorMssg" in answer or "errorMssgLang" in answer


def booking_status(answer: object, schedule_state: str) -> str:
    """What the booking reports from its answer and the fresh schedule's state of the row."""
    refused = denied(answer)
    if refused and schedule_state != "unbooked":
        return "uncertain"
    if schedule_state in ("booked", "waitlisted"):
        return {"booked": "confirmed", "waitlisted": "waitlisted"}[schedule_state]
    return "rejected" if refused and schedule_state == "unbooked" else "uncertain"
