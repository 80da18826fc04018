"""Whether, and after how long, to try a booking again.

Transient failures are worth another attempt (the seed's executeWithRetry): 5xx, 429 (after its
Retry-After), no answer at all, and AimHarder's "too early". Every retry is bounded twice: by the
number of attempts and by the invocation's deadline, since a retry that cannot finish before the
deadline only risks the kill.
"""

from __future__ import annotations

from scheduler.core.domain import Instant, Seconds
from scheduler.core.errors import DriverError, HttpStatusError, TransportError
from scheduler.core.strategies import PolicyConfig

__all__ = ["is_transient", "retry_at"]

TOO_MANY_REQUESTS = 429


def is_transient(error: DriverError) -> bool:
    """No answer, any 5xx, or a 429: the same request may well succeed a moment later.

    Every other status (403 geo-block, 404, ...) and an expired session would fail again.
    kappys1's booking service retries timeouts, network errors and HTTP >= 500
    (AIMHARDER-API.md §7.5); 429 is added because it says "later" and may say when.
    """
    if isinstance(error, TransportError):
        return True
    return isinstance(error, HttpStatusError) and (
        error.status == TOO_MANY_REQUESTS or 500 <= error.status <= 599
    )


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
