"""The store's side of a late-landing request (issue 22, item 1), on every kind of store: a
failed row whose request went unanswered is taken up again, once a lease, until its class is
over, and the instant of that request is kept; a table made before the column gets it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from scheduler.core.domain import BookingResult, PrebookingId
from scheduler.core.status import Event, Status
from scheduler.store import Store, open_store

from .test_store_contract import T0, A, B, new

pytestmark = pytest.mark.long(10)  # seconds: see tests/conftest.py

LEASE = 15.0
FULL = BookingResult(book_state=-2, message="clase completa")


def fail(store: Store, unanswered_at: float | None, *, day: str = "20260105") -> PrebookingId:
    (row,) = store.add([new(1, day=day)])
    assert store.claim(row.id, A, T0, lease=LEASE) is not None
    assert store.record_result(
        row.id,
        A,
        event=Event.FAIL,
        executed_at=T0 + 1,
        result=FULL,
        error="full",
        attempts=2,
        unanswered_at=unanswered_at,
    )
    return row.id


def test_a_failed_row_keeps_the_instant_of_its_unanswered_request(store: Store) -> None:
    row = store.get(fail(store, T0 + 0.5))
    assert row is not None and (row.status, row.unanswered_at) == (Status.FAILED, T0 + 0.5)


def test_a_failed_row_with_an_unanswered_request_is_taken_up_once_a_lease(store: Store) -> None:
    pid = fail(store, T0 + 0.5)
    assert store.find_ready(T0 + LEASE - 1, 10, lease=LEASE) == []  # its lease holds
    assert [p.id for p in store.find_ready(T0 + LEASE, 10, lease=LEASE)] == [pid]
    taken = store.claim(pid, B, T0 + LEASE, lease=LEASE)
    assert taken is not None and (taken.status, taken.claimed_by) == (Status.EXECUTING, B)


def test_a_failed_row_whose_class_is_over_is_left_alone(store: Store) -> None:
    # 2026-01-05's classes are over 36 h after its midnight in UTC, in every zone
    over = 1_767_571_200.0 + 36 * 3600  # 2026-01-05T00:00Z + 36 h
    pid = fail(store, T0 + 0.5)
    assert store.find_ready(over - 1, 10, lease=LEASE) != []
    assert store.find_ready(over, 10, lease=LEASE) == []
    assert store.claim(pid, B, over, lease=LEASE) is None


def test_a_failed_row_every_request_of_which_was_answered_is_final(store: Store) -> None:
    pid = fail(store, None)
    assert store.find_ready(T0 + 3600, 10, lease=LEASE) == []
    assert store.claim(pid, B, T0 + 3600, lease=LEASE) is None


def test_a_table_made_before_the_column_gets_it_with_its_rows(tmp_path: object) -> None:
    path = f"{tmp_path}/old.db"
    with open_store(path) as store:
        store.add([new(1)])
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE prebookings DROP COLUMN unanswered_at"))
    engine.dispose()
    with open_store(path) as store:
        (row,) = store.list()
        assert (row.id, row.unanswered_at) == ("p001", None)
        fail_id = row.id
        assert store.claim(fail_id, A, T0, lease=LEASE) is not None
