"""Duplicate deliveries: two calls carrying one delivery id, at the same moment, book nothing
twice, and the second says in its answer that it was a duplicate. For real (the cron endpoint
on SQLite and PostgreSQL, the mock's journal as the judge) and in the store; the model's own
test is in ``tests/sim/model/test_triggers.py``."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from harness.gym import enqueue, journal, log_in_all, users
from mock_aimharder.server.serving import serve
from scheduler.app import CRON_PATH, create_app
from scheduler.core.domain import InstanceId, Prebooking
from scheduler.core.errors import ConfigurationError, StoreError
from scheduler.core.strategies import strategy
from scheduler.invoke import Answer, invoke
from scheduler.settings import Settings
from scheduler.store import MemoryStore, SqlStore, Store
from tests.scheduler.real import mock_gym
from tests.scheduler.served import balance

SECRET = "delivery-test-secret"


def test_a_delivery_id_starts_once_within_the_hold_and_again_after_it(store: Store) -> None:
    first = InstanceId("msg_01")
    assert store.begin_delivery(first, 100.0, hold=10.0) is True
    assert store.begin_delivery(first, 105.0, hold=10.0) is False  # a duplicate
    assert store.begin_delivery(InstanceId("msg_02"), 105.0, hold=10.0) is True
    assert store.begin_delivery(first, 110.5, hold=10.0) is True  # a retry once the first ended


def test_a_forgotten_delivery_id_starts_again_within_the_hold(store: Store) -> None:
    failed = InstanceId("msg_failed")
    assert store.begin_delivery(failed, 100.0, hold=60.0) is True
    store.forget_delivery(failed)
    assert store.begin_delivery(failed, 112.0, hold=60.0) is True  # the retry runs
    assert store.begin_delivery(failed, 112.0, hold=60.0) is False  # its own copy does not
    store.forget_delivery(InstanceId("never_noted"))  # nothing to forget: no error


@pytest.mark.parametrize(
    ("delivery", "hold", "message"),
    [
        ("", 10.0, "delivery id is ''"),
        ("x" * 129, 10.0, "at most 128 characters"),
        ("msg", 0.0, "hold is 0.0; expected a finite number of seconds > 0"),
        ("msg", float("nan"), "hold is nan"),
    ],
)
def test_begin_delivery_refuses_bad_arguments(
    store: Store, delivery: str, hold: float, message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        store.begin_delivery(InstanceId(delivery), 100.0, hold=hold)
    assert message in str(refused.value)


def test_of_two_starts_at_once_exactly_one_is_first(store_url: str) -> None:
    stores = [SqlStore(store_url), SqlStore(store_url)]
    try:
        stores[0].begin_delivery(InstanceId("warm-up"), 0.0, hold=1.0)  # schema created once
        for n in range(20):
            barrier = threading.Barrier(2)

            def start(store: Store, n: int = n, barrier: threading.Barrier = barrier) -> bool:
                barrier.wait(timeout=10)
                return store.begin_delivery(InstanceId(f"d{n}"), 50.0, hold=10.0)

            with ThreadPoolExecutor(2) as pool:
                firsts = list(pool.map(start, stores))
            assert sorted(firsts) == [False, True]
    finally:
        for store in stores:
            store.close()


def _post(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url + CRON_PATH, headers=headers, timeout=30)


@pytest.mark.parametrize("header", ["X-Delivery-Id", "Upstash-Message-Id"])
def test_two_deliveries_of_one_id_at_once_book_each_user_once_and_one_says_duplicate(
    sql_url: str, header: str
) -> None:
    athletes = users(5)
    with SqlStore(sql_url) as store, mock_gym(5) as mock_url:
        log_in_all(store, mock_url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        settings = Settings(database_url="unused", aimharder_url=mock_url, cron_secret=SECRET)
        headers = {"Authorization": f"Bearer {SECRET}", header: "msg_2Kx9"}
        with serve(create_app(settings, store=store)) as url, ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: _post(url, headers), range(2)))
        books = balance(store, journal(mock_url), athletes)
    bodies: list[dict[str, Any]] = [a.json() for a in answers]
    assert [a.status_code for a in answers] == [200, 200]
    assert {b["instanceId"] for b in bodies} == {"msg_2Kx9"}  # the id comes from the delivery
    duplicate = [b for b in bodies if b.get("duplicate")]
    ran = [b for b in bodies if not b.get("duplicate")]
    assert len(duplicate) == 1 and len(ran) == 1
    assert duplicate[0]["message"].startswith("duplicate delivery")
    assert ran[0]["results"]["completed"] == 5
    assert books.booked_twice == [] and books.lost == [] and books.misrecorded == []
    assert books.resent == 0  # nothing was even sent twice


def test_a_delivery_id_that_cannot_name_an_invocation_is_refused_in_one_line(
    sqlite_url: str,
) -> None:
    with SqlStore(sqlite_url) as store:
        settings = Settings(database_url="unused", cron_secret=SECRET)
        headers = {"Authorization": f"Bearer {SECRET}", "X-Delivery-Id": "has space"}
        with serve(create_app(settings, store=store)) as url:
            answer = _post(url, headers)
    assert answer.status_code == 400
    assert answer.json() == {
        "success": False,
        "error": "delivery id 'has space'; expected 1 to 128 printable ASCII characters, no spaces",
    }


class HangingStore(MemoryStore):
    """Notes a delivery only when released: a store that hangs at the worst moment."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def begin_delivery(self, instance_id: InstanceId, now: float, *, hold: float) -> bool:
        self.release.wait(timeout=30)
        return super().begin_delivery(instance_id, now, hold=hold)


def test_a_store_hanging_on_the_delivery_id_still_gets_its_answer_before_the_limit() -> None:
    store = HangingStore()
    policy = strategy("parallel", max_duration=1.0, buffer=0.2, margin=0.1)
    settings = Settings(policy=policy, max_duration=1.0)

    async def call() -> tuple[int, float]:
        started = time.monotonic()
        answer = await invoke(settings, store, delivery_id="msg_hang")
        elapsed = time.monotonic() - started
        store.release.set()  # let the abandoned thread end
        return answer.status, elapsed

    status, elapsed = asyncio.run(call())
    assert status == 504
    assert elapsed < 1.0


class FailingOnce(MemoryStore):
    """Cannot list the ready prebookings the first time it is asked: a 503."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def find_ready(self, now: float, limit: int, *, lease: float | None = None) -> list[Prebooking]:
        if self.failures:
            self.failures -= 1
            raise StoreError("find_ready: the database went away")
        return super().find_ready(now, limit, lease=lease)


def test_a_retry_of_a_failed_delivery_runs_and_its_copy_is_still_a_duplicate() -> None:
    # QStash retries a failed call with the same message id 12 s later, well within a 60 s
    # limit: the retry must run, not be answered as a duplicate of the call that failed.
    store = FailingOnce()
    settings = Settings(policy=strategy("parallel", max_duration=60.0), max_duration=60.0)

    async def deliver(at: float) -> Answer:
        return await invoke(settings, store, started_at=at, clock=lambda: at, delivery_id="m1")

    failed = asyncio.run(deliver(1000.0))
    retried = asyncio.run(deliver(1012.0))
    copy = asyncio.run(deliver(1012.0))
    assert failed.status == 503 and failed.report is not None
    assert retried.status == 200 and "duplicate" not in retried.body
    assert retried.body["message"] == "No prebookings ready"
    assert copy.status == 200 and copy.body["duplicate"] is True
