"""Whether, and after how long, to try a booking again.

Transient failures are worth another attempt (the seed's executeWithRetry): 5xx, 429 (after its
Retry-After), no answer at all, and AimHarder's "too early". Every retry is bounded twice: by the
number of attempts and by the invocation's deadline, since a retry that cannot finish before the
deadline only risks the kill.
"""

from __future__ import annotations

from scheduler.domain import Instant, Seconds
from scheduler.errors import DriverError, HttpStatusError, TransportError
from scheduler.strategies import PolicyConfig

__all__ = ["is_transient", "retry_at"]

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


def is_transient(error: DriverError) -> bool:
    if isinstance(error, TransportError):
        return True
    return isinstance(error, HttpStatusError) and error.status in TRANSIENT_STATUSES


def retry_at(
    config: PolicyConfig,
    *,
    attempts: int,
    now: Instant,
    deadline: Instant,
    asked_wait: Seconds | None = None,
) -> Instant | None:
    """When to send attempt ``attempts + 1``, or None when no retry fits.

    ``asked_wait`` is the server's Retry-After, honoured when longer than our own back-off.
    """
    if attempts >= config.max_attempts:
        return None
    wait = config.retry_delay * config.retry_backoff ** (attempts - 1)
    if asked_wait is not None:
        wait = max(wait, asked_wait)
    at = now + wait
    # The attempt must still be able to run for at least `margin` before the deadline.
    if at + config.margin > deadline:
        return None
    return at
