"""An invocation's store calls go in batches: the claims of one instant in one statement, their
sessions read with them, results written together, and nothing a send waits for queued behind a
result. Each call still gets its own answer or its own failure."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from scheduler.core.domain import InstanceId, Prebooking, PrebookingId, Seconds, Session, UserId
from scheduler.core.effects import Claim, GetSession, MarkResult
from scheduler.core.errors import CorruptRowError, StoreError
from scheduler.core.status import Event
from scheduler.gathering import StoreCalls
from scheduler.store import MemoryStore

from .test_store_concurrency import T0, ready_rows

A = InstanceId("instance-a")
N = 20


class Spy(MemoryStore):
    """A memory store that notes every call it gets from outside (its batch methods call its
    single ones), and can hold its result writes."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, int]] = []  # (method, how many items)
        self.inside = 0  # > 0 while a batch method runs
        self.hold_writes = threading.Event()
        self.hold_writes.set()
        self.fail: Exception | None = None

    def claim_many(
        self,
        prebooking_ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: float,
        *,
        lease: Seconds | None = None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        self.calls.append(("claim_many", len(prebooking_ids)))
        if self.fail is not None:
            raise self.fail
        self.inside += 1
        try:
            return super().claim_many(prebooking_ids, instance_id, now, lease=lease)
        finally:
            self.inside -= 1

    def get_sessions(self, users: Sequence[UserId]) -> dict[UserId, Session | CorruptRowError]:
        self.calls.append(("get_sessions", len(users)))
        self.inside += 1
        try:
            return super().get_sessions(users)
        finally:
            self.inside -= 1

    def get_session(self, user: UserId) -> Session | None:
        if not self.inside:
            self.calls.append(("get_session", 1))
        return super().get_session(user)

    def record_results(self, marks: Sequence[MarkResult]) -> list[bool]:
        self.calls.append(("record_results", len(marks)))
        self.hold_writes.wait(timeout=10)
        self.inside += 1
        try:
            return super().record_results(marks)
        finally:
            self.inside -= 1

    def record_result(self, prebooking_id: PrebookingId, *args: Any, **kwargs: Any) -> bool:
        if not self.inside:
            self.calls.append(("record_result", 1))
            self.hold_writes.wait(timeout=10)
        return super().record_result(prebooking_id, *args, **kwargs)


def claim(n: int) -> Claim:
    return Claim(prebooking_id=PrebookingId(f"p{n:03d}"), instance_id=A, now=T0 + n / 1000)


def mark(n: int) -> MarkResult:
    return MarkResult(
        prebooking_id=PrebookingId(f"p{n:03d}"),
        instance_id=A,
        event=Event.FAIL,
        executed_at=T0 + 1,
        result=None,
        error="refused",
        attempts=1,
    )


def filled(sessions: int = N) -> Spy:
    store = Spy()
    rows = ready_rows()[:N]
    store.add(rows)
    for row in rows[:sessions]:
        store.save_session(Session(user=row.user, cookies={"PHPSESSID": row.user}), T0)
    store.calls.clear()
    return store


def run(store: Spy, body: Any) -> Any:
    async def main() -> Any:
        with ThreadPoolExecutor(1) as threads:
            return await body(StoreCalls(store, threads, concurrency=1))

    return asyncio.run(main())


def test_claims_asked_at_one_instant_go_in_one_statement_with_their_sessions() -> None:
    store = filled(sessions=N - 1)  # the last user has none
    store.claim(PrebookingId("p003"), InstanceId("other"), T0)  # one row taken already
    store.calls.clear()

    async def body(calls: StoreCalls) -> tuple[list[Any], list[Any]]:
        claimed = await asyncio.gather(*(calls.perform(claim(n)) for n in range(N)))
        users = [p.user for p in claimed if p is not None]
        sessions = await asyncio.gather(*(calls.perform(GetSession(user=u)) for u in users))
        return claimed, sessions

    claimed, sessions = run(store, body)
    assert store.calls == [("claim_many", N), ("get_sessions", N - 1)]
    assert [p is None for p in claimed] == [n == 3 for n in range(N)]
    assert all(p.claimed_by == A and p.claimed_at == claim(N - 1).now for p in claimed if p)
    assert [s is None for s in sessions] == [False] * (N - 2) + [True]  # the user without one
    assert all(
        s.user == p.user for s, p in zip(sessions[:-1], [p for p in claimed if p][:-1], strict=True)
    )


def test_a_later_session_read_asks_the_store_again() -> None:
    store = filled()

    async def body(calls: StoreCalls) -> Any:
        await calls.perform(claim(0))
        first = await calls.perform(GetSession(user=UserId("user0@example.com")))
        again = await calls.perform(GetSession(user=UserId("user0@example.com")))
        return first, again

    first, again = run(store, body)
    assert first == again is not None
    assert store.calls == [("claim_many", 1), ("get_sessions", 1), ("get_sessions", 1)]


def test_results_that_wait_for_the_store_go_together_and_claims_go_before_them() -> None:
    store = filled()
    store.hold_writes.clear()  # the first write holds the store's one thread

    async def body(calls: StoreCalls) -> tuple[list[bool], Any]:
        await asyncio.gather(*(calls.perform(claim(n)) for n in range(N - 1)))
        first = asyncio.ensure_future(calls.perform(mark(0)))
        while ("record_result", 1) not in store.calls:
            await asyncio.sleep(0.001)
        rest = [asyncio.ensure_future(calls.perform(mark(n))) for n in range(1, N - 1)]
        late_claim = asyncio.ensure_future(calls.perform(claim(N - 1)))
        await asyncio.sleep(0.01)
        store.hold_writes.set()
        written = await asyncio.gather(first, *rest)
        return written, await late_claim

    written, late = run(store, body)
    assert written == [True] * (N - 1)
    assert late is not None
    # the claim asked while the results waited went first; the results left as one
    assert [c for c, _ in store.calls[2:]] == [
        "record_result",
        "claim_many",
        "get_sessions",
        "record_results",
    ]
    assert store.calls[-1] == ("record_results", N - 2)


def test_a_store_failure_reaches_every_call_of_the_batch_each_with_its_own_error() -> None:
    store = filled()
    store.fail = StoreError("claim_many on the store failed: gone")

    async def body(calls: StoreCalls) -> list[Any]:
        return await asyncio.gather(
            *(calls.perform(claim(n)) for n in range(3)), return_exceptions=True
        )

    errors = run(store, body)
    assert all(isinstance(e, StoreError) and "gone" in str(e) for e in errors)
    assert len({id(e) for e in errors}) == 3  # the driver stamps each with its own time


class OneCorrupt(Spy):
    """Row p001 cannot be read: its claim comes back as its error."""

    broken = CorruptRowError("p001", "day", "20261345", "a day YYYYMMDD")

    def claim_many(
        self,
        prebooking_ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: float,
        *,
        lease: Seconds | None = None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        readable = [i for i in prebooking_ids if i != "p001"]
        claimed = super().claim_many(readable, instance_id, now, lease=lease)
        return {**claimed, PrebookingId("p001"): self.broken}


def test_a_corrupt_row_fails_its_own_claim_only() -> None:
    store = OneCorrupt()
    store.add(ready_rows()[:3])

    async def body(calls: StoreCalls) -> list[Any]:
        return await asyncio.gather(
            *(calls.perform(claim(n)) for n in range(3)), return_exceptions=True
        )

    answers = run(store, body)
    assert answers[1] is OneCorrupt.broken
    assert [a.id for a in (answers[0], answers[2])] == ["p000", "p002"]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_no_more_batches_at_once_than_the_store_serves(concurrency: int) -> None:
    store = filled()
    store.hold_writes.clear()
    running: list[int] = []

    async def main() -> None:
        with ThreadPoolExecutor(concurrency) as threads:
            calls = StoreCalls(store, threads, concurrency=concurrency)
            writes = []
            for n in range(5):  # one mark per turn of the loop, each while the others hold
                writes.append(asyncio.ensure_future(calls.perform(mark(n))))
                await asyncio.sleep(0.02)
            running.append(calls._running)
            store.hold_writes.set()
            await asyncio.gather(*writes)

    asyncio.run(main())
    assert running == [concurrency]
    # the marks that found every thread busy left together once one freed
    assert store.calls[:concurrency] == [("record_result", 1)] * concurrency
    assert store.calls[concurrency:] == [("record_results", 5 - concurrency)]
