"""The real scheduler against the mock AimHarder on loopback, with a real SQLite file or
PostgreSQL database. The mock's journal, not the client, judges the order of bookings."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from harness.gym import enqueue, journal, log_in_all, users
from harness.measures import inversions
from harness.tls import shared_tls
from mock_aimharder.server.serving import serve
from scheduler.app import CRON_PATH, create_app
from scheduler.core.domain import UserId
from scheduler.core.status import Status
from scheduler.core.strategies import strategy, strategy_names
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, open_store
from tests.scheduler.real import mock_gym

pytestmark = pytest.mark.long(25)  # seconds: see tests/conftest.py

SECRET = "test-secret"


def later_requests_faster(count: int, step: float = 0.05) -> dict[str, Any]:
    """Book latency on the way in that shrinks request after request: ``step`` per place."""
    samples = [step * (count - i) for i in range(count)]
    inbound = {"kind": "empirical", "samples": samples, "cycle": True}
    return {"latency": {"book": {"inbound": inbound}}}


def run_invocation(store: SqlStore, url: str, name: str, **policy: Any) -> dict[str, Any]:
    settings = Settings(database_url="unused", aimharder_url=url, policy=strategy(name, **policy))
    answer = asyncio.run(invoke(settings, store))
    assert answer.status == 200, answer.body
    return answer.body


@pytest.fixture
def store(sqlite_url: str) -> SqlStore:
    return open_store(sqlite_url)


@pytest.mark.parametrize("name", strategy_names())
def test_each_strategy_books_every_ready_prebooking_and_nothing_else(
    name: str, store: SqlStore
) -> None:
    athletes = users(8)
    with mock_gym(8) as url:
        log_in_all(store, url, athletes)
        now = time.time()
        ready = enqueue(store, athletes[:6], available_at=now - 1)
        later = enqueue(store, athletes[6:], available_at=now + 3600)
        body = run_invocation(store, url, name)
        booked = journal(url)
    assert body["results"]["completed"] == 6
    assert sorted(e["user"] for e in booked) == sorted(athletes[:6])
    assert all(e["book_state"] == 1 for e in booked)
    assert [p.id for p in store.list(Status.COMPLETED)] == ready
    assert [p.id for p in store.list(Status.PENDING)] == later


def processing_order(store: SqlStore, name: str, *, step: float = 0.05) -> list[str]:
    """Six athletes, ready in created_at order, later requests faster by ``step`` each: the
    users in the order AimHarder processed them under strategy ``name``."""
    athletes = users(6)
    with mock_gym(6, **later_requests_faster(6, step=step)) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        run_invocation(store, url, name)
        return [e["user"] for e in journal(url)]


def test_sequential_keeps_created_at_order_when_later_requests_are_faster(store: SqlStore) -> None:
    assert processing_order(store, "sequential") == users(6)


def test_parallel_is_overtaken_under_the_same_latencies(store: SqlStore) -> None:
    order = processing_order(store, "parallel")
    assert sorted(order) == users(6)
    assert inversions(order) > 0


def test_batched_never_inverts_across_batches_when_later_requests_are_faster(
    store: SqlStore,
) -> None:
    order = processing_order(store, "batched")
    assert [users(6).index(UserId(u)) // 3 for u in order] == [0, 0, 0, 1, 1, 1]
    assert inversions(order) > 0  # inside a batch, the faster one wins


def test_staggered_is_overtaken_when_the_latency_drops_faster_than_the_gap(
    store: SqlStore,
) -> None:
    assert inversions(processing_order(store, "staggered", step=0.1)) > 0  # gap 0.05 < 0.1


def test_guard_answers_within_budget_and_the_next_invocation_books_the_rest(
    store: SqlStore,
) -> None:
    athletes = users(20)
    slow: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": 1.5}}}}
    with mock_gym(20, **slow) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        started = time.monotonic()
        first = run_invocation(store, url, "sequential")
        elapsed = time.monotonic() - started
        assert elapsed < 10.0
        assert first["results"]["skipped"] > 0
        config = (
            httpx.get(f"{url}/_admin/config", timeout=10, verify=shared_tls())
            .raise_for_status()
            .json()
        )
        config["latency"] = {}  # AimHarder answers at once from now on
        httpx.put(
            f"{url}/_admin/config", json=config, timeout=10, verify=shared_tls()
        ).raise_for_status()
        second = run_invocation(store, url, "sequential")
        sent = [e["user"] for e in journal(url)]
    assert second["results"]["total"] == first["results"]["skipped"]
    assert second["results"]["completed"] == second["results"]["total"]
    assert store.counts()[Status.PENDING] == 0
    assert len(sent) == len(set(sent))  # nobody sent twice


@pytest.mark.parametrize("name", ["parallel", "sequential"])
def test_ten_simultaneous_invocations_send_each_prebooking_once(name: str, sql_url: str) -> None:
    athletes = users(30)
    with open_store(sql_url) as shared, mock_gym(30) as mock_url:
        log_in_all(shared, mock_url, athletes)
        enqueue(shared, athletes, available_at=time.time() - 1)
        settings = Settings(
            database_url=sql_url,
            aimharder_url=mock_url,
            cron_secret=SECRET,
            policy=strategy(name),
            max_invocations=10,  # all ten run at once in the one process, none answered busy
        )
        with serve(create_app(settings, store=shared)) as scheduler_url:
            answers = asyncio.run(_fire(scheduler_url, 10))
        sent = [e["user"] for e in journal(mock_url)]
        counts = shared.counts()
    assert all(a.status_code == 200 for a in answers)
    assert sorted(sent) == sorted(athletes)  # every one exactly once
    assert sum(a.json()["results"]["completed"] for a in answers) == 30
    assert counts[Status.COMPLETED] == 30


async def _fire(url: str, count: int, secret: str = SECRET) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=15, verify=shared_tls()) as http:
        headers = {"Authorization": f"Bearer {secret}"}
        return await asyncio.gather(
            *(http.post(url + CRON_PATH, headers=headers) for _ in range(count))
        )


@pytest.mark.parametrize(
    ("configured", "headers", "status"),
    [
        (SECRET, {}, 401),
        (SECRET, {"Authorization": "Bearer nope"}, 401),
        (None, {"Authorization": "Bearer undefined"}, 503),
        (None, {}, 503),
        (SECRET, {"Authorization": f"Bearer {SECRET}"}, 200),
    ],
)
def test_cron_endpoint_demands_the_secret(
    configured: str | None, headers: dict[str, str], status: int, store: SqlStore
) -> None:
    settings = Settings(database_url="unused", cron_secret=configured)
    with serve(create_app(settings, store=store)) as url:
        answer = httpx.post(url + CRON_PATH, headers=headers, timeout=10, verify=shared_tls())
    assert answer.status_code == status
    body = answer.json()
    assert body["success"] is (status == 200)
    assert SECRET not in answer.text or (status == 200 and SECRET not in str(body))


def test_the_limit_cuts_an_invocation_and_it_answers_before_it(store: SqlStore) -> None:
    athletes = users(3)
    slow: dict[str, Any] = {"latency": {"book": {"inbound": {"kind": "fixed", "value": 5.0}}}}
    with mock_gym(3, **slow) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(
            database_url="unused",
            aimharder_url=url,
            policy=strategy("parallel"),  # the guard allows 8 s; the platform kills at 1 s
        )
        started = time.monotonic()
        answer = asyncio.run(invoke(settings, store, cut_after=1.0))
        elapsed = time.monotonic() - started
    assert answer.status == 504
    assert answer.body["success"] is False
    assert elapsed < 1.0
    # a kill runs no cleanup: what was in flight stays executing for the lease rule
    assert store.counts()[Status.EXECUTING] == 3
