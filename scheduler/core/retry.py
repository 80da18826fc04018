"""Whether, and after how long, to try a booking again.

Transient failures are worth another attempt (the seed's executeWithRetry): 5xx, 429 (after its
Retry-After), no answer at all, and AimHarder's "too early". Every retry is bounded by the
invocation's deadline, since a retry that cannot finish before it only risks the kill, and
failures by the number of attempts too. "Too early" is not a failure but a window that has not
opened on AimHarder's clock yet: it is tried again while the deadline allows, at least once a
second, and then handed back to the next invocation (``flows``), so a clock skew of seconds
loses nothing.
"""

from __future__ import annotations

from scheduler.core.domain import Instant, Seconds
from scheduler.core.errors import DriverError, HttpStatusError, TransportError
from scheduler.core.strategies import PolicyConfig

__all__ = ["WINDOW_POLL", "is_transient", "retry_at"]

TOO_MANY_REQUESTS = 429
WINDOW_POLL: Seconds = 1.0  # the longest wait between two "too early" attempts


def is_transient(error: DriverError) -> bool:
    """No answer, any 5xx, or a 429: the same request may well succeed a moment later.

    Every other status (403 geo-block, 404, ...) and an expired session would fail again.
    kappys1's booking service retries timeouts, network errors and HTTP >= 500
    (mock_aimharder/API.md, "Its booking service"); 429 is added because it says "later" and may say
    when.
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
    too_early: bool = False,
) -> Instant | None:
    """When to send attempt ``attempts + 1``, or None when no retry fits.

    ``asked_wait`` is the server's Retry-After, honoured when longer than our own back-off.
    ``too_early``: the window was not open yet; no cap on attempts, waits of at most
    ``WINDOW_POLL``.
    """
    if attempts >= config.max_attempts and not too_early:
        return None
    wait = config.retry_delay * config.retry_backoff ** (attempts - 1)
    if too_early:
        wait = min(wait, WINDOW_POLL)
    if asked_wait is not None:
        wait = max(wait, asked_wait)
    at = now + wait
    # The attempt must still be able to run for at least `margin` before the deadline.
    if at + config.margin > deadline:
        return None
    return at
