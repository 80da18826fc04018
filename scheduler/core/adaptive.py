"""``auto``: how an invocation fires, chosen from what it found and what it has seen so far.

The four fixed strategies trade the same two things: sequential never inverts but takes one
prebooking's whole round trip each, so past ~10 it leaves work for the next minute (where, under
scarcity, the class is full); parallel is done at once but lets later requests overtake earlier
ones. ``choose`` picks, every time the policy is asked what starts now:

1. **sequential** while the whole queue still fits the time left before the guard's cut-off at
   the mean duration of one prebooking (claim, session, booking, record) observed so far;
2. else **staggered** with the smallest gap that keeps consecutive sends in order at the observed
   latency spread, shortened when needed so that the whole queue starts before the cut-off
   (a shorter gap inverts a few pairs; a skipped prebooking waits a minute and, under
   scarcity, finds the class full);
3. else (no spread at all, or no time left) **parallel**: with no spread nothing can overtake.

Before anything has finished, the durations are the config's priors (``expected_duration``,
``expected_spread``; the spread prior stays a floor). The one-way spread is taken as half the
observed range of durations: the round trip crosses the network twice, and only the way in
decides the server's order (the seed splits the booking call evenly between the two). Modes
only move down the list within one invocation, so one slow answer cannot make it fall back to a
slower mode and then miss the cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from scheduler.core.domain import Seconds

__all__ = ["Firing", "Mode", "choose", "sequential_until", "spread_of"]

MIN_OBSERVED = 3  # durations before the observed range replaces the prior spread


class Mode(IntEnum):
    """The modes ``auto`` moves through, slowest first."""

    SEQUENTIAL = 0
    STAGGERED = 1
    PARALLEL = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Firing:
    """What ``auto`` does now: a mode, its in-flight cap (None: no cap) and its gap."""

    mode: Mode
    max_in_flight: int | None
    gap: Seconds


def spread_of(durations: Sequence[Seconds], prior: Seconds) -> Seconds:
    """The one-way latency spread: half the range of the observed durations when it is wider
    than the prior (the range of a few draws underestimates the spread, so observations only
    ever widen it; a prior of 0 leaves it to the observations alone)."""
    if len(durations) < MIN_OBSERVED:
        return prior
    return max(prior, (max(durations) - min(durations)) / 2)


def choose(
    *,
    queued: int,
    left: Seconds,
    durations: Sequence[Seconds],
    expected_duration: Seconds,
    expected_spread: Seconds,
    floor: Mode = Mode.SEQUENTIAL,
) -> Firing:
    """The firing for ``queued`` prebookings with ``left`` seconds before the cut-off, never a
    slower mode than ``floor`` (the mode already reached in this invocation)."""
    per = _per(durations, expected_duration)
    if floor <= Mode.SEQUENTIAL and queued * per <= left:
        return Firing(mode=Mode.SEQUENTIAL, max_in_flight=1, gap=0.0)
    gap = min(spread_of(durations, expected_spread), left / queued) if queued else 0.0
    if floor <= Mode.STAGGERED and gap > 0:
        return Firing(mode=Mode.STAGGERED, max_in_flight=None, gap=gap)
    return Firing(mode=Mode.PARALLEL, max_in_flight=None, gap=0.0)


def _per(durations: Sequence[Seconds], expected_duration: Seconds) -> Seconds:
    """One prebooking's expected duration: the mean observed, else the prior."""
    return sum(durations) / len(durations) if durations else expected_duration


def sequential_until(
    *, queued: int, cutoff: Seconds, durations: Sequence[Seconds], expected_duration: Seconds
) -> Seconds:
    """The instant past which ``queued`` prebookings no longer fit one after another before
    ``cutoff``: ``choose`` must be asked again then, answer or not (issue 22: one slow answer
    kept auto sequential, waiting, past the cut-off, and the rest of its queue was skipped)."""
    # The first instant at which ``choose`` no longer finds them fitting (it allows equality).
    return math.nextafter(cutoff - queued * _per(durations, expected_duration), math.inf)
