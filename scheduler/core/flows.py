"""The two flows of the scheduler, as generators that yield effects (``scheduler.core.effects``).

``run_invocation`` is one cron call: find the ready prebookings, let the policy decide what starts
when, run one ``execute_one`` per started prebooking as a child flow, and report.

``execute_one`` is one prebooking: claim, get the session, book (retrying what is transient within
the deadline), record the result. It claims right before sending rather than claiming everything
up front, so that a killed invocation leaves exactly its in-flight prebookings ``executing`` and
whatever the guard skipped simply stays ``pending`` for the next invocation. The error cases are
the seed's: no session, booking refused with its message, transport error; plus an expired
session, and a duplicate counted as booked (AIMHARDER-API.md §6).

Times: ``now`` is the driver's clock as last told (every ``Reply`` and every ``DriverError``
carries it). ``deadline`` is ``started_at + budget - buffer``: no request may outlive it, so each
``Book`` gets ``timeout = deadline - now``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from scheduler.core.domain import BookingResult, InstanceId, Instant, Prebooking, Session
from scheduler.core.effects import (
    Book,
    Claim,
    Effect,
    FindReady,
    Flow,
    GetSession,
    MarkResult,
    Reply,
    Sleep,
    Spawn,
    WaitAny,
)
from scheduler.core.errors import DriverError, HttpStatusError, SessionExpiredError, StoreError
from scheduler.core.outcome import Disposition, InvocationReport, Outcome
from scheduler.core.policy import Policy
from scheduler.core.retry import is_transient, retry_at
from scheduler.core.status import Status
from scheduler.core.strategies import PolicyConfig
from scheduler.core.verdict import HOLDS_SPOT, VerdictKind, judge

__all__ = ["execute_one", "run_invocation"]

# What a driver may throw into a store effect (FindReady, Claim, GetSession, MarkResult).
STORE_FAILURES = (StoreError, DriverError)


def run_invocation(
    *, instance_id: InstanceId, config: PolicyConfig, now: Instant
) -> Flow[InvocationReport]:
    """One invocation started at ``now``; returns its report (never raises a domain error)."""
    started_at = now
    deadline = started_at + config.deadline_after
    try:
        found = yield FindReady(now=now, limit=config.limit, lease=config.lease)
    except STORE_FAILURES as exc:
        return InvocationReport(
            instance_id=instance_id,
            started_at=started_at,
            finished_at=exc.now if isinstance(exc, DriverError) else started_at,
            found=0,
            outcomes=(),
            skipped=(),
            error=str(exc),
        )
    now = found.now
    # FIFO by created_at, the id breaking ties: the order never depends on the driver's.
    ready = {p.id: p for p in sorted(found.value, key=lambda p: p.fifo_key)}
    policy = Policy(config, started_at=started_at)
    policy.enqueue(ready)
    outcomes: dict[str, Outcome] = {}
    while True:
        for prebooking_id in policy.due(now):
            child = execute_one(
                ready[prebooking_id],
                instance_id=instance_id,
                config=config,
                deadline=deadline,
                now=now,
            )
            now = (yield Spawn(key=prebooking_id, flow=child)).now
        if policy.done:
            break
        waited = yield WaitAny(until=policy.next_wakeup())
        now = waited.now
        for finished in waited.value:
            outcomes[finished.key] = finished.value
            policy.finished(finished.key, now=now)
    return InvocationReport(
        instance_id=instance_id,
        started_at=started_at,
        finished_at=now,
        found=len(ready),
        outcomes=tuple(outcomes[p] for p in policy.started),
        skipped=policy.skipped(),
    )


def execute_one(
    prebooking: Prebooking,
    *,
    instance_id: InstanceId,
    config: PolicyConfig,
    deadline: Instant,
    now: Instant,
) -> Flow[Outcome]:
    """One prebooking, started at ``now``: claim, session, book, record."""
    pid = prebooking.id
    try:
        claimed = yield Claim(
            prebooking_id=pid, instance_id=instance_id, now=now, lease=config.lease
        )
        if claimed.value is None:
            return Outcome(prebooking_id=pid, disposition=Disposition.LOST_RACE)
        session = yield GetSession(user=prebooking.user)
    except STORE_FAILURES as exc:
        # Nothing was sent. A claimed row stays executing for the store's lease rule.
        return Outcome(prebooking_id=pid, disposition=Disposition.STORE_ERROR, error=str(exc))
    if session.value is None:
        booking = _Booking(now=session.now, error=f"no session for user {prebooking.user!r}")
    else:
        booking = yield from _book(prebooking, session.value, config, deadline, now=session.now)
    completed = booking.verdict is not None and booking.verdict in HOLDS_SPOT
    try:
        marked = yield MarkResult(
            prebooking_id=pid,
            instance_id=instance_id,
            status=Status.COMPLETED if completed else Status.FAILED,
            executed_at=booking.now,
            result=booking.result,
            error=booking.error,
            attempts=len(booking.sent_at),
        )
        recorded = bool(marked.value)
    except STORE_FAILURES:
        recorded = False  # the booking happened (or not) all the same: report what was decided
    return Outcome(
        prebooking_id=pid,
        disposition=Disposition.COMPLETED if completed else Disposition.FAILED,
        attempts=len(booking.sent_at),
        sent_at=booking.sent_at,
        result=booking.result,
        verdict=booking.verdict,
        error=booking.error,
        recorded=recorded,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Booking:
    """Where the booking attempts ended."""

    now: Instant
    sent_at: tuple[Instant, ...] = ()
    result: BookingResult | None = None
    verdict: VerdictKind | None = None
    error: str | None = None


def _book(
    prebooking: Prebooking,
    session: Session,
    config: PolicyConfig,
    deadline: Instant,
    *,
    now: Instant,
) -> Generator[Effect, Reply[Any], _Booking]:
    """Book, and book again after a transient failure while attempts and the deadline allow.

    The first attempt goes out whenever time is left: the policy started this send with at least
    ``margin`` to spare, and claim and session took part of it. Retries must each leave ``margin``
    (``retry.retry_at``).
    """
    sent_at: list[Instant] = []
    while True:
        if now >= deadline:
            late = f"not sent: {now - deadline:.3f} s past the deadline"
            return _Booking(now=now, sent_at=tuple(sent_at), error=late)
        sent_at.append(now)
        retry: Instant | None = None
        try:
            answer = yield Book(prebooking=prebooking, session=session, timeout=deadline - now)
        except SessionExpiredError as exc:
            return _Booking(now=exc.now, sent_at=tuple(sent_at), error="session expired")
        except DriverError as exc:
            now = exc.now
            ended = _Booking(now=now, sent_at=tuple(sent_at), error=str(exc))
            if is_transient(exc):
                asked = exc.retry_after if isinstance(exc, HttpStatusError) else None
                retry = retry_at(
                    config, attempts=len(sent_at), now=now, deadline=deadline, asked_wait=asked
                )
        else:
            now = answer.now
            verdict = judge(answer.value)
            ended = _Booking(
                now=now,
                sent_at=tuple(sent_at),
                result=answer.value,
                verdict=verdict.kind,
                error=None if verdict.kind in HOLDS_SPOT else verdict.message,
            )
            if verdict.retryable:
                retry = retry_at(config, attempts=len(sent_at), now=now, deadline=deadline)
        if retry is None:
            return ended
        now = (yield Sleep(until=retry)).now
