"""Checks on the arguments of the store's calls, other than new prebookings (``intake``).

A value the store would write must read back (``rows`` is strict), and a value it compares
must compare the same way on every backend: PostgreSQL orders NaN above every number, so
``available_at <= NaN`` holds for every row there and for none in Python. Hence the same
checks, raising ``ConfigurationError`` naming the value, in front of both stores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scheduler.core.domain import BookingResult, Session
from scheduler.core.errors import ConfigurationError

from .intake import time_problem, user_problem

__all__ = [
    "MAX_INSTANCE_LENGTH",
    "check_claim",
    "check_delivery",
    "check_find_ready",
    "check_lease",
    "check_result",
    "check_session",
]

MAX_INSTANCE_LENGTH = 128  # schema.prebookings.claimed_by


def _time(operation: str, name: str, value: object) -> None:
    expected = time_problem(value)
    if expected is not None:
        raise ConfigurationError(f"{operation}: {name} is {value!r}; expected {expected}")


def check_lease(operation: str, lease: object) -> None:
    """A lease is None (never expires) or a finite number of seconds > 0: a lease of 0 would
    hand a row to a second invocation while the first one is still sending it."""
    if lease is None:
        return
    number = isinstance(lease, int | float) and not isinstance(lease, bool)
    if number and math.isfinite(lease) and lease > 0:  # type: ignore[arg-type,operator]
        return
    raise ConfigurationError(
        f"{operation}: lease is {lease!r}; expected None or a finite number of seconds > 0"
    )


def check_find_ready(now: object, limit: object, lease: object = None) -> None:
    _time("find_ready", "now", now)
    check_lease("find_ready", lease)
    # SQLite reads a negative LIMIT as "no limit": refuse it rather than return everything.
    if not (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0):
        raise ConfigurationError(f"find_ready limit is {limit!r}; expected an integer >= 0")


def check_claim(prebooking_id: str, instance_id: object, now: object, lease: object = None) -> None:
    # An empty holder would read back as a claimed row without a claimer (``rows``).
    if not (isinstance(instance_id, str) and 0 < len(instance_id) <= MAX_INSTANCE_LENGTH):
        raise ConfigurationError(
            f"claim of {prebooking_id!r}: instance_id is {instance_id!r}; expected a non-empty "
            f"id of at most {MAX_INSTANCE_LENGTH} characters"
        )
    _time(f"claim of {prebooking_id!r}", "now", now)
    check_lease(f"claim of {prebooking_id!r}", lease)


def check_delivery(instance_id: object, now: object, hold: object) -> None:
    if not (isinstance(instance_id, str) and 0 < len(instance_id) <= MAX_INSTANCE_LENGTH):
        raise ConfigurationError(
            f"begin_delivery: delivery id is {instance_id!r}; expected a non-empty id of at most"
            f" {MAX_INSTANCE_LENGTH} characters"
        )
    _time("begin_delivery", "now", now)
    number = isinstance(hold, int | float) and not isinstance(hold, bool)
    if not (number and math.isfinite(hold) and hold > 0):  # type: ignore[arg-type,operator]
        raise ConfigurationError(
            f"begin_delivery: hold is {hold!r}; expected a finite number of seconds > 0"
        )


def check_result(
    prebooking_id: str, executed_at: object, result: object, error: object, attempts: object
) -> None:
    operation = f"record_result of {prebooking_id!r}"
    _time(operation, "executed_at", executed_at)
    if not (result is None or isinstance(result, BookingResult)):
        raise ConfigurationError(f"{operation}: result is {result!r}; expected a BookingResult")
    if not (error is None or isinstance(error, str)):
        raise ConfigurationError(f"{operation}: error is {error!r}; expected text or None")
    if not (isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0):
        raise ConfigurationError(f"{operation}: attempts is {attempts!r}; expected an integer >= 0")


def check_session(session: Session, now: object) -> None:
    expected = user_problem(session.user)
    if expected is not None:
        raise ConfigurationError(f"session user is {session.user!r}; expected {expected}")
    cookies = session.cookies
    if not (
        isinstance(cookies, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in cookies.items())
    ):
        raise ConfigurationError(
            f"session of {session.user!r}: cookies are {cookies!r}; expected names to text values"
        )
    _time(f"save_session of {session.user!r}", "now", now)
