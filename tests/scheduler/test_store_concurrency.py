"""Many claimers at once: every ready prebooking is claimed exactly once.

Claimers start together behind a barrier and each loops ``find_ready`` + ``claim`` until
nothing is ready, so they read the same rows and race for the same claims: a claim that was not
one atomic statement would show up as a row claimed twice. Threads share one store (as the
asyncio driver's ``to_thread`` calls do); processes each open their own, as concurrent cron
invocations on one database do. They are forked from multiprocessing's fork server, which has
imported the store once: none inherits this process's threads or connections, and none pays
the interpreter's start and SQLAlchemy's import again (a third of a CPU-second each).
"""

from __future__ import annotations

import multiprocessing
import queue
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scheduler.core.domain import InstanceId, PrebookingId, UserId
from scheduler.core.status import Status
from scheduler.store import MemoryStore, NewPrebooking, SqlStore, Store

from . import claimers
from .claimers import claim_until_empty, claimer_process
from .conftest import StoreFactory

T0 = claimers.T0  # the instant every claimer claims at; other tests take it from here
ROWS = 100
THREADS = 10
PROCESSES = 4
TIMEOUT_S = 60.0
# What the claimers' fork server imports once (an import that fails there is skipped, and
# each claimer then imports it itself: slower, the same test).
PRELOAD = [
    "tests.scheduler.claimers",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
]


def ready_rows() -> list[NewPrebooking]:
    return [
        NewPrebooking(
            id=PrebookingId(f"p{n:03d}"),
            user=UserId(f"user{n}@example.com"),
            class_id=1 + n,
            day="20260105",
            box=1,
            available_at=T0 - 1,
            created_at=T0 - 1000 + n,
        )
        for n in range(ROWS)
    ]


def assert_each_claimed_once(store: Store, claims: dict[InstanceId, list[str]]) -> None:
    every_claim = Counter(i for claimed in claims.values() for i in claimed)
    assert sum(every_claim.values()) == ROWS
    assert sorted(every_claim) == [f"p{n:03d}" for n in range(ROWS)]
    assert set(every_claim.values()) == {1}
    holder = {i: instance for instance, claimed in claims.items() for i in claimed}
    assert {p.id: p.claimed_by for p in store.list()} == holder
    assert store.counts() == {**dict.fromkeys(Status, 0), Status.EXECUTING: ROWS}


@pytest.fixture
def eager_thread_switches() -> Iterator[None]:
    """Switch threads every microsecond, not every 5 ms, so pure-Python claims interleave too."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("eager_thread_switches")
def test_threads_claim_every_row_exactly_once(store: Store) -> None:
    store.add(ready_rows())
    barrier = threading.Barrier(THREADS, timeout=TIMEOUT_S)
    instances = [InstanceId(f"thread-{k}") for k in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        futures = {i: pool.submit(claim_until_empty, store, i, barrier.wait) for i in instances}
        claims = {i: f.result(timeout=TIMEOUT_S) for i, f in futures.items()}
    assert_each_claimed_once(store, claims)


def test_processes_claim_every_row_exactly_once(store_url: str) -> None:
    with SqlStore(store_url) as store:
        store.add(ready_rows())
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        barrier = context.Barrier(PROCESSES, timeout=TIMEOUT_S)
        results = context.Queue()
        instances = [f"process-{k}" for k in range(PROCESSES)]
        children = [
            context.Process(target=claimer_process, args=(store_url, i, barrier, results))
            for i in instances
        ]
        for child in children:
            child.start()
        try:
            reports = [results.get(timeout=TIMEOUT_S) for _ in children]
        except queue.Empty:
            pytest.fail(f"a claimer process gave no answer within {TIMEOUT_S} s")
        finally:
            for child in children:
                child.join(timeout=TIMEOUT_S)
                if child.is_alive():
                    child.kill()
                    child.join()
        assert [error for _, _, error in reports if error] == []
        assert [child.exitcode for child in children] == [0] * PROCESSES
        claims = {InstanceId(instance): claimed for instance, claimed, _ in reports}
        assert sorted(claims) == instances
        assert_each_claimed_once(store, claims)


def _open_at_once(url: str) -> list[dict[Status, int]]:
    """Eight stores on one empty database, each used first at the same moment."""
    stores = [SqlStore(url) for _ in range(8)]
    barrier = threading.Barrier(len(stores), timeout=TIMEOUT_S)

    def first_use(store: SqlStore) -> dict[Status, int]:
        barrier.wait()
        return store.counts()

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            return list(pool.map(first_use, stores, timeout=TIMEOUT_S))
    finally:
        for store in stores:
            store.close()


def test_stores_opened_at_once_on_an_empty_database_all_create_the_tables(store_url: str) -> None:
    # create_all checks, then creates: without the creators taking turns, two of them see no
    # table and the second CREATE TABLE fails.
    assert _open_at_once(store_url) == [dict.fromkeys(Status, 0)] * 8


def test_connections_opening_a_new_sqlite_file_at_once_all_switch_it_to_wal(
    tmp_path: Path,
) -> None:
    # Switching a new file to WAL takes a lock SQLite does not wait for: before the store
    # retried it, about one round in eleven of eight at once failed "database is locked".
    for round_ in range(30):
        url = f"sqlite:///{tmp_path / f'{round_}.sqlite'}"
        assert _open_at_once(url) == [dict.fromkeys(Status, 0)] * 8, round_


def test_two_handles_racing_for_one_row_get_it_once(store_factory: StoreFactory) -> None:
    # The smallest race, repeated: two handles on one database claim the same fresh row.
    first, second = store_factory(), store_factory()
    first.add(ready_rows()[:20])
    barrier = threading.Barrier(2, timeout=TIMEOUT_S)
    wins: Counter[str] = Counter()

    def race(store: Store, instance: InstanceId, prebooking_id: PrebookingId) -> None:
        barrier.wait()
        if store.claim(prebooking_id, instance, T0) is not None:
            wins[prebooking_id] += 1

    with ThreadPoolExecutor(2) as pool:
        for n in range(20):
            pid = PrebookingId(f"p{n:03d}")
            a = pool.submit(race, first, InstanceId("a"), pid)
            b = pool.submit(race, second, InstanceId("b"), pid)
            a.result(timeout=TIMEOUT_S)
            b.result(timeout=TIMEOUT_S)
    assert wins == Counter({f"p{n:03d}": 1 for n in range(20)})


def test_each_store_says_how_many_calls_at_once_are_worth_making(sql_url: str) -> None:
    # SQLite has one writer; PostgreSQL serves as many as its connection pool holds.
    with SqlStore(sql_url) as store:
        expected = 1 if sql_url.startswith("sqlite") else 15
        assert store.concurrency == expected
    assert MemoryStore().concurrency == 1
