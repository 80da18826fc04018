"""How an invocation fires its prebookings: one parameter space, and its named points.

The seed review argues four ways to send the ready prebookings (sequential, 50 ms staggered,
batched, parallel). They are not four algorithms but four points of one space: a cap on requests
in flight, a gap between consecutive sends, batches with a barrier and a pause after each. The
timeout guard lives here too, because "may I still start one?" is part of "what starts now?".
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, TypeGuard

from commandline.suggestions import unknown
from scheduler.core.domain import Seconds
from scheduler.core.errors import ConfigurationError

__all__ = ["PRESETS", "PolicyConfig", "check_within_limit", "strategy", "strategy_names"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyConfig:
    """Every knob of the firing policy, the guard and the retries; validated on creation."""

    name: str = "custom"
    max_in_flight: int | None = None  # None: no cap
    gap: Seconds = 0.0  # least time between two consecutive sends
    batch_size: int | None = None  # None: no batches (and then barrier and pause do nothing)
    barrier: bool = False  # a batch waits for the previous one to finish entirely
    pause: Seconds = 0.0  # after a batch ends (its last answer with a barrier, else its last send)
    # The guard. The seed: maxDuration 10 s on Vercel Hobby and a 2 s buffer before it, so every
    # request must have answered by 8 s. The budget is the platform's limit unless set apart
    # (``strategy(..., max_duration=...)``), and never longer than it (``check_within_limit``).
    # The seed refuses to start with less than 1000 ms left (its route handler) and stops its
    # loop below 500 ms (executePrebookingsWithTimeout). We
    # take 1 s: the seed's own estimate of one prebooking is 300-600 ms (booking 200-500 ms plus
    # session and update), and here a send started with less than that left is cut by its
    # timeout and recorded failed, where a skipped one stays pending for the next minute.
    budget: Seconds = 10.0
    buffer: Seconds = 2.0
    margin: Seconds = 1.0
    limit: int = 50  # prebookings one invocation looks at (the seed's findReadyToExecute)
    # Retries of transient failures (5xx, 429, no answer, window not open yet): the seed's
    # executeWithRetry is called with 2 retries (3 attempts) after 200 and 400 ms; 0.2 doubling
    # gives the same two waits. A Retry-After longer than the back-off wins.
    max_attempts: int = 3
    retry_delay: Seconds = 0.2
    retry_backoff: float = 2.0
    # The lease: a claim is held for the whole ``budget`` plus ``lease_slack``; past that a
    # later invocation may take the prebooking up again (``scheduler.core.rules``). Expressed as
    # a slack beyond the budget so that no configuration can make a lease end while its claimer
    # may still send: every request of an invocation has answered or been given up by
    # ``budget - buffer`` after its start, and a claim is never older than the start. The
    # slack covers the claimer's last write (SQLite may wait ``BUSY_TIMEOUT_S`` = 5 s for the
    # write lock) and clock skew between hosts. 5 s gives a 15 s lease by default, well under
    # the cron's 60 s period: a killed invocation's claims are taken up the next minute.
    lease_slack: Seconds = 5.0
    # How long a booking sent and never answered may still reach AimHarder (``core.settling``):
    # meanwhile a later "class full" does not make the row failed. The lease covers the
    # sender's own time only; a request queued on the way or in front of AimHarder's servers
    # lands later. Fronts hold a queued request until their upstream time-out (nginx's
    # ``proxy_read_timeout``, and HAProxy's usual ``timeout queue``, 60 s), and PHP then runs it
    # for up to its ``max_execution_time`` (30 s by default): 90 s. 120 s, two cron minutes,
    # covers it with room; a longer queue than that is the listing's to find (the row is read
    # again until its class is over).
    settle_horizon: Seconds = 120.0
    # ``auto`` (``core.adaptive``): the firing is chosen at every step from the queue, the time
    # left and the durations observed so far; until some are observed, these priors stand in.
    # The seed's estimate of one prebooking is 300-600 ms (booking 200-500 ms plus session and
    # update): 0.6 s errs on the slow side, so sequential is not chosen when it cannot finish;
    # Its booking call spans 200-500 ms split evenly in and out, so the way in varies by 0.15 s,
    # and the claim and session reads before it by 0.02 s each: 0.2 s between two sends keeps
    # the second behind the first (measured: no inversions at 15-50 per class, sim report).
    adaptive: bool = False
    expected_duration: Seconds = 0.6
    expected_spread: Seconds = 0.2

    def __post_init__(self) -> None:
        _check_positive_int("max_in_flight", self.max_in_flight, optional=True)
        _check_positive_int("batch_size", self.batch_size, optional=True)
        _check_positive_int("limit", self.limit)
        _check_positive_int("max_attempts", self.max_attempts)
        for name in (
            "gap",
            "pause",
            "buffer",
            "margin",
            "retry_delay",
            "lease_slack",
            "settle_horizon",
            "expected_spread",
        ):
            _check_seconds(name, getattr(self, name), allow_zero=True)
        _check_seconds("budget", self.budget, allow_zero=False)
        _check_seconds("expected_duration", self.expected_duration, allow_zero=False)
        for flag in ("barrier", "adaptive"):
            if not isinstance(getattr(self, flag), bool):
                raise ConfigurationError(f"{flag}={getattr(self, flag)!r}; expected True or False")
        if not (_is_number(self.retry_backoff) and self.retry_backoff >= 1.0):
            raise ConfigurationError(
                f"retry_backoff={self.retry_backoff!r}; expected a number >= 1"
            )
        if self.margin >= self.budget - self.buffer:
            raise ConfigurationError(
                f"margin={self.margin!r} leaves no time to send: expected margin < budget - buffer"
                f" = {self.budget - self.buffer!r}"
            )

    @property
    def deadline_after(self) -> Seconds:
        """Seconds after the start by which every request must have answered."""
        return self.budget - self.buffer

    @property
    def lease(self) -> Seconds:
        """Seconds a claim is held: after that an ``executing`` prebooking is ready again."""
        return self.budget + self.lease_slack

    def sends_at_once(self, ready: int) -> int:
        """At most how many of ``ready`` prebookings have a request in flight together: the
        connections worth opening before their claims come back."""
        caps = [cap for cap in (self.max_in_flight, self.batch_size) if cap is not None]
        return min([ready, *caps])

    @property
    def cutoff_after(self) -> Seconds:
        """Seconds after the start past which no new send begins."""
        return self.budget - self.buffer - self.margin


def _check_positive_int(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        expected = "a whole number >= 1" + (" or None" if optional else "")
        raise ConfigurationError(f"{name}={value!r}; expected {expected}")


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_seconds(name: str, value: object, *, allow_zero: bool) -> None:
    if not (_is_number(value) and (value >= 0 if allow_zero else value > 0)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(f"{name}={value!r}; expected a number of seconds {bound}")


PRESETS: dict[str, PolicyConfig] = {
    # One request at a time: AimHarder sees them exactly in created_at order.
    "sequential": PolicyConfig(name="sequential", max_in_flight=1),
    # The seed's `delay(index * 50)`: every request in flight at once, started 50 ms apart.
    "staggered": PolicyConfig(name="staggered", gap=0.05),
    # The seed's hybrid: 3 at a time, wait for all three, pause 100 ms.
    "batched": PolicyConfig(name="batched", batch_size=3, barrier=True, pause=0.1),
    # Promise.all: everything at once.
    "parallel": PolicyConfig(name="parallel"),
    # Sequential while the queue fits, else staggered at the observed spread (core.adaptive).
    "auto": PolicyConfig(name="auto", adaptive=True),
}

_FIELDS = tuple(f.name for f in dataclasses.fields(PolicyConfig) if f.name != "name")


def strategy_names() -> list[str]:
    return sorted(PRESETS)


def check_within_limit(policy: PolicyConfig, max_duration: Seconds) -> None:
    """Refuse a budget that outlasts the platform's limit: the guard would plan sends the
    platform cuts, and the kill leaves them ``executing`` instead of answered."""
    if policy.budget > max_duration:
        raise ConfigurationError(
            f"budget={policy.budget!r} outlasts the platform limit max_duration={max_duration!r};"
            " expected budget <= max_duration (leave budget unset to take the limit)"
        )


def strategy(
    name: str, /, *, max_duration: Seconds | None = None, **overrides: Any
) -> PolicyConfig:
    """The preset called ``name`` with ``overrides`` applied (any other point is reachable).

    With ``max_duration`` (the platform's limit) the budget is that limit unless ``overrides``
    set it, and a budget longer than the limit is refused naming both.
    """
    try:
        preset = PRESETS[name]
    except KeyError:
        raise ConfigurationError(unknown(name, strategy_names(), what="unknown strategy")) from None
    strange = sorted(set(overrides) - set(_FIELDS))
    if strange:
        raise ConfigurationError(
            f"unknown policy parameter(s) {strange}; expected some of {sorted(_FIELDS)}"
        )
    if max_duration is not None:
        _check_seconds("max_duration", max_duration, allow_zero=False)
        overrides = {"budget": max_duration, **overrides}
    config = dataclasses.replace(preset, **overrides)
    if max_duration is not None:
        check_within_limit(config, max_duration)
    return config
