"""The store's batch calls keep the rules of the single ones, on every store.

``claim_many`` is ``claim`` of many ids in one statement (the same lease and claimer rules, each
row taken exactly once among concurrent claimers); ``get_sessions`` is ``get_session`` of many
users in one query; ``record_results`` is ``record_result`` of many marks in one transaction.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.gym import enqueue, users
from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Prebooking,
    PrebookingId,
    Session,
    UserId,
)
from scheduler.core.effects import MarkResult
from scheduler.core.errors import ConfigurationError, CorruptRowError
from scheduler.core.status import Event, Status
from scheduler.store import SqlStore, Store

from .conftest import StoreFactory
from .test_bad_input import NOW, hostile_store  # noqa: F401 (a fixture)
from .test_store_concurrency import (  # noqa: F401 (a fixture)
    ROWS,
    T0,
    TIMEOUT_S,
    eager_thread_switches,
    ready_rows,
)

A, B = InstanceId("instance-a"), InstanceId("instance-b")
LEASE = 15.0
CLAIMERS = 10


def pid(n: int) -> PrebookingId:
    return PrebookingId(f"p{n:03d}")


def mark(n: int, instance: InstanceId, event: Event = Event.COMPLETE) -> MarkResult:
    return MarkResult(
        prebooking_id=pid(n),
        instance_id=instance,
        event=event,
        executed_at=T0 + 1,
        result=BookingResult(book_state=1, reservation_id=f"r{n}")
        if event is Event.COMPLETE
        else None,
        error=None if event is Event.COMPLETE else "refused",
        attempts=1,
    )


def held(claimed: dict[PrebookingId, Prebooking | CorruptRowError]) -> dict[str, Prebooking]:
    """A batch claim's answer where no row is corrupt."""
    assert all(isinstance(p, Prebooking) for p in claimed.values())
    return {i: p for i, p in claimed.items() if isinstance(p, Prebooking)}


def test_claim_many_claims_the_ready_ones_and_leaves_out_the_others(store: Store) -> None:
    store.add(ready_rows()[:5])
    assert store.claim(pid(1), B, T0) is not None  # held by another
    claimed = held(store.claim_many([pid(0), pid(1), pid(2), PrebookingId("nobody")], A, T0))
    assert sorted(claimed) == [pid(0), pid(2)]
    assert all(p.status is Status.EXECUTING and p.claimed_by == A for p in claimed.values())
    assert {p.id: p.claimed_by for p in store.list()} == {
        pid(0): A,
        pid(1): B,
        pid(2): A,
        pid(3): None,
        pid(4): None,
    }
    assert store.claim_many([pid(0), pid(2)], B, T0) == {}  # once only
    assert store.claim_many([], A, T0) == {}


def test_claim_many_takes_up_an_expired_lease_and_only_that(store: Store) -> None:
    store.add(ready_rows()[:2])
    store.claim(pid(0), B, T0)
    store.claim(pid(1), B, T0 + 10)
    later = T0 + LEASE  # p000's lease is over, p001's is not
    claimed = held(store.claim_many([pid(0), pid(1)], A, later, lease=LEASE))
    assert list(claimed) == [pid(0)]
    assert (claimed[pid(0)].claimed_by, claimed[pid(0)].claimed_at) == (A, later)
    assert store.claim_many([pid(0), pid(1)], A, later) == {}  # no lease: executing stays


def test_claim_many_refuses_a_bad_argument_and_claims_nothing(store: Store) -> None:
    store.add(ready_rows()[:2])
    with pytest.raises(ConfigurationError, match="lease"):
        store.claim_many([pid(0), pid(1)], A, T0, lease=0.0)
    with pytest.raises(ConfigurationError):
        store.claim_many([pid(0), pid(1)], InstanceId(""), T0)
    assert store.counts()[Status.PENDING] == 2


def test_a_corrupt_row_in_a_batch_claim_is_named_and_left_the_rest_claimed(
    hostile_store: SqlStore,  # noqa: F811 (the fixture)
) -> None:
    enqueue(hostile_store, users(2), available_at=NOW - 1)
    good = [PrebookingId("pb-athlete00"), PrebookingId("pb-athlete01")]
    claimed = hostile_store.claim_many([good[0], PrebookingId("bad-day"), good[1]], A, NOW)
    assert isinstance(claimed[PrebookingId("bad-day")], CorruptRowError)
    assert "column 'day' holds '20261345'" in str(claimed[PrebookingId("bad-day")])
    assert [p.claimed_by for p in held({g: claimed[g] for g in good}).values()] == [A, A]
    with pytest.raises(CorruptRowError, match="column 'day'"):
        hostile_store.get(PrebookingId("bad-day"))  # left as it was (pending, unreadable)


def test_get_sessions_reads_each_user_that_has_one(store: Store) -> None:
    ana, bo = UserId("ana@example.com"), UserId("bo@example.com")
    store.save_session(Session(user=ana, cookies={"PHPSESSID": "a"}), T0)
    store.save_session(Session(user=bo, cookies={"PHPSESSID": "b"}), T0)
    found = store.get_sessions([ana, UserId("nobody@example.com"), bo, ana])
    assert found == {ana: store.get_session(ana), bo: store.get_session(bo)}
    assert store.get_sessions([]) == {}


def test_record_results_writes_each_mark_of_its_holder(store: Store) -> None:
    store.add(ready_rows()[:4])
    store.claim_many([pid(0), pid(1), pid(2)], A, T0)
    store.claim(pid(3), B, T0)
    marks = [mark(2, A, Event.FAIL), mark(0, A), mark(3, A), mark(1, A), mark(0, A)]
    # p003 is B's, and a row is written once however often it is marked
    assert store.record_results(marks) == [True, True, False, True, False]
    rows = {p.id: p for p in store.list()}
    assert [rows[pid(n)].status for n in range(4)] == [
        Status.COMPLETED,
        Status.COMPLETED,
        Status.FAILED,
        Status.EXECUTING,
    ]
    assert rows[pid(0)].result == BookingResult(book_state=1, reservation_id="r0")
    assert (rows[pid(2)].error, rows[pid(2)].result) == ("refused", None)
    assert store.record_results(marks[:2]) == [False, False]  # no longer executing
    assert store.record_results([]) == []


def test_record_results_with_a_bad_mark_writes_nothing(store: Store) -> None:
    store.add(ready_rows()[:2])
    store.claim_many([pid(0), pid(1)], A, T0)
    bad = MarkResult(
        prebooking_id=pid(1),
        instance_id=A,
        event=Event.COMPLETE,
        executed_at=float("nan"),
        result=None,
        error=None,
        attempts=1,
    )
    with pytest.raises(ConfigurationError):
        store.record_results([mark(0, A), bad])
    assert store.counts()[Status.EXECUTING] == 2


@pytest.mark.usefixtures("eager_thread_switches")
def test_ten_batch_claimers_at_once_claim_every_row_exactly_once(
    store_factory: StoreFactory,
) -> None:
    # Each claimer has its own handle and claims overlapping batches of the ready rows, in an
    # order of its own, until none is left: a batch claim that were not atomic, or locked rows
    # in an order that could deadlock, shows up as a row claimed twice or a claimer failing.
    first = store_factory()
    first.add(ready_rows())
    barrier = threading.Barrier(CLAIMERS, timeout=TIMEOUT_S)

    def claimer(k: int) -> list[PrebookingId]:
        mine, shuffle = store_factory(), random.Random(k)
        barrier.wait()
        claimed: list[PrebookingId] = []
        for _ in range(ROWS):
            ready = [p.id for p in mine.find_ready(T0, limit=30)]
            if not ready:
                return claimed
            shuffle.shuffle(ready)
            claimed += mine.claim_many(ready, InstanceId(f"claimer-{k}"), T0)
        raise AssertionError(f"claimer-{k} still found ready rows after {ROWS} rounds")

    with ThreadPoolExecutor(CLAIMERS) as pool:
        claims = list(pool.map(claimer, range(CLAIMERS), timeout=TIMEOUT_S))
    every = Counter(i for claimed in claims for i in claimed)
    assert sorted(every) == [pid(n) for n in range(ROWS)]
    assert set(every.values()) == {1}
    holder = {i: f"claimer-{k}" for k, claimed in enumerate(claims) for i in claimed}
    assert {p.id: p.claimed_by for p in first.list()} == holder
