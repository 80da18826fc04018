"""The load tests' errors, one small tree:

LoadTestError
├── PlanError      a bad option value (names it and what was expected); nothing was started
└── StartupError   a process it started did not come up in time, or exited early
"""

from __future__ import annotations

__all__ = ["LoadTestError", "PlanError", "StartupError"]


class LoadTestError(Exception):
    """Anything that stops ``python -m loadtests run`` before it can judge a run."""


class PlanError(LoadTestError):
    """An option out of range; raised before anything is started."""


class StartupError(LoadTestError):
    """A child process (mock, scheduler, locust worker) failed to start or to answer."""
