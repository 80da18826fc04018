"""What a caller hands the store to enqueue, and the checks it must pass first.

``NewPrebooking`` is plain data; ``admit`` is the gate. Every store runs every item of an ``add``
call through ``admit`` before writing anything, so one bad item leaves the store untouched.
The same field rules read rows back (``scheduler.store.rows``), so what was admitted reads back.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from scheduler.core.domain import Instant, Prebooking, PrebookingId, UserId
from scheduler.core.errors import ConfigurationError
from scheduler.core.status import Status

__all__ = [
    "ID_PATTERN",
    "MAX_INT",
    "NewPrebooking",
    "admit",
    "admit_all",
    "day_problem",
    "duplicate_id_error",
    "id_problem",
    "positive_int_problem",
    "stored_user_problem",
    "time_problem",
    "user_problem",
]

# Ids are free text in the seed (a UUID); here they must also be safe to log and to put in a URL.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
MAX_INT = 2**63 - 1  # BIGINT: the widest integer both SQLite and PostgreSQL hold
MAX_USER_LENGTH = 320  # the longest e-mail address (RFC 3696 erratum 1690)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPrebooking:
    """A prebooking as a user asks for it; the store gives it an id if it has none."""

    user: UserId
    class_id: int
    day: str  # YYYYMMDD
    box: int
    available_at: Instant
    created_at: Instant
    id: PrebookingId | None = None


def id_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a prebooking id, or None."""
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return None
    return "1 to 64 characters of letters, digits and '._:-', starting with a letter or digit"


def user_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a new prebooking's or session's user, or None.

    Printable only: a NUL was stored by SQLite and refused by PostgreSQL, and escape sequences
    and newlines reached the operator's terminal through ``status`` (issue 22, item 14).
    ``isprintable`` allows the space and refuses control and format characters."""
    if stored_user_problem(value) is None and isinstance(value, str) and value.isprintable():
        return None
    return (
        f"a non-empty user name of at most {MAX_USER_LENGTH} characters, without outer spaces "
        "or control characters"
    )


def stored_user_problem(value: object) -> str | None:
    """The rule a row already stored is read by: one written before control characters were
    refused is still read (``status`` shows it escaped) rather than skipped as unreadable."""
    if isinstance(value, str) and 0 < len(value) <= MAX_USER_LENGTH and value == value.strip():
        return None
    return f"a non-empty user name of at most {MAX_USER_LENGTH} characters, without outer spaces"


def positive_int_problem(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT:
        return None
    return f"an integer from 1 to {MAX_INT}"


def day_problem(value: object) -> str | None:
    expected = "a calendar date as YYYYMMDD, e.g. '20260105'"
    if not (isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit()):
        return expected
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return expected
    return None


def time_problem(value: object) -> str | None:
    """Times are finite Unix seconds: NaN would never compare ready, infinity never arrive."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return None
    return "a finite number of Unix seconds"


def admit(new: NewPrebooking, *, index: int) -> Prebooking:
    """The pending ``Prebooking`` for ``new``, or ``ConfigurationError`` naming the bad field.

    ``index`` is the item's position in its ``add`` call, so the message points at it.
    """
    if not isinstance(new, NewPrebooking):
        raise ConfigurationError(f"new prebooking #{index} is {new!r}; expected a NewPrebooking")
    checks = [
        ("user", new.user, user_problem),
        ("class_id", new.class_id, positive_int_problem),
        ("day", new.day, day_problem),
        ("box", new.box, positive_int_problem),
        ("available_at", new.available_at, time_problem),
        ("created_at", new.created_at, time_problem),
    ]
    if new.id is not None:
        checks.insert(0, ("id", new.id, id_problem))
    for name, value, problem_of in checks:
        expected = problem_of(value)
        if expected is not None:
            raise ConfigurationError(
                f"new prebooking #{index}: field {name!r} is {value!r}; expected {expected}"
            )
    return Prebooking(
        id=new.id if new.id is not None else PrebookingId(uuid.uuid4().hex),
        user=new.user,
        class_id=new.class_id,
        day=new.day,
        box=new.box,
        available_at=float(new.available_at),
        created_at=float(new.created_at),
        status=Status.PENDING,
    )


def admit_all(news: Iterable[NewPrebooking]) -> list[Prebooking]:
    """``admit`` for every item of one ``add`` call; two items may not share an id."""
    admitted: list[Prebooking] = []
    seen: dict[str, int] = {}
    for index, new in enumerate(news):
        prebooking = admit(new, index=index)
        first = seen.setdefault(prebooking.id, index)
        if first != index:
            raise ConfigurationError(
                f"new prebooking #{index}: field 'id' is {prebooking.id!r}, already used by "
                f"#{first} of the same call; expected ids unique in a call"
            )
        admitted.append(prebooking)
    return admitted


def duplicate_id_error(prebooking_id: str) -> ConfigurationError:
    """The error for an id that the store already holds."""
    return ConfigurationError(
        f"prebooking id {prebooking_id!r} is already in the store; expected a new id"
    )
