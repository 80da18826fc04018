"""``MemoryStore.copy``: the simulation loads a workload once and each strategy's run starts
from a copy, so what one run does must never show in another's."""

from __future__ import annotations

import pytest

from scheduler.core.domain import InstanceId, PrebookingId, Session, UserId
from scheduler.core.errors import StoreError
from scheduler.core.status import Event, Status
from scheduler.store import MemoryStore
from scheduler.store.intake import NewPrebooking

USERS = [UserId(f"athlete{i}@example.com") for i in range(3)]


def loaded() -> MemoryStore:
    store = MemoryStore()
    store.add(
        NewPrebooking(
            id=PrebookingId(f"pb-{i}"),
            user=user,
            class_id=7,
            day="20261207",
            box=1,
            available_at=100.0,
            created_at=float(i),
        )
        for i, user in enumerate(USERS)
    )
    for user in USERS:
        store.save_session(Session(user=user, cookies={"amhrdrauth": user}), 0.0)
    return store


def test_a_copy_holds_the_same_rows_and_sessions() -> None:
    original = loaded()
    copy = original.copy()
    assert copy.list() == original.list()
    assert copy.get_sessions(USERS) == original.get_sessions(USERS)


def test_what_a_copy_does_the_original_never_sees_nor_the_other_way() -> None:
    original = loaded()
    copy = original.copy()
    claimed = copy.claim(PrebookingId("pb-0"), InstanceId("run-a"), 101.0)
    assert claimed is not None
    copy.record_result(
        PrebookingId("pb-0"),
        InstanceId("run-a"),
        event=Event.COMPLETE,
        executed_at=101.5,
        result=None,
        error=None,
        attempts=1,
    )
    copy.save_session(Session(user=USERS[1], cookies={"amhrdrauth": "new"}), 1.0)
    original.add([NewPrebooking(user=USERS[2], class_id=8, day="20261207", box=1,
                                available_at=100.0, created_at=9.0)])  # fmt: skip
    assert copy.counts()[Status.COMPLETED] == 1
    assert original.counts().get(Status.COMPLETED, 0) == 0
    assert len(original.list()) == 4 and len(copy.list()) == 3
    assert original.get_session(USERS[1]) == Session(
        user=USERS[1], cookies={"amhrdrauth": USERS[1]}
    )


def test_a_closed_store_is_not_copied() -> None:
    store = loaded()
    store.close()
    with pytest.raises(StoreError, match="copy on MemoryStore: the store is closed"):
        store.copy()
