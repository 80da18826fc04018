"""Every error the scheduler raises, in one tree.

    SchedulerError
     +-- ConfigurationError          a bad strategy name, parameter, URL or file
     +-- StoreError                  the database failed or holds something unreadable
     |    +-- CorruptRowError        a row whose column cannot be read back as the domain type
     +-- DriverError                 I/O that a driver throws into a flow; carries the driver's now
          +-- TransportError         no HTTP answer: refused, reset, timed out
          +-- HttpStatusError        an HTTP answer that is not a booking answer (5xx, 429, 4xx)
          +-- SessionExpiredError    AimHarder answered {"logout": 1}: the cookies are dead

Messages name the offending value and what was expected, so a log line is enough to fix it.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "CorruptRowError",
    "DriverError",
    "HttpStatusError",
    "SchedulerError",
    "SessionExpiredError",
    "StoreError",
    "TransportError",
]


class SchedulerError(Exception):
    """Base of every error raised by ``scheduler``."""


class ConfigurationError(SchedulerError, ValueError):
    """A configuration value is not one the scheduler accepts."""


class StoreError(SchedulerError):
    """The store could not do what was asked."""


class CorruptRowError(StoreError):
    """A stored row cannot be turned back into a domain object."""

    def __init__(self, row_id: str, column: str, value: object, expected: str) -> None:
        super().__init__(f"row {row_id!r}: column {column!r} holds {value!r}; expected {expected}")
        self.row_id = row_id
        self.column = column
        self.value = value
        self.expected = expected


class DriverError(SchedulerError):
    """I/O failed; the driver throws this into the flow that asked, with the time it failed."""

    def __init__(self, message: str, *, now: float) -> None:
        super().__init__(message)
        self.now = now


class TransportError(DriverError):
    """No HTTP answer at all (connection refused or dropped, time-out)."""


class HttpStatusError(DriverError):
    """An HTTP status that carries no booking answer."""

    def __init__(
        self, status: int, *, now: float, retry_after: float | None = None, body: str = ""
    ) -> None:
        detail = f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""
        super().__init__(f"AimHarder answered HTTP {status}{detail}: {body[:200]!r}", now=now)
        self.status = status
        self.retry_after = retry_after


class SessionExpiredError(DriverError):
    """AimHarder answered ``{"logout": 1}`` (AIMHARDER-API.md, "Session expiry")."""
