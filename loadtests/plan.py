"""What one load run is: how many schedulers, users, prebookings, for how long, on which store.

A ``RunPlan`` is checked when it is made (every bound is a bound on the run's size and time:
every loop of a run is bounded by these numbers), so a bad value is refused before anything
starts, with the value and the expected range in the message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from commandline.suggestions import unknown
from loadtests.errors import PlanError
from scheduler.core.strategies import strategy_names
from scheduler.settings import DEFAULT_MAX_DURATION, DEFAULT_STRATEGY

__all__ = ["LIMITS", "SHAPES", "RunPlan"]

SHAPES = ("spike", "steady")
"""``spike``: few users, then all of them around the minute the windows open, then few again
(``loadtests.locustfiles.spike``); ``steady``: all users for the whole run."""

LIMITS: dict[str, tuple[float, float]] = {
    "schedulers": (1, 16),
    "users": (1, 2000),
    "spawn_rate": (0.1, 1000),
    "run_time": (3, 900),
    "prebookings": (0, 5000),
    "per_class": (1, 200),
    "workers": (0, 8),
    "mock_visitors": (0, 500),
    "outside_members": (0, 500),
    "lost_answers": (0, 1),
    "lost_answer_hold": (0, 60),
    "late_landings": (0, 1),
    "late_landing_delay": (0, 60),
    "lease": (6, 60),
}
"""Inclusive ranges of the numeric fields: the largest run this command will start."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPlan:
    """One run. ``db`` is a SQLite path or a database URL; None: a SQLite file in ``out``."""

    out: Path
    db: str | None = None
    schedulers: int = 2
    users: int = 20
    spawn_rate: float = 20.0
    run_time: float = 15.0
    prebookings: int = 40
    per_class: int = 10
    strategy: str = DEFAULT_STRATEGY  # the scheduler's own default: the default report's answer
    shape: str = "spike"
    workers: int = 0
    mock_visitors: int = 2
    outside_members: int = 0  # other members booking the prebooked classes (they take places)
    seed: int = 1
    # The mock's lost-answer fault on /api/book: the booking is made, then its answer is lost
    # (the connection closed at once, or held ``lost_answer_hold`` s first).
    lost_answers: float = 0.0
    lost_answer_hold: float = 0.0
    # The mock's inbound delay on /api/book: this share of the booking requests reach it
    # ``late_landing_delay`` s after they were sent, past the schedulers' lease (issue 22).
    late_landings: float = 0.0
    late_landing_delay: float = 25.0
    # The schedulers' lease, split as their defaults split 15 s: two thirds the budget of an
    # invocation (at most the platform's limit), the rest the slack (``budget``, ``lease_slack``).
    # Shorter than 15 s only to make a run about leases take less time (the late landings' test).
    lease: float = 15.0
    html: Path | None = None  # where locust writes its HTML report, if anywhere

    def __post_init__(self) -> None:
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            number = isinstance(value, int | float) and math.isfinite(value)
            if not (number and low <= value <= high):
                raise PlanError(f"{name}={value!r}; expected a number from {low:g} to {high:g}")
        if self.strategy not in strategy_names():
            raise PlanError(unknown(self.strategy, strategy_names(), what="strategy="))
        if self.shape not in SHAPES:
            raise PlanError(unknown(self.shape, SHAPES, what="shape="))
        if self.lost_answers > 0 and (self.mock_visitors > 0 or self.outside_members > 0):
            raise PlanError(
                f"lost_answers={self.lost_answers!r} with mock_visitors={self.mock_visitors} "
                f"and outside_members={self.outside_members}; expected both 0 (the fault is on "
                "/api/book: their bookings would lose answers too and count as failed requests)"
            )
        if self.late_landings > 0 and (self.mock_visitors > 0 or self.outside_members > 0):
            raise PlanError(
                f"late_landings={self.late_landings!r} with mock_visitors={self.mock_visitors} "
                f"and outside_members={self.outside_members}; expected both 0 (the delay is on "
                "/api/book: their bookings would be held past the run's end too)"
            )
        if self.late_landings > 0 and self.late_landing_delay <= self.lease:
            raise PlanError(
                f"late_landing_delay={self.late_landing_delay!r} with lease={self.lease!r}; "
                "expected a delay longer than the lease (a late booking lands past it)"
            )
        fixed = self.fixed_users
        if self.users <= fixed:
            raise PlanError(
                f"users={self.users}; expected more than the {fixed} fixed users "
                f"(1 intruder + {self.mock_visitors} mock visitors + {self.outside_members} "
                "outside members) so that some call the cron"
            )

    @property
    def budget(self) -> float:
        """The schedulers' time budget per invocation: two thirds of the lease, at most the
        platform's limit (10 s of the 15 s lease by default)."""
        return min(DEFAULT_MAX_DURATION, self.lease * 2 / 3)

    @property
    def lease_slack(self) -> float:
        """The rest of the lease past the budget (5 s by default)."""
        return self.lease - self.budget

    @property
    def fixed_users(self) -> int:
        """Users that are not cron callers: one intruder, the mock visitors, the outsiders."""
        return 1 + self.mock_visitors + self.outside_members

    @property
    def cron_users(self) -> int:
        """Cron callers at the peak: each has at most one invocation in flight."""
        return self.users - self.fixed_users

    @property
    def window_opens_after(self) -> float:
        """Seconds after locust starts when the first booking window opens (the spike)."""
        return round(min(5.0, self.run_time / 3), 3)

    @property
    def window_spread(self) -> float:
        """The windows of the classes open one after another over this many seconds."""
        return round(min(3.0, self.run_time / 5), 3)

    @property
    def last_window_opens(self) -> float:
        """Seconds after locust starts when the last class's window opens."""
        return round(self.window_opens_after + (self.window_spread if self.classes > 1 else 0), 3)

    @property
    def classes(self) -> int:
        """How many classes the prebookings are spread over (``per_class`` each at most)."""
        return math.ceil(self.prebookings / self.per_class)
