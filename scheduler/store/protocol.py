"""What every prebooking store offers: ``SqlStore`` for real runs, ``MemoryStore`` for SimPy.

The methods are synchronous. The asyncio driver calls them from ``concurrency`` threads, the
SimPy driver directly, and an implementation must be safe to call from several threads at once.
Both implementations keep the same rules (``scheduler.core.rules``), and one contract test
suite runs against each.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Protocol, Self

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
from scheduler.core.errors import CorruptRowError
from scheduler.core.status import Event, Status

from .intake import NewPrebooking

__all__ = ["Store"]


class Store(Protocol):
    """Prebookings and sessions, with an atomic claim and a result only the claimer may record."""

    @property
    def concurrency(self) -> int:
        """How many calls at once are worth making: more only wait on the store's own lock."""
        ...

    def add(self, prebookings: Iterable[NewPrebooking]) -> builtins.list[Prebooking]:
        """Store new pending prebookings, all or none.

        Every item is checked first (``intake.admit``): a bad field or an id already used raises
        ``ConfigurationError`` naming it, and nothing of the call is written. Items without an
        id get a uuid4 hex one. Returns the stored prebookings in the order given.
        """
        ...

    def find_ready(
        self, now: Instant, limit: int, *, lease: Seconds | None = None
    ) -> builtins.list[Prebooking]:
        """Ready prebookings with ``available_at <= now``, by ``(created_at, id)``, at most
        ``limit`` (mock_aimharder/API.md, ``findReadyToExecute``). Changes nothing.

        Ready means pending, or executing with its lease expired (``claimed_at <= now -
        lease``, ``rules.is_claimable``); with ``lease`` None only pending ones. A SQL store
        skips rows it cannot read (``CorruptRowError``) and logs each one, so that one bad row
        cannot stop every invocation."""
        ...

    def claim(
        self,
        prebooking_id: PrebookingId,
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> Prebooking | None:
        """Atomically move a ready prebooking (as ``find_ready``) to executing, held by
        ``instance_id`` since ``now``; the claimed prebooking, or None if it was not ready
        (someone else holds it, or it is final)."""
        ...

    def claim_many(
        self,
        prebooking_ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        """``claim`` of every id in one statement, by the same rules (ready at ``now``, held by
        ``instance_id`` since ``now``, each taken by exactly one of concurrent claimers). Each
        id claimed maps to its prebooking; a row that cannot be read maps to its error and is
        left as it was; an id not claimed (not ready, held by another, unknown) is absent."""
        ...

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
        """Record what became of a prebooking that ``instance_id`` holds: True if written.
        ``unanswered_at``: when its earliest request never answered was sent (``Prebooking``).

        ``event`` must be one that takes a held row elsewhere (``rules.RESULT_EVENTS``), else
        ``IllegalTransition`` and nothing is written; the status written is the table's
        (``status.TRANSITIONS``). False, with nothing written, when the row is not executing or
        is held by another instance.
        """
        ...

    def record_results(self, marks: Sequence[MarkResult]) -> builtins.list[bool]:
        """``record_result`` of each mark in one transaction, by the same rules; for each mark,
        in order, True if written. A bad mark raises before anything is written."""
        ...

    def begin_delivery(self, instance_id: InstanceId, now: Instant, *, hold: Seconds) -> bool:
        """Note that the invocation named after a trigger's delivery id starts at ``now``: True
        for the first start of that id within ``hold`` seconds, False for a duplicate delivery.
        Atomic: of two starts at once, exactly one gets True. Notes older than ``hold`` go."""
        ...

    def forget_delivery(self, instance_id: InstanceId) -> None:
        """Drop the note of a delivery id whose invocation failed: the trigger's retry of it (the
        same id, seconds later) is then a first start, not a duplicate. Nothing if not noted."""
        ...

    def get(self, prebooking_id: PrebookingId) -> Prebooking | None: ...

    def list(self, status: Status | None = None) -> builtins.list[Prebooking]:
        """Every prebooking (or those with ``status``), by ``(created_at, id)``."""
        ...

    def counts(self) -> dict[Status, int]:
        """How many prebookings have each status; every status is a key, zeros included."""
        ...

    def get_session(self, user: UserId) -> Session | None: ...

    def get_sessions(self, users: Sequence[UserId]) -> dict[UserId, Session | CorruptRowError]:
        """The sessions of ``users`` in one query: each user with a session maps to it (or to
        the error of a row that cannot be read); a user without one is absent."""
        ...

    def save_session(self, session: Session, now: Instant) -> None:
        """Insert or replace the user's cookies, saved at ``now``."""
        ...

    def close(self) -> None:
        """Release connections; any later call raises ``StoreError``."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
