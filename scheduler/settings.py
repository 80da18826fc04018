"""What a scheduler process is configured with: where things are, the secret, the policy.

Read from the environment (``DATABASE_URL``, ``AIMHARDER_URL``, ``CRON_SECRET``,
``SCHEDULER_STRATEGY``, ``SCHEDULER_HISTORY``, ``SCHEDULER_MAX_INVOCATIONS``) and overridden
by the CLI. The secret
never appears in ``repr`` or in any answer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import PolicyConfig, check_within_limit, strategy
from scheduler.origin import origin
from scheduler.store import DEFAULT_DATABASE_URL

__all__ = [
    "CRON_PATH",
    "DEFAULT_AIMHARDER_URL",
    "DEFAULT_MAX_DURATION",
    "DEFAULT_MAX_INVOCATIONS",
    "DEFAULT_STRATEGY",
    "ENVIRONMENT",
    "MAX_INVOCATIONS_CEILING",
    "Settings",
    "strategy_name",
]

DEFAULT_AIMHARDER_URL = "http://127.0.0.1:8000"
# Where the cron endpoint listens (``scheduler.app``), the seed's route: here, not in the app,
# so that the command line's help names it without importing the web framework.
CRON_PATH = "/api/cron/prebooking-scheduler"
# Vercel Hobby's old default limit (the seed's `export const maxDuration = 10`).
DEFAULT_MAX_DURATION = 10.0
# Invocations one served process runs at once. Their flows share one event loop: past a few
# dozen on this kind of machine it falls seconds behind, and their sends come late (their 504s
# do not: ``scheduler.worker``). The rest are answered at once (503, Retry-After) and the
# trigger retries.
DEFAULT_MAX_INVOCATIONS = 8
# The default scenario's answer: among the fairest safe strategies wherever one is safe
# (tests/docs/test_sample.py checks it against the sample report, itself checked against a run).
DEFAULT_STRATEGY = "auto"
MAX_INVOCATIONS_CEILING = 1000

ENVIRONMENT = {
    "DATABASE_URL": "the store, as --db",
    "AIMHARDER_URL": "AimHarder's base URL, as --aimharder-url",
    "CRON_SECRET": "the Bearer token of cron calls (unset: all refused)",
    "SCHEDULER_STRATEGY": "the strategy, as --strategy",
    "SCHEDULER_HISTORY": "a file for every request and answer, as --history",
    "SCHEDULER_MAX_INVOCATIONS": (
        f"invocations served at once (default: {DEFAULT_MAX_INVOCATIONS}; more: 503)"
    ),
}
"""Every variable a scheduler process reads, with what it sets: the one list its ``--help``
shows (``tests/scheduler/test_cli_store.py`` finds every name the package reads in it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    aimharder_url: str = DEFAULT_AIMHARDER_URL
    cron_secret: str | None = field(default=None, repr=False)
    policy: PolicyConfig = field(
        default_factory=lambda: strategy(DEFAULT_STRATEGY, max_duration=DEFAULT_MAX_DURATION)
    )
    # The platform's hard limit: past it the invocation is cut wherever it is and answers 504.
    # The policy's budget must fit in it (refused otherwise, naming both).
    max_duration: float = DEFAULT_MAX_DURATION
    # A file where every invocation notes what it sent to AimHarder and what it heard
    # (``scheduler.history``); None: no history is kept.
    history: str | None = None
    # Invocations a served process admits at once (``scheduler.app``); the CLI runs one anyway.
    max_invocations: int = DEFAULT_MAX_INVOCATIONS

    def __post_init__(self) -> None:
        # A folder is refused here, at start: opened at the first note, it failed every
        # invocation (a traceback from ``invoke``, a 500 to every cron call from ``serve``).
        if self.history is not None and (
            Path(self.history).is_dir() or not Path(self.history).parent.is_dir()
        ):
            raise ConfigurationError(
                f"history={self.history!r}; expected a file in an existing folder"
            )
        problem = _url_problem(self.aimharder_url)
        if problem is not None:
            raise ConfigurationError(
                f"aimharder_url={self.aimharder_url!r}: {problem}; expected an http:// or "
                "https:// URL with a host and a port from 0 to 65535"
            )
        if not (math.isfinite(self.max_duration) and self.max_duration > 0):
            raise ConfigurationError(
                f"max_duration={self.max_duration!r}; expected a number of seconds > 0"
            )
        if not (
            isinstance(self.max_invocations, int)
            and 1 <= self.max_invocations <= MAX_INVOCATIONS_CEILING
        ):
            raise ConfigurationError(
                f"max_invocations={self.max_invocations!r}; expected a whole number from 1 to "
                f"{MAX_INVOCATIONS_CEILING}"
            )
        check_within_limit(self.policy, self.max_duration)

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        database_url: str | None = None,
        aimharder_url: str | None = None,
        policy: PolicyConfig | None = None,
        max_duration: float | None = None,
        history: str | None = None,
        max_invocations: int | None = None,
    ) -> Settings:
        """Explicit values first, then the environment, then the embedded defaults; without a
        policy, ``SCHEDULER_STRATEGY`` (else ``DEFAULT_STRATEGY``) with the limit as its
        budget."""
        env = os.environ if environ is None else environ
        limit = DEFAULT_MAX_DURATION if max_duration is None else max_duration
        return cls(
            database_url=database_url or env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            aimharder_url=aimharder_url or env.get("AIMHARDER_URL") or DEFAULT_AIMHARDER_URL,
            cron_secret=env.get("CRON_SECRET") or None,
            policy=policy or strategy(strategy_name(env), max_duration=limit),
            max_duration=limit,
            history=history or env.get("SCHEDULER_HISTORY") or None,
            max_invocations=(
                _whole(env, "SCHEDULER_MAX_INVOCATIONS", DEFAULT_MAX_INVOCATIONS)
                if max_invocations is None
                else max_invocations
            ),
        )


def strategy_name(environ: Mapping[str, str] | None = None) -> str:
    """The strategy a scheduler process uses unless told otherwise: ``SCHEDULER_STRATEGY``,
    else ``DEFAULT_STRATEGY`` (an unknown name is refused when the policy is built)."""
    env = os.environ if environ is None else environ
    return env.get("SCHEDULER_STRATEGY") or DEFAULT_STRATEGY


def _url_problem(url: str) -> str | None:
    """What the HTTP client would choke on in ``url`` (``scheduler.origin``, as it parses it),
    or None. An unclosed IPv6 bracket, a port past 65535 or a host IDNA cannot carry
    (``xn--.com``) used to raise in the client, after the claims: a traceback, and a row left
    ``executing`` until its lease (issue 22, item 11)."""
    try:
        origin(url)
    except ValueError as exc:  # UnicodeError too: IDNA's refusals
        return str(exc).splitlines()[0][:80] or type(exc).__name__
    return None


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number from the environment (``default`` when unset); one line if it is not."""
    text = env.get(name)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ConfigurationError(f"{name}={text!r}; expected a whole number") from None
