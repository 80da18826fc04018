"""Honest records: a booking whose answer never came is unknown until AimHarder's listing says
what it did, never failed; "too early" and "not sent in time" go back to pending.

Real mode: the mock in a thread of this process, the real scheduler, SQLite and PostgreSQL.
Each case is one AimHarder really did and the old scheduler recorded wrongly (a lost answer
recorded failed while the place was held; "too early" recorded failed after 0.15 s of retries).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from harness.gym import enqueue, journal, log_in_all, users
from harness.measures import holds_place
from scheduler.core.domain import BookingResult, InstanceId, PrebookingId
from scheduler.core.outcome import Disposition, InvocationReport
from scheduler.core.status import Event, Status
from scheduler.core.strategies import PolicyConfig, strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import SqlStore, Store, open_store
from scheduler.store.rows import result_to_text
from tests.scheduler.real import locked, mock_gym

from .test_store_contract import T0, A, B, new

pytestmark = pytest.mark.long(30)  # seconds: see tests/conftest.py

ATHLETES = 6
LATER = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y%m%d")  # a class yet to come
POLICY = {"budget": 3.0, "buffer": 0.5, "margin": 0.3, "retry_delay": 0.05, "lease_slack": 0.3}


def run(store: Store, url: str, config: PolicyConfig) -> InvocationReport:
    settings = Settings(database_url="unused", aimharder_url=url, policy=config)
    answer = asyncio.run(invoke(settings, store))
    assert answer.report is not None, answer.body
    return answer.report


def places_held(url: str) -> Counter[str]:
    return Counter(e["user"] for e in journal(url) if holds_place(e["book_state"]))


# -- a lost answer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hold", "settled_by"),
    [(0.0, "the same invocation"), (30.0, "the next invocation")],
    ids=["dropped at once", "held past every timeout"],
)
def test_a_booking_whose_answer_is_lost_is_settled_from_the_listing_never_failed(
    sql_url: str, hold: float, settled_by: str
) -> None:
    config = strategy("parallel", **POLICY)
    athletes = users(ATHLETES)
    lost = {"book": {"lost_answer": 1.0, "lost_answer_hold": hold}}
    with open_store(sql_url) as store, mock_gym(ATHLETES, faults=lost) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        first = run(store, url, config)
        after_first = store.counts()
        # AimHarder processed every booking: every athlete holds the place.
        assert places_held(url) == dict.fromkeys(athletes, 1)
        assert after_first[Status.FAILED] == 0  # the old scheduler: 6 failed
        if settled_by == "the same invocation":
            assert (first.completed, first.count(Disposition.UNKNOWN)) == (ATHLETES, 0)
            assert first.answer()["results"]["settled"] == ATHLETES
            return
        assert first.answer()["results"]["unknown"] == ATHLETES
        assert after_first[Status.UNKNOWN] == ATHLETES
        time.sleep(config.lease)  # the lease over, no request of the first can still land
        sent_before = len(journal(url))
        second = run(store, url, config)
        assert (second.found, second.completed, second.answer()["results"]["settled"]) == (
            ATHLETES,
            ATHLETES,
            ATHLETES,
        )
        assert len(journal(url)) == sent_before  # settled from the listing: nothing resent
        assert store.counts()[Status.COMPLETED] == ATHLETES


def test_an_unknown_booking_that_did_not_take_effect_is_sent_again_once(sql_url: str) -> None:
    config = strategy("sequential", **POLICY)
    athletes = users(2)
    with open_store(sql_url) as store, mock_gym(2) as url:
        log_in_all(store, url, athletes)
        ids = enqueue(store, athletes, available_at=time.time() - 1)
        for pid in ids:  # left unknown by an earlier invocation whose request never landed
            claimed_at = time.time() - config.lease - 1
            assert store.claim(pid, InstanceId("earlier"), claimed_at) is not None
            assert store.record_result(
                pid,
                InstanceId("earlier"),
                event=Event.UNANSWERED,
                executed_at=claimed_at + 1,
                result=None,
                error="timed out",
                attempts=1,
            )
        report = run(store, url, config)
        assert (report.completed, report.answer()["results"]["settled"]) == (2, 0)
        assert places_held(url) == dict.fromkeys(athletes, 1)
        assert [p.attempts for p in store.list()] == [2, 2]  # the earlier attempt kept


# -- "too early" ---------------------------------------------------------------------------------


def test_too_early_is_retried_until_the_window_opens_within_the_budget(sql_url: str) -> None:
    config = strategy("parallel", **{**POLICY, "budget": 6.0, "buffer": 1.0})
    athletes = users(3)
    with (
        open_store(sql_url) as store,
        mock_gym(3, opens_at=time.time() + 2.0, day=LATER) as url,  # our clock 2 s ahead
    ):
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1, day=LATER)
        report = run(store, url, config)
        assert report.completed == 3  # the old scheduler: 3 failed after 0.15 s
        assert places_held(url) == dict.fromkeys(athletes, 1)


def test_too_early_past_the_deadline_goes_back_to_pending_with_its_attempts(
    sql_url: str,
) -> None:
    config = strategy("parallel", **POLICY)
    athletes = users(2)
    with (
        open_store(sql_url) as store,
        mock_gym(2, opens_at=time.time() + 60, day=LATER) as url,
    ):
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1, day=LATER)
        report = run(store, url, config)
        rows = store.list()
    assert report.count(Disposition.REQUEUED) == 2
    assert [p.status for p in rows] == [Status.PENDING, Status.PENDING]
    assert all(p.attempts > config.max_attempts for p in rows)


# -- claimed, never sent ------------------------------------------------------------------------


def test_a_claim_slowed_past_the_deadline_goes_back_to_pending(sql_url: str) -> None:
    config = strategy("sequential", **POLICY)
    athletes = users(1)
    with open_store(sql_url) as store, mock_gym(1) as url:
        log_in_all(store, url, athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        held = config.deadline_after + 0.5
        before = time.time()
        with locked(sql_url, seconds=held):
            report = run(store, url, config)
        rows = store.list()
        sent = journal(url)
    (outcome,) = report.outcomes
    assert (outcome.disposition, outcome.attempts) == (Disposition.REQUEUED, 0)
    assert (rows[0].status, rows[0].attempts) == (Status.PENDING, 0)  # the old one: failed
    assert sent == []
    # Stamped when the claim took the row, after the lock (the old one: when it was started).
    assert rows[0].claimed_at is not None and rows[0].claimed_at >= before + held


# -- the store: unknown rows and old databases ---------------------------------------------------


def test_an_unknown_prebooking_is_taken_up_only_after_its_lease(store: Store) -> None:
    store.add([new(1)])
    assert store.claim(PrebookingId("p001"), A, T0, lease=10.0) is not None
    assert store.record_result(
        PrebookingId("p001"),
        A,
        event=Event.UNANSWERED,
        executed_at=T0 + 2,
        result=None,
        error="timed out",
        attempts=1,
    )
    assert store.find_ready(T0 + 9.9, 10, lease=10.0) == []
    assert store.claim(PrebookingId("p001"), B, T0 + 9.9, lease=10.0) is None
    (ready,) = store.find_ready(T0 + 10, 10, lease=10.0)
    assert (ready.status, ready.attempts) == (Status.UNKNOWN, 1)
    taken = store.claim(PrebookingId("p001"), B, T0 + 10, lease=10.0)
    assert taken is not None and (taken.status, taken.claimed_by) == (Status.EXECUTING, B)


OLD_TABLE = """
CREATE TABLE prebookings (
    id VARCHAR(64) NOT NULL PRIMARY KEY, user_id VARCHAR(320) NOT NULL, class_id BIGINT NOT NULL,
    day VARCHAR(8) NOT NULL, box BIGINT NOT NULL, available_at DOUBLE PRECISION NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, status VARCHAR(16) DEFAULT 'pending' NOT NULL,
    claimed_by VARCHAR(128), claimed_at DOUBLE PRECISION, executed_at DOUBLE PRECISION,
    result TEXT, error TEXT, attempts INTEGER DEFAULT '0' NOT NULL,
    CONSTRAINT ck_prebookings_status
        CHECK (status IN ('pending', 'executing', 'completed', 'failed'))
)
"""


def test_a_database_made_before_unknown_existed_takes_it_and_keeps_its_rows(sql_url: str) -> None:
    engine = create_engine(SqlStore(sql_url)._url)
    with engine.begin() as connection:
        connection.execute(text(OLD_TABLE))
        connection.execute(
            text(
                "INSERT INTO prebookings (id, user_id, class_id, day, box, available_at, "
                "created_at, status, claimed_by, claimed_at, executed_at, result, attempts) "
                "VALUES ('old', 'ana@x', 7, '20261130', 1, 1.0, 0.0, 'completed', 'i0', 1.0, "
                "2.0, :result, 1)"
            ),
            {"result": result_to_text(BookingResult(book_state=1))},
        )
    engine.dispose()
    with open_store(sql_url) as store:
        store.add([new(1)])
        assert store.claim(PrebookingId("p001"), A, T0) is not None
        assert store.record_result(
            PrebookingId("p001"),
            A,
            event=Event.UNANSWERED,
            executed_at=T0 + 1,
            result=None,
            error="timed out",
            attempts=1,
        )
        old = store.get(PrebookingId("old"))
        assert old is not None and old.result == BookingResult(book_state=1)
        assert store.counts()[Status.UNKNOWN] == 1
    with open_store(sql_url) as again:  # opening it again changes nothing
        assert again.counts()[Status.UNKNOWN] == 1
