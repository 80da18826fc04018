"""The store in memory, with the SQL store's rules: for the SimPy simulation and unit tests.

One lock makes each method atomic, as one statement is in the SQL store; status changes come
from ``scheduler.core.rules`` (through ``next_status``) and inputs pass the same ``intake``
checks, so a run against this store and one against SQLite differ only in time.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Self, TypeAlias

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Seconds,
    Session,
    UserId,
)
from scheduler.core.effects import MarkResult
from scheduler.core.errors import CorruptRowError, StoreError
from scheduler.core.rules import (
    RESULT_FROM,
    is_claimable,
    is_reconcilable,
    lease_cutoff,
    status_after_claim_of,
    status_after_result,
)
from scheduler.core.status import Event, Status

from .arguments import (
    check_claim,
    check_delivery,
    check_find_ready,
    check_result,
    check_session,
)
from .intake import NewPrebooking, admit_all, duplicate_id_error
from .perform import perform

__all__ = ["MemoryStore"]

# A store's rows, sessions and deliveries, by id, user and instance.
_Held: TypeAlias = tuple[
    dict[str, Prebooking], dict[str, tuple[Session, Instant]], dict[str, Instant]
]


class MemoryStore:
    """The ``Store`` protocol on dicts guarded by one lock."""

    def __init__(self, *, _held: _Held | None = None) -> None:
        """An empty store; ``_held``: what ``copy`` hands its copy (not for callers)."""
        self._lock = threading.Lock()
        rows, sessions, deliveries = _held if _held is not None else ({}, {}, {})
        self._rows: dict[str, Prebooking] = rows
        self._sessions: dict[str, tuple[Session, Instant]] = sessions
        self._deliveries: dict[str, Instant] = deliveries
        self._closed = False

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._rows)} prebookings)"

    @property
    def concurrency(self) -> int:
        return 1  # one lock guards every method

    def copy(self) -> MemoryStore:
        """A new, open store holding what this one holds now; from then on, what either does
        the other never sees. Rows and sessions are immutable values, so they are shared, not
        copied: a simulation loads its workload once and each strategy starts from a copy
        (adding 750 prebookings again, each checked, was 9% of a heavy replication's CPU)."""
        with self._lock:
            self._check_open("copy")
            held = (dict(self._rows), dict(self._sessions), dict(self._deliveries))
        return MemoryStore(_held=held)

    def _check_open(self, operation: str) -> None:
        if self._closed:
            raise StoreError(f"{operation} on MemoryStore: the store is closed")

    def add(self, prebookings: Iterable[NewPrebooking]) -> builtins.list[Prebooking]:
        admitted = admit_all(prebookings)
        with self._lock:
            self._check_open("add")
            for prebooking in admitted:
                if prebooking.id in self._rows:
                    raise duplicate_id_error(prebooking.id)
            self._rows.update((p.id, p) for p in admitted)
        return admitted

    def find_ready(
        self, now: Instant, limit: int, *, lease: Seconds | None = None
    ) -> builtins.list[Prebooking]:
        check_find_ready(now, limit, lease)
        cutoff = lease_cutoff(now, lease)
        with self._lock:
            self._check_open("find_ready")
            ready = [
                p for p in self._rows.values() if _takes(p, cutoff, now) and p.available_at <= now
            ]
        return sorted(ready, key=lambda p: p.fifo_key)[:limit]

    def claim(
        self,
        prebooking_id: PrebookingId,
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> Prebooking | None:
        check_claim(prebooking_id, instance_id, now, lease)
        cutoff = lease_cutoff(now, lease)
        with self._lock:
            self._check_open("claim")
            current = self._rows.get(prebooking_id)
            if current is None or not _takes(current, cutoff, now):
                return None
            claimed = replace(
                current,
                status=status_after_claim_of(prebooking_id, current.status),
                claimed_by=instance_id,
                claimed_at=now,
            )
            self._rows[prebooking_id] = claimed
            return claimed

    def claim_many(
        self,
        prebooking_ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        for prebooking_id in prebooking_ids:
            check_claim(prebooking_id, instance_id, now, lease)
        claimed: dict[PrebookingId, Prebooking | CorruptRowError] = {}
        for prebooking_id in dict.fromkeys(prebooking_ids):  # rows in memory are never corrupt
            taken = self.claim(prebooking_id, instance_id, now, lease=lease)
            if taken is not None:
                claimed[prebooking_id] = taken
        return claimed

    def record_result(
        self,
        prebooking_id: PrebookingId,
        instance_id: InstanceId,
        *,
        event: Event,
        executed_at: Instant,
        result: BookingResult | None,
        error: str | None,
        attempts: int,
        unanswered_at: Instant | None = None,
    ) -> bool:
        new_status = status_after_result(prebooking_id, event)
        check_result(prebooking_id, executed_at, result, error, attempts)
        with self._lock:
            self._check_open("record_result")
            current = self._rows.get(prebooking_id)
            if (
                current is None
                or current.status is not RESULT_FROM
                or current.claimed_by != instance_id
            ):
                return False
            self._rows[prebooking_id] = replace(
                current,
                status=new_status,
                executed_at=float(executed_at),
                result=result,
                error=error,
                attempts=attempts,
                unanswered_at=None if unanswered_at is None else float(unanswered_at),
            )
            return True

    def record_results(self, marks: Sequence[MarkResult]) -> builtins.list[bool]:
        for m in marks:  # every mark checked before any is written
            status_after_result(m.prebooking_id, m.event)
            check_result(m.prebooking_id, m.executed_at, m.result, m.error, m.attempts)
        return [perform(self, mark) for mark in marks]

    def begin_delivery(self, instance_id: InstanceId, now: Instant, *, hold: Seconds) -> bool:
        check_delivery(instance_id, now, hold)
        with self._lock:
            self._check_open("begin_delivery")
            old = [d for d, started in self._deliveries.items() if started < now - hold]
            for delivery in old:
                del self._deliveries[delivery]
            if instance_id in self._deliveries:
                return False
            self._deliveries[instance_id] = now
            return True

    def forget_delivery(self, instance_id: InstanceId) -> None:
        with self._lock:
            self._check_open("forget_delivery")
            self._deliveries.pop(instance_id, None)

    def get(self, prebooking_id: PrebookingId) -> Prebooking | None:
        with self._lock:
            self._check_open("get")
            return self._rows.get(prebooking_id)

    def list(self, status: Status | None = None) -> builtins.list[Prebooking]:
        with self._lock:
            self._check_open("list")
            rows = [p for p in self._rows.values() if status is None or p.status is status]
        return sorted(rows, key=lambda p: p.fifo_key)

    def counts(self) -> dict[Status, int]:
        totals = dict.fromkeys(Status, 0)
        with self._lock:
            self._check_open("counts")
            for prebooking in self._rows.values():
                totals[prebooking.status] += 1
        return totals

    def get_session(self, user: UserId) -> Session | None:
        with self._lock:
            self._check_open("get_session")
            saved = self._sessions.get(user)
        return saved[0] if saved is not None else None

    def get_sessions(self, users: Sequence[UserId]) -> dict[UserId, Session | CorruptRowError]:
        found = {user: self.get_session(user) for user in users}
        return {user: session for user, session in found.items() if session is not None}

    def save_session(self, session: Session, now: Instant) -> None:
        check_session(session, now)
        # A copy of the cookies, as the SQL store keeps its own: later changes to the caller's
        # mapping must not reach the store.
        stored = Session(user=session.user, cookies=dict(session.cookies))
        with self._lock:
            self._check_open("save_session")
            self._sessions[session.user] = (stored, now)

    def close(self) -> None:
        with self._lock:
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _takes(row: Prebooking, cutoff: Instant | None, now: Instant) -> bool:
    """Whether a claim at ``now`` takes ``row`` (``rules``; the SQL store's ``_claimable``)."""
    return is_claimable(row.status, row.claimed_at, cutoff) or is_reconcilable(row, cutoff, now=now)
