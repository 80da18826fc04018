"""Support for the reliability tests: ``python -m scheduler serve`` as a process of its own (to
kill it with SIGKILL), firing the cron at it, and the books balanced against the journal.

The process logs to a file, so a test can read every line it wrote (no secret may be there).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness import measures
from harness.children import Child, child
from harness.measures import Attempt
from harness.tls import shared_tls
from scheduler.app import CRON_PATH
from scheduler.core.domain import Prebooking, UserId
from scheduler.store import Store

__all__ = ["Books", "balance", "cron", "served"]


@contextlib.contextmanager
def served(
    args: Sequence[str], *, log: Path, secret: str | None, extra_env: dict[str, str] | None = None
) -> Iterator[Child]:
    """``python -m scheduler serve --port 0 *args`` with ``CRON_SECRET=secret``; stopped after.

    ``log`` is appended to; what the process writes there from now on tells its port. Its
    ``kill()`` is a SIGKILL, as a platform kills a function: no cleanup runs.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("CRON_SECRET", "DATABASE_URL")}
    if secret is not None:
        env["CRON_SECRET"] = secret
    env.update(extra_env or {})
    command = [sys.executable, "-m", "scheduler", "serve", "--port", "0", *args]
    with child("scheduler", command, log=log, env=env) as server:
        yield server


def cron(url: str, secret: str | None, *, timeout: float = 15.0, **headers: str) -> httpx.Response:
    """One cron call, as the external cron makes it."""
    sent = dict(headers)
    if secret is not None:
        sent["Authorization"] = f"Bearer {secret}"
    return httpx.post(url + CRON_PATH, headers=sent, timeout=timeout, verify=shared_tls())


@dataclass(frozen=True, slots=True, kw_only=True)
class Books:
    """The store and the journal side by side, per user (one prebooking per user here)."""

    rows: dict[str, Prebooking]
    tried: dict[str, list[Attempt]]  # each user's booking attempts, in processing order
    judged_at: float  # when the store was read
    lease: float  # the schedulers' lease: an unknown row older than this is unsettled

    @property
    def lost(self) -> list[str]:
        return sorted(u for u, p in self.rows.items() if measures.lost(p))

    @property
    def phantom(self) -> list[str]:
        return sorted(u for u, p in self.rows.items() if measures.phantom(p, self.tried[u]))

    @property
    def misrecorded(self) -> list[str]:
        """Statuses the journal contradicts (no history is kept here: only the journal judges)."""
        return sorted(
            u
            for u, p in self.rows.items()
            if measures.misrecorded(p, self.tried[u], None, now=self.judged_at, lease=self.lease)
        )

    @property
    def booked_twice(self) -> list[str]:
        return sorted(u for u, t in self.tried.items() if measures.booked_twice(t))

    @property
    def resent(self) -> int:
        """Sends beyond the first per user: what taking up abandoned claims cost."""
        return sum(len(t) - 1 for t in self.tried.values() if len(t) > 1)


def balance(
    store: Store, entries: list[dict[str, Any]], users: list[UserId], *, lease: float = 15.0
) -> Books:
    judged_at = time.time()
    rows = {p.user: p for p in store.list()}
    tried: dict[str, list[Attempt]] = {u: [] for u in users}
    for attempt in measures.attempts(entries):
        if attempt.user in tried:
            tried[attempt.user].append(attempt)
    return Books(rows={u: rows[u] for u in users}, tried=tried, judged_at=judged_at, lease=lease)
