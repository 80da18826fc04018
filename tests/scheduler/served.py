"""Support for the reliability tests: ``python -m scheduler serve`` as a process of its own (to
kill it with SIGKILL), firing the cron at it, and the books balanced against the journal.

The process logs to a file, so a test can read every line it wrote (no secret may be there).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness import measures
from harness.measures import Attempt
from mock_aimharder.server.process import stop_process
from scheduler.app import CRON_PATH
from scheduler.core.domain import Prebooking, UserId
from scheduler.store import Store

__all__ = ["Books", "Served", "balance", "cron", "served"]

STARTUP_SECONDS = 30.0
_LISTENING = re.compile(r"Uvicorn running on (http://[0-9.]+:[0-9]+)")


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL, as a platform kills a function: no cleanup runs."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def served(
    args: Sequence[str], *, log: Path, secret: str | None, extra_env: dict[str, str] | None = None
) -> Iterator[Served]:
    """``python -m scheduler serve --port 0 *args`` with ``CRON_SECRET=secret``; stopped after.

    ``log`` is appended to, and a new log's first "running on" line tells the port.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("CRON_SECRET", "DATABASE_URL")}
    if secret is not None:
        env["CRON_SECRET"] = secret
    env.update(extra_env or {})
    command = [sys.executable, "-m", "scheduler", "serve", "--port", "0", *args]
    skip = log.stat().st_size if log.exists() else 0
    with log.open("ab") as sink:
        # This interpreter running this project's own CLI.
        process = subprocess.Popen(command, stdout=sink, stderr=sink, env=env)
    try:
        url = _wait_listening(process, log, skip)
        yield Served(url=url, process=process, log=log)
    finally:
        stop_process(process)


def _wait_listening(process: subprocess.Popen[bytes], log: Path, skip: int) -> str:
    """Reads the log until uvicorn says where it listens; bounded by ``STARTUP_SECONDS``."""
    give_up = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < give_up:
        found = _LISTENING.findall(log.read_bytes()[skip:].decode("utf-8", errors="replace"))
        if found:
            return str(found[0])
        if process.poll() is not None:
            break
        time.sleep(0.02)
    raise RuntimeError(f"the scheduler did not start: {log.read_text(errors='replace')[-2000:]}")


def cron(url: str, secret: str | None, *, timeout: float = 15.0, **headers: str) -> httpx.Response:
    """One cron call, as the external cron makes it."""
    sent = dict(headers)
    if secret is not None:
        sent["Authorization"] = f"Bearer {secret}"
    return httpx.post(url + CRON_PATH, headers=sent, timeout=timeout)


@dataclass(frozen=True, slots=True, kw_only=True)
class Books:
    """The store and the journal side by side, per user (one prebooking per user here)."""

    rows: dict[str, Prebooking]
    tried: dict[str, list[Attempt]]  # each user's booking attempts, in processing order

    @property
    def lost(self) -> list[str]:
        return sorted(u for u, p in self.rows.items() if measures.lost(p))

    @property
    def phantom(self) -> list[str]:
        return sorted(u for u, p in self.rows.items() if measures.phantom(p, self.tried[u]))

    @property
    def booked_twice(self) -> list[str]:
        return sorted(u for u, t in self.tried.items() if measures.booked_twice(t))

    @property
    def resent(self) -> int:
        """Sends beyond the first per user: what taking up abandoned claims cost."""
        return sum(len(t) - 1 for t in self.tried.values() if len(t) > 1)


def balance(store: Store, entries: list[dict[str, Any]], users: list[UserId]) -> Books:
    rows = {p.user: p for p in store.list()}
    tried: dict[str, list[Attempt]] = {u: [] for u in users}
    for attempt in measures.attempts(entries):
        if attempt.user in tried:
            tried[attempt.user].append(attempt)
    return Books(rows={u: rows[u] for u in users}, tried=tried)
