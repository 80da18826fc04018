"""The two flows of the scheduler, as generators that yield effects (``scheduler.core.effects``).

``run_invocation`` is one cron call: find the ready prebookings, let the policy decide what starts
when, run one ``execute_one`` per started prebooking as a child flow, and report.

``execute_one`` is one prebooking: claim, get the session, book (retrying what is transient within
the deadline), record the result. It claims right before sending rather than claiming everything
up front, so that a killed invocation leaves exactly its in-flight prebookings ``executing`` and
whatever the guard skipped simply stays ``pending`` for the next invocation. The error cases are
the seed's: no session, booking refused with its message, transport error; plus an expired
session, and a duplicate counted as booked (AIMHARDER-API.md §6).

Times: ``now`` is the driver's clock as last told (every ``Reply`` carries it, and every
``Failure`` the driver throws in). ``deadline`` is ``started_at + budget - buffer``: no request
may outlive it, so each ``Book`` gets ``timeout = deadline - now``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, cast

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Session,
)
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
    ask,
)
from scheduler.core.errors import DriverError, Failure, HttpStatusError, SessionExpiredError
from scheduler.core.outcome import Disposition, InvocationReport, Outcome
from scheduler.core.policy import Policy
from scheduler.core.retry import is_transient, retry_at
from scheduler.core.status import Event
from scheduler.core.strategies import PolicyConfig
from scheduler.core.verdict import HOLDS_SPOT, VerdictKind, judge

__all__ = ["execute_one", "run_invocation"]


def _when(failure: Failure, last: Instant) -> Instant:
    """When ``failure`` reached the driver; ``last`` (the flow's latest now) if unstamped."""
    return failure.now if failure.now is not None else last


def run_invocation(
    *, instance_id: InstanceId, config: PolicyConfig, now: Instant
) -> Flow[InvocationReport]:
    """One invocation started at ``now``; returns its report (never raises a domain error)."""
    started_at = now
    deadline = started_at + config.deadline_after
    try:
        found = yield from ask(FindReady(now=now, limit=config.limit, lease=config.lease))
    except Failure as exc:
        return InvocationReport(
            instance_id=instance_id,
            started_at=started_at,
            finished_at=_when(exc, started_at),
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
    running: set[PrebookingId] = set()
    while True:
        for prebooking_id in policy.due(now):
            child = execute_one(
                ready[prebooking_id],
                instance_id=instance_id,
                config=config,
                deadline=deadline,
                now=now,
            )
            now = (yield from ask(Spawn(key=prebooking_id, flow=child))).now
            running.add(prebooking_id)
        if policy.done:
            break
        waited = yield from ask(WaitAny(among=frozenset(running), until=policy.next_wakeup()))
        now = waited.now
        for finished in waited.value:
            running.discard(finished.key)
            outcomes[finished.key] = cast(Outcome, finished.value)  # execute_one's return
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
        claimed = yield from ask(
            Claim(prebooking_id=pid, instance_id=instance_id, now=now, lease=config.lease)
        )
        if claimed.value is None:
            return Outcome(prebooking_id=pid, disposition=Disposition.LOST_RACE)
        session = yield from ask(GetSession(user=prebooking.user))
    except Failure as exc:
        # Nothing was sent. A claimed row stays executing for the store's lease rule.
        return Outcome(prebooking_id=pid, disposition=Disposition.STORE_ERROR, error=str(exc))
    if session.value is None:
        booking = _Booking(now=session.now, error=f"no session for user {prebooking.user!r}")
    else:
        booking = yield from _book(prebooking, session.value, config, deadline, now=session.now)
    completed = booking.verdict is not None and booking.verdict in HOLDS_SPOT
    try:
        marked = yield from ask(
            MarkResult(
                prebooking_id=pid,
                instance_id=instance_id,
                event=Event.COMPLETE if completed else Event.FAIL,
                executed_at=booking.now,
                result=booking.result,
                error=booking.error,
                attempts=len(booking.sent_at),
            )
        )
        recorded = marked.value
    except Failure:
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
            answer = yield from ask(
                Book(prebooking=prebooking, session=session, timeout=deadline - now)
            )
        except SessionExpiredError as exc:
            now = _when(exc, now)
            return _Booking(now=now, sent_at=tuple(sent_at), error="session expired")
        except DriverError as exc:
            now = _when(exc, now)
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
        now = (yield from ask(Sleep(until=retry))).now
