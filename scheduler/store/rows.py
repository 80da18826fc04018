"""Rows to domain objects and back: the one place a stored value is trusted or refused.

Reading is strict. A row that cannot be a ``Prebooking`` raises ``CorruptRowError`` naming the
row, the column, the value and the expected form, never a bare ``KeyError`` or ``ValueError``:
a row written by another version, by hand or by a bug must stop the reader with a message that
says what to fix. Each kind of row has one conversion function, so skipping bad rows (as
``find_ready`` does) means catching ``CorruptRowError`` around a single call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Session,
    UserId,
)
from scheduler.core.errors import CorruptRowError
from scheduler.core.status import Status

from .intake import (
    day_problem,
    id_problem,
    positive_int_problem,
    stored_user_problem,
    time_problem,
)

__all__ = [
    "cookies_to_text",
    "prebooking_from_row",
    "prebooking_to_row",
    "result_to_text",
    "session_from_row",
]

_RESULT_FIELDS = {"book_state", "reservation_id", "message", "message_lang"}
_RESULT_FORM = (
    'a JSON object {"book_state": int, "reservation_id": str|null, "message": str|null, '
    '"message_lang": str|null}, or NULL'
)
_STATUSES = [s.value for s in Status]


def result_to_text(result: BookingResult | None) -> str | None:
    if result is None:
        return None
    return json.dumps(
        {
            "book_state": result.book_state,
            "reservation_id": result.reservation_id,
            "message": result.message,
            "message_lang": result.message_lang,
        },
        sort_keys=True,
    )


def cookies_to_text(cookies: Mapping[str, str]) -> str:
    return json.dumps(dict(cookies), sort_keys=True)


def prebooking_to_row(prebooking: Prebooking) -> dict[str, Any]:
    """Column values for ``schema.prebookings`` (times as floats: see ``schema``)."""
    return {
        "id": prebooking.id,
        "user_id": prebooking.user,
        "class_id": prebooking.class_id,
        "day": prebooking.day,
        "box": prebooking.box,
        "available_at": prebooking.available_at,
        "created_at": prebooking.created_at,
        "status": prebooking.status.value,
        "claimed_by": prebooking.claimed_by,
        "claimed_at": prebooking.claimed_at,
        "executed_at": prebooking.executed_at,
        "result": result_to_text(prebooking.result),
        "error": prebooking.error,
        "attempts": prebooking.attempts,
        "unanswered_at": prebooking.unanswered_at,
    }


class _Reader:
    """Reads the columns of one row, raising ``CorruptRowError`` that names it."""

    def __init__(self, row: Mapping[Any, Any], row_id: str) -> None:
        self.row = row
        self.row_id = row_id

    def bad(self, column: str, expected: str) -> CorruptRowError:
        return CorruptRowError(self.row_id, column, self.row.get(column), expected)

    def checked(self, column: str, problem_of: Callable[[object], str | None]) -> Any:
        value = self.row.get(column)
        expected = problem_of(value)
        if expected is not None:
            raise self.bad(column, expected)
        return value

    def time(self, column: str, *, required: bool) -> Instant | None:
        value = self.row.get(column)
        if value is None and not required:
            return None
        return float(self.checked(column, time_problem))

    def text(self, column: str) -> str | None:
        value = self.row.get(column)
        if value is None or isinstance(value, str):
            return value
        raise self.bad(column, "text or NULL")


def _row_id(row: Mapping[Any, Any]) -> str:
    value = row.get("id")
    return value if isinstance(value, str) else repr(value)


def prebooking_from_row(row: Mapping[Any, Any]) -> Prebooking:
    """The ``Prebooking`` a ``schema.prebookings`` row holds, or ``CorruptRowError``.

    Beyond each column's type it checks what a claim and a result always write: a claimed row
    (not pending) has ``claimed_by`` and ``claimed_at``; a final row has ``executed_at``.
    """
    read = _Reader(row, _row_id(row))
    prebooking_id = read.checked("id", id_problem)
    try:
        status = Status(str(row.get("status")))
    except ValueError:
        raise read.bad("status", f"one of {_STATUSES}") from None
    attempts = row.get("attempts")
    if not (isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0):
        raise read.bad("attempts", "an integer >= 0")
    claimed_by = read.text("claimed_by")
    claimed_at = read.time("claimed_at", required=status is not Status.PENDING)
    if status is not Status.PENDING and not claimed_by:
        raise read.bad("claimed_by", f"the claiming instance's id when status is {status.value!r}")
    return Prebooking(
        id=PrebookingId(prebooking_id),
        user=UserId(read.checked("user_id", stored_user_problem)),
        class_id=read.checked("class_id", positive_int_problem),
        day=read.checked("day", day_problem),
        box=read.checked("box", positive_int_problem),
        available_at=float(read.checked("available_at", time_problem)),
        created_at=float(read.checked("created_at", time_problem)),
        status=status,
        claimed_by=InstanceId(claimed_by) if claimed_by is not None else None,
        claimed_at=claimed_at,
        executed_at=read.time("executed_at", required=status.is_final),
        result=_result_from_text(read),
        error=read.text("error"),
        attempts=attempts,
        unanswered_at=read.time("unanswered_at", required=False),
    )


def _result_from_text(read: _Reader) -> BookingResult | None:
    text = read.row.get("result")
    if text is None:
        return None
    if not isinstance(text, str):
        raise read.bad("result", _RESULT_FORM)
    try:
        data = json.loads(text)
    except ValueError:
        raise read.bad("result", _RESULT_FORM) from None
    if not (isinstance(data, dict) and "book_state" in data and set(data) <= _RESULT_FIELDS):
        raise read.bad("result", _RESULT_FORM)
    book_state = data["book_state"]
    optional = [data.get(name) for name in ("reservation_id", "message", "message_lang")]
    if isinstance(book_state, bool) or not isinstance(book_state, int):
        raise read.bad("result", _RESULT_FORM)
    if not all(value is None or isinstance(value, str) for value in optional):
        raise read.bad("result", _RESULT_FORM)
    reservation_id, message, message_lang = optional
    return BookingResult(
        book_state=book_state,
        reservation_id=reservation_id,
        message=message,
        message_lang=message_lang,
    )


def session_from_row(row: Mapping[Any, Any]) -> Session:
    """The ``Session`` a ``schema.sessions`` row holds, or ``CorruptRowError``."""
    user = row.get("user_id")
    read = _Reader(row, user if isinstance(user, str) else repr(user))
    read.checked("user_id", stored_user_problem)
    expected = "a JSON object of cookie names to string values"
    text = row.get("cookies")
    try:
        cookies = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        cookies = None
    if not (
        isinstance(cookies, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in cookies.items())
    ):
        raise read.bad("cookies", expected)
    return Session(user=UserId(str(user)), cookies=cookies)
