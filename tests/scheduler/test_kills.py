"""Kills: a scheduler killed mid-invocation, by SIGKILL or by the ``maxDuration`` cut,
leaves its in-flight claims ``executing``; later invocations past the lease take them up, and in
the end every prebooking is final exactly once by the journal: none lost, none booked twice.

Short leases and latencies keep each test to seconds: budget 2 s (every request answered by
1.6 s), lease 2.3 s. The kill moments come from a seeded generator, so a failure replays.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.children import Child
from harness.gym import enqueue, journal, log_in_all, users
from scheduler.core.status import Status
from scheduler.core.strategies import strategy, strategy_names
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, open_store
from tests.scheduler.real import mock_gym
from tests.scheduler.served import Books, balance, cron, served

pytestmark = pytest.mark.long(30)  # seconds: see tests/conftest.py

SEED = 20260105
SECRET = "kill-test-secret"
POLICY = {"budget": 2.0, "buffer": 0.4, "margin": 0.2, "lease_slack": 0.3}
LEASE = strategy("parallel", **POLICY).lease
ATHLETES = 12
# Bookings take 0.1-0.5 s: a few per invocation, several in flight when the kill comes.
SLOW: dict[str, Any] = {
    "latency": {"book": {"inbound": {"kind": "uniform", "low": 0.1, "high": 0.5}}}
}
KILL_ROUNDS = 4
CUT_ROUNDS = 6


def policy_flags(name: str) -> list[str]:
    flags = ["--strategy", name]
    for key, value in POLICY.items():
        flags += ["--" + key.replace("_", "-"), str(value)]
    return flags


def wait_for(condition: Callable[[], bool], *, bound: float) -> bool:
    """Polls ``condition`` until it holds or ``bound`` seconds pass; whether it held."""
    give_up = time.monotonic() + bound
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def wait_past_leases(store: SqlStore) -> None:
    """Until every claim still held has lost its lease (the lease's own clock, not a race)."""
    held = store.list(Status.EXECUTING) + store.list(Status.UNKNOWN)
    claimed = [p.claimed_at or 0.0 for p in held]
    if claimed:
        time.sleep(max(0.0, max(claimed) + LEASE + 0.05 - time.time()))


def settle(store: SqlStore, invoke_once: Callable[[], None], *, bound: int = 6) -> int:
    """Invocations past the lease until every prebooking is final; how many it took.

    An unknown one (sent, no answer before the deadline) is not final either: it waits for an
    invocation past its lease to read AimHarder's listing."""
    for count in range(1, bound + 1):
        wait_past_leases(store)
        invoke_once()
        counts = store.counts()
        if all(n == 0 for status, n in counts.items() if not status.is_final):
            return count
    raise AssertionError(f"not settled after {bound} invocations: {store.counts()}")


def assert_balanced(books: Books, failed: dict[str, str | None]) -> None:
    """Every prebooking final; completed ones hold a place, failed ones hold none, nobody holds
    two. A failed one must say why."""
    assert books.lost == []
    assert books.phantom == []
    assert books.misrecorded == []
    assert books.booked_twice == []
    assert all(failed.values()), failed
    assert len(failed) <= ATHLETES // 4, failed  # these latencies leave timeouts little room


def settings_here(mock_url: str, name: str) -> Settings:
    """One invocation's settings with strategy ``name``, to run in this process on the test's
    store."""
    return Settings(database_url="unused", aimharder_url=mock_url, policy=strategy(name, **POLICY))


def invoke_here(store: SqlStore, mock_url: str) -> None:
    """One whole invocation in this process (parallel: the quickest to settle), answered 200."""
    assert asyncio.run(invoke(settings_here(mock_url, "parallel"), store)).status == 200


def kill_round(server: Child, store: SqlStore, rng: random.Random) -> int:
    """Fire the cron, kill the process at a random moment; the claims it left behind."""
    with ThreadPoolExecutor(1) as pool:
        fired = time.time()
        call: Future[httpx.Response] = pool.submit(cron, server.url, SECRET)

        def claimed_since_fired() -> bool:
            return any((p.claimed_at or 0) >= fired for p in store.list(Status.EXECUTING))

        if rng.random() < 0.75:  # else kill it wherever it is, maybe before any claim
            wait_for(lambda: call.done() or claimed_since_fired(), bound=5.0)
        time.sleep(rng.uniform(0.0, 0.6))
        server.kill()
        with suppress(httpx.HTTPError):
            call.result(timeout=20)
    return sum(1 for p in store.list(Status.EXECUTING) if (p.claimed_at or 0) >= fired)


def figures(kind: str, url: str, books: Books, failed: dict[str, str | None], **counts: int) -> str:
    """One line of what was tried and lost, for the README's table (``pytest -s`` shows it)."""
    tried = " ".join(f"{k}={v}" for k, v in counts.items())
    backend = url.split(":", maxsplit=1)[0]
    return (
        f"{kind} {backend}: {tried} resent={books.resent} lost={len(books.lost)} "
        f"phantom={len(books.phantom)} booked_twice={len(books.booked_twice)} "
        f"misrecorded={len(books.misrecorded)} failed={len(failed)}"
    )


def test_sigkill_at_random_moments_loses_nothing_and_books_nobody_twice(
    sql_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    athletes = users(ATHLETES)
    abandoned = 0
    with open_store(sql_url) as store, mock_gym(ATHLETES, **SLOW) as mock_url:
        log_in_all(store, mock_url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        args = ["--db", sql_url, "--aimharder-url", mock_url]
        for _ in range(KILL_ROUNDS):
            flags = [*args, *policy_flags(rng.choice(strategy_names()))]
            with served(flags, log=tmp_path / "serve.log", secret=SECRET) as server:
                abandoned += kill_round(server, store, rng)
        # The kills need processes of their own; the invocations that take up what they left
        # run the same code here, without an interpreter started for them.
        settle(store, lambda: invoke_here(store, mock_url))
        books = balance(store, journal(mock_url), athletes)
        failed = {str(p.user): p.error for p in store.list(Status.FAILED)}
    assert abandoned > 0  # the kills did leave claims for the lease to recover
    assert_balanced(books, failed)
    print(figures("sigkill", sql_url, books, failed, kills=KILL_ROUNDS, abandoned=abandoned))


def test_the_max_duration_cut_loses_nothing_and_books_nobody_twice(sql_url: str) -> None:
    rng = random.Random(SEED + 1)
    athletes = users(ATHLETES)
    cuts = 0
    with open_store(sql_url) as store, mock_gym(ATHLETES, **SLOW) as mock_url:
        log_in_all(store, mock_url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        for _ in range(CUT_ROUNDS):
            settings = settings_here(mock_url, rng.choice(strategy_names()))
            # the platform cuts before the guard would
            answer = asyncio.run(invoke(settings, store, cut_after=rng.uniform(0.15, 0.6)))
            cuts += answer.status == 504
        settle(store, lambda: invoke_here(store, mock_url))
        books = balance(store, journal(mock_url), athletes)
        failed = {str(p.user): p.error for p in store.list(Status.FAILED)}
    assert cuts > 0
    assert_balanced(books, failed)
    print(figures("cut", sql_url, books, failed, invocations=CUT_ROUNDS, cut=cuts))
