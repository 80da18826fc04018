"""How many users the spike wants at each moment: the rule ``WindowSpike`` follows.

Kept apart from the locust file (which imports locust, and with it gevent's monkeypatching) so
that it can be tested in the pytest process.
"""

from __future__ import annotations

__all__ = ["RAMP_BEFORE", "spike_users"]

RAMP_BEFORE = 1.0
"""Seconds before the window at which the peak is asked for, so it is reached in time."""


def spike_users(
    elapsed: float, *, peak: int, floor: int, spike_at: float, hold: float, end: float
) -> int | None:
    """Users wanted ``elapsed`` seconds into the run; None once it is over.

    A quarter of ``peak`` (at least ``floor``, at most ``peak``) outside the spike; ``peak``
    from ``RAMP_BEFORE`` seconds before ``spike_at`` for ``hold`` seconds after it.
    """
    if elapsed >= end:
        return None
    if spike_at - RAMP_BEFORE <= elapsed < spike_at + hold:
        return peak
    return min(max(floor, peak // 4), peak)
