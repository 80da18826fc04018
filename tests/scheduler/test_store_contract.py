"""The ``Store`` contract, run against MemoryStore, SqlStore on SQLite and on PostgreSQL.

Each test states one rule of the store; all three implementations must keep every one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Prebooking,
    PrebookingId,
    Session,
    UserId,
)
from scheduler.core.errors import ConfigurationError, StoreError
from scheduler.core.status import Event, IllegalTransition, Status
from scheduler.store import NewPrebooking, Store

from .conftest import StoreFactory

pytestmark = pytest.mark.long(15)  # seconds: see tests/conftest.py

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
A = InstanceId("instance-a")
B = InstanceId("instance-b")


def new(n: int, **changes: Any) -> NewPrebooking:
    fields: dict[str, Any] = {
        "id": PrebookingId(f"p{n:03d}"),
        "user": UserId(f"user{n}@example.com"),
        "class_id": 1000 + n,
        "day": "20260105",
        "box": 42,
        "available_at": T0,
        "created_at": T0 - 3600 + n,
    }
    fields.update(changes)
    return NewPrebooking(**fields)


def pending(item: NewPrebooking) -> Prebooking:
    assert item.id is not None
    return Prebooking(
        id=item.id,
        user=item.user,
        class_id=item.class_id,
        day=item.day,
        box=item.box,
        available_at=item.available_at,
        created_at=item.created_at,
    )


def ids(prebookings: list[Prebooking]) -> list[str]:
    return [p.id for p in prebookings]


def finish(store: Store, prebooking_id: str, instance: InstanceId, event: Event) -> bool:
    return store.record_result(
        PrebookingId(prebooking_id),
        instance,
        event=event,
        executed_at=T0 + 1,
        result=BookingResult(book_state=1, reservation_id="r1"),
        error=None,
        attempts=1,
    )


# -- add ---------------------------------------------------------------------------------------


def test_add_stores_pending_prebookings_and_returns_them_in_order(store: Store) -> None:
    items = [new(2), new(1)]
    added = store.add(items)
    assert added == [pending(items[0]), pending(items[1])]
    assert store.get(PrebookingId("p001")) == pending(items[1])
    assert store.list() == [pending(items[1]), pending(items[0])]


def test_add_gives_an_id_to_items_without_one(store: Store) -> None:
    (added,) = store.add([new(1, id=None)])
    assert len(added.id) == 32 and int(added.id, 16) >= 0  # uuid4 hex
    assert store.get(added.id) == added


def test_add_of_nothing_adds_nothing(store: Store) -> None:
    assert store.add([]) == []
    assert store.list() == []


BAD_FIELDS = [
    ("id", ""),
    ("id", "has space"),
    ("id", "x" * 65),
    ("user", ""),
    ("user", " padded@example.com"),
    ("class_id", 0),
    ("class_id", -5),
    ("class_id", True),
    ("class_id", 2**63),
    ("box", 0),
    ("box", "42"),
    ("day", "2026-01-05"),
    ("day", "20260230"),
    ("day", 20260105),
    ("available_at", float("nan")),
    ("available_at", float("inf")),
    ("created_at", "yesterday"),
    ("created_at", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_add_with_a_bad_field_writes_nothing_and_names_field_and_value(
    store: Store, field: str, value: object
) -> None:
    store.add([new(1)])
    with pytest.raises(ConfigurationError) as caught:
        store.add([new(2), new(3, **{field: value}), new(4)])
    message = str(caught.value)
    assert "#1" in message and repr(field) in message and repr(value) in message
    assert "expected" in message
    assert ids(store.list()) == ["p001"]


def test_add_with_an_id_already_stored_writes_nothing(store: Store) -> None:
    store.add([new(1)])
    with pytest.raises(ConfigurationError, match=r"'p001' is already in the store"):
        store.add([new(2), new(1, class_id=9)])
    assert store.list() == [pending(new(1))]


def test_add_with_an_id_twice_in_one_call_writes_nothing(store: Store) -> None:
    with pytest.raises(ConfigurationError, match=r"#2: field 'id' is 'p001', already used by #0"):
        store.add([new(1), new(2), new(1)])
    assert store.list() == []


def test_times_read_back_exactly(store: Store) -> None:
    times = [0.1 + 0.2, 1_767_225_600.123456789, 5e-324, 2.0**52 + 0.5, 1e15 / 3]
    store.add([new(i, available_at=t, created_at=t) for i, t in enumerate(times)])
    read = {p.id: (p.available_at, p.created_at) for p in store.list()}
    assert read == {f"p{i:03d}": (t, t) for i, t in enumerate(times)}


# -- find_ready --------------------------------------------------------------------------------


def test_find_ready_orders_by_created_at_then_id_and_honours_the_limit(store: Store) -> None:
    store.add(
        [
            new(1, created_at=T0 - 10),
            new(2, created_at=T0 - 30),
            new(3, id="p-b", created_at=T0 - 20),
            new(4, id="p-a", created_at=T0 - 20),  # same created_at: the id decides
            new(5, created_at=T0 - 5),
        ]
    )
    assert ids(store.find_ready(T0, limit=10)) == ["p002", "p-a", "p-b", "p001", "p005"]
    assert ids(store.find_ready(T0, limit=3)) == ["p002", "p-a", "p-b"]
    assert store.find_ready(T0, limit=0) == []


def test_find_ready_leaves_out_what_is_not_yet_available(store: Store) -> None:
    store.add(
        [
            new(1, available_at=T0 - 1),
            new(2, available_at=T0),  # the window opens exactly now: ready
            new(3, available_at=T0 + 0.001),
        ]
    )
    assert ids(store.find_ready(T0, limit=10)) == ["p001", "p002"]
    assert store.get(PrebookingId("p003")) == pending(new(3, available_at=T0 + 0.001))


def test_find_ready_leaves_out_what_is_not_pending(store: Store) -> None:
    store.add([new(1), new(2), new(3)])
    store.claim(PrebookingId("p001"), A, T0)
    store.claim(PrebookingId("p002"), A, T0)
    finish(store, "p002", A, Event.COMPLETE)
    assert ids(store.find_ready(T0, limit=10)) == ["p003"]


def test_find_ready_changes_nothing(store: Store) -> None:
    store.add([new(1), new(2)])
    before = store.list()
    store.find_ready(T0, limit=10)
    assert store.list() == before


@pytest.mark.parametrize("now", [float("nan"), float("inf")])
def test_find_ready_refuses_a_time_that_is_not_finite(store: Store, now: float) -> None:
    # PostgreSQL sorts NaN above every number: "available_at <= NaN" would make all rows ready.
    store.add([new(1)])
    with pytest.raises(ConfigurationError, match=rf"find_ready: now is {now!r}; expected a finite"):
        store.find_ready(now, limit=10)


@pytest.mark.parametrize("limit", [-1, 1.5, True])
def test_find_ready_refuses_a_bad_limit(store: Store, limit: Any) -> None:
    with pytest.raises(ConfigurationError, match=rf"limit is {limit!r}; expected an integer >= 0"):
        store.find_ready(T0, limit=limit)


# -- claim -------------------------------------------------------------------------------------


def test_claim_moves_a_pending_prebooking_to_executing(store: Store) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0 + 0.5)
    expected = dataclasses.replace(
        pending(new(1)), status=Status.EXECUTING, claimed_by=A, claimed_at=T0 + 0.5
    )
    assert claimed == expected
    assert store.get(PrebookingId("p001")) == expected


def test_claim_succeeds_once_only(store: Store) -> None:
    store.add([new(1)])
    first = store.claim(PrebookingId("p001"), A, T0)
    assert store.claim(PrebookingId("p001"), B, T0 + 1) is None
    assert store.claim(PrebookingId("p001"), A, T0 + 2) is None
    assert store.get(PrebookingId("p001")) == first


def test_claim_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.claim(PrebookingId("nope"), A, T0) is None
    assert store.list() == []


@pytest.mark.parametrize(
    ("instance", "now", "message"),
    [
        ("", T0, "instance_id is ''; expected a non-empty id"),
        ("i" * 129, T0, "expected a non-empty id of at most 128 characters"),
        ("instance-a", float("nan"), "now is nan; expected a finite number"),
    ],
)
def test_claim_refuses_bad_arguments_and_writes_nothing(
    store: Store, instance: str, now: float, message: str
) -> None:
    store.add([new(1)])
    with pytest.raises(ConfigurationError, match=message):
        store.claim(PrebookingId("p001"), InstanceId(instance), now)
    assert store.get(PrebookingId("p001")) == pending(new(1))


def test_claim_of_a_finished_prebooking_is_none(store: Store) -> None:
    store.add([new(1)])
    store.claim(PrebookingId("p001"), A, T0)
    finish(store, "p001", A, Event.FAIL)
    before = store.get(PrebookingId("p001"))
    assert store.claim(PrebookingId("p001"), B, T0 + 5) is None
    assert store.get(PrebookingId("p001")) == before


# -- record_result -----------------------------------------------------------------------------


def test_record_result_by_the_claimer_completes(store: Store) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0)
    assert claimed is not None
    result = BookingResult(book_state=1, reservation_id="r-77", message="ok", message_lang="OK")
    assert store.record_result(
        PrebookingId("p001"),
        A,
        event=Event.COMPLETE,
        executed_at=T0 + 0.25,
        result=result,
        error=None,
        attempts=2,
    )
    assert store.get(PrebookingId("p001")) == dataclasses.replace(
        claimed, status=Status.COMPLETED, executed_at=T0 + 0.25, result=result, attempts=2
    )
    assert store.counts() == {
        Status.PENDING: 0,
        Status.EXECUTING: 0,
        Status.COMPLETED: 1,
        Status.FAILED: 0,
        Status.UNKNOWN: 0,
    }


def test_record_result_failed_keeps_the_error_and_no_result(store: Store) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0)
    assert claimed is not None
    assert store.record_result(
        PrebookingId("p001"),
        A,
        event=Event.FAIL,
        executed_at=T0 + 3,
        result=None,
        error="transport: connection reset (attempt 3 of 3)",
        attempts=3,
    )
    assert store.get(PrebookingId("p001")) == dataclasses.replace(
        claimed,
        status=Status.FAILED,
        executed_at=T0 + 3,
        error="transport: connection reset (attempt 3 of 3)",
        attempts=3,
    )


def test_record_result_by_another_instance_is_refused(store: Store) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0)
    assert finish(store, "p001", B, Event.COMPLETE) is False
    assert store.get(PrebookingId("p001")) == claimed


def test_record_result_on_a_pending_prebooking_is_refused(store: Store) -> None:
    store.add([new(1)])
    assert finish(store, "p001", A, Event.COMPLETE) is False
    assert store.get(PrebookingId("p001")) == pending(new(1))


def test_record_result_twice_is_refused_the_second_time(store: Store) -> None:
    store.add([new(1)])
    store.claim(PrebookingId("p001"), A, T0)
    assert finish(store, "p001", A, Event.COMPLETE) is True
    done = store.get(PrebookingId("p001"))
    assert finish(store, "p001", A, Event.FAIL) is False
    assert store.get(PrebookingId("p001")) == done


def test_record_result_of_an_unknown_id_is_refused(store: Store) -> None:
    assert finish(store, "nope", A, Event.COMPLETE) is False
    assert store.list() == []


@pytest.mark.parametrize("event", [Event.CLAIM, Event.RECLAIM])
def test_record_result_with_an_event_that_is_no_result_is_illegal_and_writes_nothing(
    store: Store, event: Event
) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0)
    with pytest.raises(IllegalTransition) as caught:
        finish(store, "p001", A, event)
    assert str(caught.value) == (
        f"prebooking 'p001' is 'executing': event {event.value!r} is not allowed; "
        "expected one of ['complete', 'fail', 'release', 'unanswered']"
    )
    assert store.get(PrebookingId("p001")) == claimed


@pytest.mark.parametrize(
    ("executed_at", "attempts", "message"),
    [
        (float("nan"), 1, "executed_at is nan; expected a finite number"),
        (T0, -1, "attempts is -1; expected an integer >= 0"),
        (T0, 1.0, "attempts is 1.0; expected an integer >= 0"),
    ],
)
def test_record_result_with_bad_values_writes_nothing(
    store: Store, executed_at: float, attempts: int, message: str
) -> None:
    store.add([new(1)])
    claimed = store.claim(PrebookingId("p001"), A, T0)
    with pytest.raises(ConfigurationError, match=message):
        store.record_result(
            PrebookingId("p001"),
            A,
            event=Event.COMPLETE,
            executed_at=executed_at,
            result=None,
            error=None,
            attempts=attempts,
        )
    assert store.get(PrebookingId("p001")) == claimed


# -- get, list, counts -------------------------------------------------------------------------


def test_get_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.get(PrebookingId("nope")) is None


def test_list_and_counts_by_status(store: Store) -> None:
    store.add([new(n, created_at=T0 - n) for n in range(1, 7)])
    for n in (1, 2, 3, 4):
        store.claim(PrebookingId(f"p00{n}"), A, T0)
    finish(store, "p001", A, Event.COMPLETE)
    finish(store, "p002", A, Event.FAIL)
    finish(store, "p003", A, Event.COMPLETE)
    assert ids(store.list()) == ["p006", "p005", "p004", "p003", "p002", "p001"]
    assert ids(store.list(Status.PENDING)) == ["p006", "p005"]
    assert ids(store.list(Status.EXECUTING)) == ["p004"]
    assert ids(store.list(Status.COMPLETED)) == ["p003", "p001"]
    assert ids(store.list(Status.FAILED)) == ["p002"]
    assert store.counts() == {
        Status.PENDING: 2,
        Status.EXECUTING: 1,
        Status.COMPLETED: 2,
        Status.FAILED: 1,
        Status.UNKNOWN: 0,
    }


def test_counts_of_an_empty_store_are_all_zero(store: Store) -> None:
    assert store.counts() == dict.fromkeys(Status, 0)


# -- sessions ----------------------------------------------------------------------------------


def test_sessions_round_trip_and_are_replaced(store: Store) -> None:
    user = UserId("ana@example.com")
    assert store.get_session(user) is None
    first = Session(user=user, cookies={"amhrdrauth": "tok-1", "AWSALB": "x=y; z"})
    store.save_session(first, T0)
    assert store.get_session(user) == first
    second = Session(user=user, cookies={"amhrdrauth": "tok-2"})
    store.save_session(second, T0 + 60)
    assert store.get_session(user) == second
    assert store.get_session(UserId("bob@example.com")) is None


def test_a_saved_session_does_not_follow_later_changes_to_its_cookies(store: Store) -> None:
    cookies = {"amhrdrauth": "tok-1"}
    store.save_session(Session(user=UserId("ana@example.com"), cookies=cookies), T0)
    cookies["amhrdrauth"] = "changed"
    saved = store.get_session(UserId("ana@example.com"))
    assert saved is not None and dict(saved.cookies) == {"amhrdrauth": "tok-1"}


def test_save_session_refuses_a_bad_user(store: Store) -> None:
    with pytest.raises(ConfigurationError, match=r"session user is ''; expected a non-empty"):
        store.save_session(Session(user=UserId(""), cookies={}), T0)


@pytest.mark.parametrize(
    ("cookies", "now", "message"),
    [
        ({"amhrdrauth": 5}, T0, r"cookies are \{'amhrdrauth': 5\}; expected names to text"),
        ({"amhrdrauth": "t"}, float("nan"), "now is nan; expected a finite number"),
    ],
)
def test_save_session_refuses_what_would_not_read_back(
    store: Store, cookies: Any, now: float, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        store.save_session(Session(user=UserId("ana@example.com"), cookies=cookies), now)
    assert store.get_session(UserId("ana@example.com")) is None


# -- lifetime ----------------------------------------------------------------------------------


def test_several_handles_on_one_database_see_the_same_rows(store_factory: StoreFactory) -> None:
    first, second = store_factory(), store_factory()
    first.add([new(1)])
    assert second.claim(PrebookingId("p001"), B, T0) is not None
    assert first.claim(PrebookingId("p001"), A, T0) is None


def test_a_closed_store_refuses_every_call(store: Store) -> None:
    with store as entered:
        assert entered is store
        store.add([new(1)])
    with pytest.raises(StoreError, match="closed"):
        store.get(PrebookingId("p001"))
    with pytest.raises(StoreError, match="closed"):
        store.claim(PrebookingId("p001"), A, T0)
