"""Faults: AimHarder answering 5xx in bursts, 429 with Retry-After, hanging, dropping
the connection; a database that cannot be reached for one invocation, or fails mid-invocation.

Each time the invocation reports the failure as it was (its counts are the store's counts, a
failed prebooking says why), its retries stay inside the budget, and nothing is lost: every
prebooking is final or still pending, and AimHarder's journal agrees with the store.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest

from harness.gym import enqueue, journal, log_in_all, users
from harness.measures import attempts
from scheduler.core.errors import StoreError
from scheduler.core.outcome import Disposition, InvocationReport
from scheduler.core.status import Status
from scheduler.core.strategies import PolicyConfig, strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, open_store
from tests.scheduler.real import mock_gym

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py

ATHLETES = 8
POLICY = {"budget": 3.0, "buffer": 0.5, "margin": 0.3, "retry_delay": 0.05, "lease_slack": 0.3}
FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    # fault spec of /api/book (half the requests, seeded), and what a failed prebooking says
    "5xx burst": ({"error_500": 0.3, "error_503": 0.3}, "HTTP 50"),
    "429 with Retry-After": ({"rate_limit_429": 0.6, "retry_after": 0.3}, "HTTP 429"),
    "hang": ({"hang": 0.5, "hang_seconds": 30.0}, ""),
    "dropped connection": ({"drop": 0.6}, ""),
}


def run(store: SqlStore, url: str, config: PolicyConfig) -> tuple[int, InvocationReport, float]:
    settings = Settings(database_url="unused", aimharder_url=url, policy=config)
    started = time.monotonic()
    answer = asyncio.run(invoke(settings, store))
    assert answer.report is not None, answer.body
    return answer.status, answer.report, time.monotonic() - started


@pytest.mark.parametrize("kind", list(FAULTS))
def test_aimharder_faults_are_reported_as_they_were_within_the_budget(
    kind: str, sqlite_url: str
) -> None:
    spec, says = FAULTS[kind]
    config = strategy("parallel", **POLICY)
    athletes = users(ATHLETES)
    with open_store(sqlite_url) as store, mock_gym(ATHLETES, faults={"book": spec}) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        status, report, elapsed = run(store, url, config)
        entries = journal(url)
        rows = {p.user: p for p in store.list()}
    places = Counter(a.user for a in attempts(entries) if a.took_place)
    assert status == 200
    assert elapsed < config.budget  # retries included
    assert all(o.attempts <= config.max_attempts for o in report.outcomes)
    retried = sum(o.attempts for o in report.outcomes) > ATHLETES
    unknown = report.count(Disposition.UNKNOWN)
    # the faults did strike (a hang is cut at the deadline: unknown, never failed)
    assert retried or report.failed + unknown > 0
    # the answer is the store's truth, and nothing is left pending or claimed
    assert report.completed == sum(p.status is Status.COMPLETED for p in rows.values())
    assert report.failed == sum(p.status is Status.FAILED for p in rows.values())
    assert unknown == sum(p.status is Status.UNKNOWN for p in rows.values())
    assert report.unrecorded == 0
    assert all(p.status.is_final or p.status is Status.UNKNOWN for p in rows.values())
    for user, row in rows.items():
        assert places[user] == (1 if row.status is Status.COMPLETED else 0), row
        if row.status is Status.FAILED:
            assert row.error and says in row.error, row.error


def test_an_unreachable_database_fails_the_invocation_honestly_and_the_next_books_all(
    sqlite_url: str,
) -> None:
    config = strategy("parallel", **POLICY)
    athletes = users(4)
    closed = "postgresql://harness:hunter2@127.0.0.1:1/nowhere"  # nothing listens on port 1
    with open_store(sqlite_url) as store, mock_gym(4) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(database_url="unused", aimharder_url=url, policy=config)
        with open_store(closed) as unreachable:
            down = asyncio.run(invoke(settings, unreachable))
        up = asyncio.run(invoke(settings, store))
        sent = [e["user"] for e in journal(url)]
    assert down.status == 503
    assert down.body["success"] is False
    assert "127.0.0.1:1" in down.body["message"] and "find_ready" in down.body["message"]
    assert "hunter2" not in str(down.body)
    assert up.status == 200 and up.body["results"]["completed"] == 4
    assert sorted(sent) == sorted(athletes)  # nothing sent while the store was down


class FailingWrites(SqlStore):
    """A database that fails the first ``failures`` result writes (connection lost meanwhile)."""

    def __init__(self, url: str, failures: int) -> None:
        super().__init__(url)
        self.failures = failures

    def record_result(self, *args: Any, **kwargs: Any) -> bool:
        if self.failures > 0:
            self.failures -= 1
            raise StoreError(f"record_result on {self.url} failed: server closed the connection")
        return super().record_result(*args, **kwargs)


def test_a_result_the_database_dropped_is_recovered_by_the_lease_without_a_double(
    sql_url: str,
) -> None:
    config = strategy("sequential", **POLICY)
    athletes = users(4)
    with FailingWrites(sql_url, failures=2) as store, mock_gym(4) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        _, first, _ = run(store, url, config)
        assert first.unrecorded == 2  # reported: booked, but the store did not take it
        assert store.counts()[Status.EXECUTING] == 2
        time.sleep(config.lease)  # the lease's own clock: the claims must age past it
        _, second, _ = run(store, url, config)
        entries = journal(url)
        counts = store.counts()
    assert (second.found, second.completed) == (2, 2)
    assert counts[Status.COMPLETED] == 4
    places = Counter(a.user for a in attempts(entries) if a.took_place)
    assert sorted(places) == sorted(athletes) and set(places.values()) == {1}
    # The two taken up still executing were read from the listing first (their holder may have
    # sent them): their places showed, and nothing was sent again.
    assert len(entries) == 4
