"""Every error the scheduler raises, in one tree.

    SchedulerError
     +-- ConfigurationError          a bad strategy name, parameter, URL or file
     +-- PolicyError                 the policy was told something impossible (a bug in a flow)
     +-- IllegalTransition           an event the prebooking's status does not allow (``status``)
     +-- LoginRefused                AimHarder refused the credentials
     +-- Failure                     I/O that failed under a flow; the driver stamps its ``now``
          +-- StoreError             the database failed or holds something unreadable
          |    +-- CorruptRowError   a row whose column cannot be read back as the domain type
          +-- DriverError            AimHarder could not be asked or answered no booking
               +-- TransportError    no HTTP answer: refused, reset, timed out
               +-- HttpStatusError   an HTTP answer that is not a booking answer (5xx, 429, 4xx)
               +-- SessionExpiredError  AimHarder answered {"logout": 1}: the cookies are dead

``IllegalTransition`` lives beside the table it checks (``status``); the rest live here.
Messages name the offending value and what was expected, so a log line is enough to fix it.
"""

from __future__ import annotations

from typing import Self

__all__ = [
    "ConfigurationError",
    "CorruptRowError",
    "DriverError",
    "Failure",
    "HttpStatusError",
    "LoginRefused",
    "PolicyError",
    "SchedulerError",
    "SessionExpiredError",
    "StoreError",
    "TransportError",
]


class SchedulerError(Exception):
    """Base of every error raised by ``scheduler``."""


class ConfigurationError(SchedulerError, ValueError):
    """A configuration value is not one the scheduler accepts."""


class PolicyError(SchedulerError):
    """The policy was told something impossible (e.g. a finish it never started)."""


class LoginRefused(SchedulerError):
    """AimHarder refused the credentials; no session cookie was set."""


class Failure(SchedulerError):
    """I/O that failed; a driver throws it into the flow that asked, stamped with its clock.

    Whoever raises it need not know the time (the HTTP client and the stores keep no clock):
    the driver sets ``now`` (``at``) to the instant the failure reached it, which is when the
    flow learns of it. ``now`` is None only on an error no driver has handled yet.
    """

    def __init__(self, message: str, *, now: float | None = None) -> None:
        super().__init__(message)
        self.now = now

    def at(self, now: float) -> Self:
        """Stamp the instant the driver saw this failure; returns the same error."""
        self.now = now
        return self


class StoreError(Failure):
    """The store could not do what was asked."""


class CorruptRowError(StoreError):
    """A stored row cannot be turned back into a domain object."""

    def __init__(self, row_id: str, column: str, value: object, expected: str) -> None:
        super().__init__(f"row {row_id!r}: column {column!r} holds {value!r}; expected {expected}")
        self.row_id = row_id
        self.column = column
        self.value = value
        self.expected = expected


class DriverError(Failure):
    """AimHarder could not be asked, or its answer carries no booking."""


class TransportError(DriverError):
    """No HTTP answer at all (connection refused or dropped, time-out)."""


class HttpStatusError(DriverError):
    """An HTTP status that carries no booking answer."""

    def __init__(
        self,
        status: int,
        *,
        now: float | None = None,
        retry_after: float | None = None,
        body: str = "",
    ) -> None:
        detail = f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""
        super().__init__(f"AimHarder answered HTTP {status}{detail}: {body[:200]!r}", now=now)
        self.status = status
        self.retry_after = retry_after


class SessionExpiredError(DriverError):
    """AimHarder answered ``{"logout": 1}`` (mock_aimharder/API.md, "Sessions: dead, refreshed,
    ended")."""
