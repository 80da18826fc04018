"""One prebooking as a flow: claim, settle what is unknown, book, record what AimHarder did.

``execute_one`` claims right before sending rather than claiming everything up front, so that a
killed invocation leaves exactly its in-flight prebookings ``executing`` and whatever the guard
skipped simply stays ``pending`` for the next invocation. The error cases are the seed's: no
session, booking refused with its message, transport error; plus an expired session, and a
duplicate counted as booked (mock_aimharder/API.md, "POST /api/book").

A record is what AimHarder did, or says that we do not know yet:

- a booking sent whose answer never came (a time-out, a connection dropped after sending) may
  have taken effect: AimHarder's listing (``ReadPlace``) is read before anything else is sent
  for it. A place completes it; no place sends it again while retries fit (so a booking that
  took effect is never sent twice); else, or when the listing cannot be read, it is recorded
  ``unknown``, never ``failed``;
- a prebooking left ``unknown`` by an earlier invocation, or taken up still ``executing`` once
  its holder's lease lapsed (the holder may have sent it, then died or failed to record it), is
  settled the same way before anything is sent for it: a place in the listing completes it, no
  place sends it again (a resend that lands on a place already taken answers "already booked",
  which completes it too);
- a request never answered may land late (queued on its way: ``settling``), so while it may
  still land a later answer does not make the row ``failed``: it stays ``unknown`` (its
  ``unanswered_at`` kept), and the listing is read again at every reclaim;
- a ``failed`` row with a request never answered is taken up again, until its class is over,
  only to read the listing: a place completes it, else it stays ``failed`` as it was;
- "too early" and "not sent before the deadline" are not final: the prebooking goes back to
  ``pending`` with its attempts kept.

Times: ``now`` is the driver's clock as last told; ``deadline`` is the invocation's, by which
every request (booking or listing) must have answered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from scheduler.core.domain import BookingResult, InstanceId, Instant, Prebooking, Session
from scheduler.core.effects import (
    Book,
    Claim,
    Effect,
    Flow,
    GetSession,
    MarkResult,
    ReadPlace,
    Reply,
    Sleep,
    ask,
)
from scheduler.core.errors import (
    DriverError,
    Failure,
    HttpStatusError,
    SessionExpiredError,
    TransportError,
)
from scheduler.core.outcome import Disposition, Outcome
from scheduler.core.retry import is_transient, retry_at
from scheduler.core.settling import may_still_land
from scheduler.core.status import Event, Status
from scheduler.core.strategies import PolicyConfig
from scheduler.core.verdict import HOLDS_SPOT, VerdictKind, judge, judge_place

__all__ = ["execute_one", "when"]

Steps = Generator[Effect, Reply[Any], "_Ended"]

_DISPOSITION = {
    Event.COMPLETE: Disposition.COMPLETED,
    Event.FAIL: Disposition.FAILED,
    Event.UNANSWERED: Disposition.UNKNOWN,
    Event.RELEASE: Disposition.REQUEUED,
}


def when(failure: Failure, last: Instant) -> Instant:
    """When ``failure`` reached the driver; ``last`` (the flow's latest now) if unstamped."""
    return failure.now if failure.now is not None else last


def execute_one(
    prebooking: Prebooking,
    *,
    instance_id: InstanceId,
    config: PolicyConfig,
    deadline: Instant,
    now: Instant,
) -> Flow[Outcome]:
    """One prebooking, started at ``now``: claim, session, settle or book, record."""
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
    # FindReady's copy says whether an earlier invocation left this booking's fate unknown, or
    # recorded it failed while one of its requests went unanswered (read the listing only). A
    # row taken up still ``executing`` (its holder's lease lapsed) is unknown too: the holder
    # may have sent the booking and died, or failed to record it, before writing anything.
    unsettled = prebooking.status in (Status.UNKNOWN, Status.EXECUTING)
    if prebooking.status is Status.FAILED:
        ended = yield from _reconcile(prebooking, session.value, deadline, now=session.now)
    elif session.value is None:
        event = Event.UNANSWERED if unsettled else Event.FAIL
        ended = _Ended(
            now=session.now, event=event, error=f"no session for user {prebooking.user!r}"
        )
        ended = _unless_may_land(ended, prebooking.unanswered_at, config)
    else:
        ended = yield from _settle_or_book(
            prebooking, session.value, config, deadline, now=session.now, unsettled=unsettled
        )
        ended = _unless_may_land(ended, prebooking.unanswered_at, config)
    attempts = claimed.value.attempts + len(ended.sent_at)
    try:
        marked = yield from ask(
            MarkResult(
                prebooking_id=pid,
                instance_id=instance_id,
                event=ended.event,
                executed_at=ended.now,
                result=ended.result,
                error=ended.error,
                attempts=attempts,
                unanswered_at=_earliest(prebooking.unanswered_at, ended.unanswered_at),
            )
        )
        recorded = marked.value
    except Failure:
        recorded = False  # the booking happened (or not) all the same: report what was decided
    return Outcome(
        prebooking_id=pid,
        disposition=_DISPOSITION[ended.event],
        attempts=len(ended.sent_at),
        sent_at=ended.sent_at,
        result=ended.result,
        verdict=ended.verdict,
        error=ended.error,
        recorded=recorded,
        settled=ended.settled,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Ended:
    """Where one prebooking's requests ended, and the event that records it."""

    now: Instant
    event: Event
    sent_at: tuple[Instant, ...] = ()
    result: BookingResult | None = None
    verdict: VerdictKind | None = None
    error: str | None = None
    unanswered: bool = False  # a booking sent got no answer: it may have taken effect
    settled: bool = False  # the listing decided the outcome
    unanswered_at: Instant | None = None  # the first of these sends that got no answer


def _earliest(a: Instant | None, b: Instant | None) -> Instant | None:
    return b if a is None else a if b is None else min(a, b)


def _unless_may_land(ended: _Ended, before: Instant | None, config: PolicyConfig) -> _Ended:
    """``ended``, or ``unknown`` instead of ``failed`` while a request that got no answer (this
    invocation's, or one ``before`` it) may still land: a refusal now does not say what that
    one will do (``settling``)."""
    unanswered_at = _earliest(before, ended.unanswered_at)
    if ended.event is not Event.FAIL or not may_still_land(
        unanswered_at, now=ended.now, horizon=config.settle_horizon
    ):
        return ended
    assert unanswered_at is not None  # may_still_land says so
    until = unanswered_at + config.settle_horizon
    error = f"{ended.error}; a request sent at {unanswered_at:.3f} may still land until {until:.3f}"
    return _Ended(
        now=ended.now,
        event=Event.UNANSWERED,
        sent_at=ended.sent_at,
        result=ended.result,
        verdict=ended.verdict,
        error=error,
        unanswered_at=ended.unanswered_at,
    )


def _reconcile(
    prebooking: Prebooking, session: Session | None, deadline: Instant, *, now: Instant
) -> Steps:
    """A failed row whose request went unanswered: the listing alone decides; nothing is sent.
    A place completes it; anything else leaves it failed as it was recorded."""
    place = _Place(now=now, read=False)
    if session is not None:
        place = yield from _read_place(prebooking, session, deadline, now=now)
    if place.verdict is None:
        return _Ended(
            now=place.now, event=Event.FAIL, result=prebooking.result, error=prebooking.error
        )
    return _Ended(now=place.now, event=Event.COMPLETE, verdict=place.verdict, settled=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Place:
    """What the listing said: a verdict (booked, waitlisted), no place, or nothing (not read)."""

    now: Instant
    read: bool
    verdict: VerdictKind | None = None
    error: str | None = None


def _settle_or_book(
    prebooking: Prebooking,
    session: Session,
    config: PolicyConfig,
    deadline: Instant,
    *,
    now: Instant,
    unsettled: bool,
) -> Steps:
    if unsettled:
        place = yield from _read_place(prebooking, session, deadline, now=now)
        if not place.read:
            return _Ended(now=place.now, event=Event.UNANSWERED, error=place.error)
        if place.verdict is not None:
            return _Ended(now=place.now, event=Event.COMPLETE, verdict=place.verdict, settled=True)
        now = place.now  # no place: the earlier booking did not take effect; send it
    booked = yield from _book(prebooking, session, config, deadline, now=now)
    unanswered_at: Instant | None = None
    while booked.unanswered:
        unanswered_at = _earliest(unanswered_at, booked.sent_at[-1])
        # Sent, and no answer: AimHarder's listing says whether it took effect before anything
        # is sent again, so a booking that did is never sent twice.
        place = yield from _read_place(prebooking, session, deadline, now=booked.now)
        if place.verdict is not None:
            return _Ended(
                now=place.now,
                event=Event.COMPLETE,
                sent_at=booked.sent_at,
                verdict=place.verdict,
                settled=True,
                unanswered_at=unanswered_at,
            )
        retry = None
        if place.read:  # no place: it did not take effect, or has not yet
            retry = retry_at(config, attempts=len(booked.sent_at), now=place.now, deadline=deadline)
        if retry is None:  # it may still take effect: unknown until the lease is over
            error = booked.error if place.read else f"{booked.error}; listing: {place.error}"
            return _Ended(
                now=place.now,
                event=Event.UNANSWERED,
                sent_at=booked.sent_at,
                error=error,
                unanswered_at=unanswered_at,
            )
        now = (yield from ask(Sleep(until=retry))).now
        booked = yield from _book(
            prebooking, session, config, deadline, now=now, sent_before=booked.sent_at
        )
    if unanswered_at is None:
        return booked
    return dataclasses.replace(booked, unanswered_at=unanswered_at)


def _read_place(
    prebooking: Prebooking, session: Session, deadline: Instant, *, now: Instant
) -> Generator[Effect, Reply[Any], _Place]:
    """AimHarder's listing for the user's class, if it can answer before the deadline."""
    if now >= deadline:
        return _Place(now=now, read=False, error="no time left to read the listing")
    try:
        reply = yield from ask(
            ReadPlace(prebooking=prebooking, session=session, timeout=deadline - now)
        )
    except DriverError as exc:
        return _Place(now=when(exc, now), read=False, error=str(exc))
    return _Place(now=reply.now, read=True, verdict=judge_place(reply.value))


def _book(
    prebooking: Prebooking,
    session: Session,
    config: PolicyConfig,
    deadline: Instant,
    *,
    now: Instant,
    sent_before: tuple[Instant, ...] = (),
) -> Steps:
    """Book, and book again after a transient failure while attempts and the deadline allow;
    a send that gets no answer ends it (``unanswered``): the caller reads the listing first.

    The first attempt goes out whenever time is left: the policy started this send with at least
    ``margin`` to spare, and claim and session took part of it. Retries must each leave ``margin``
    (``retry.retry_at``). ``sent_before``: this invocation's earlier sends of it.
    """
    sent_at: list[Instant] = list(sent_before)
    while True:
        if now >= deadline:  # only before the first send: a retry leaves ``margin``
            late = f"not sent: {now - deadline:.3f} s past the deadline"
            return _Ended(now=now, event=Event.RELEASE, sent_at=tuple(sent_at), error=late)
        sent_at.append(now)
        retry: Instant | None = None
        try:
            answer = yield from ask(
                Book(prebooking=prebooking, session=session, timeout=deadline - now)
            )
        except SessionExpiredError as exc:
            now = when(exc, now)
            return _Ended(
                now=now, event=Event.FAIL, sent_at=tuple(sent_at), error="session expired"
            )
        except TransportError as exc:  # sent, and no answer: it may have taken effect
            now = when(exc, now)
            return _Ended(
                now=now,
                event=Event.UNANSWERED,
                sent_at=tuple(sent_at),
                error=str(exc),
                unanswered=True,
            )
        except DriverError as exc:
            now = when(exc, now)
            ended = _Ended(now=now, event=Event.FAIL, sent_at=tuple(sent_at), error=str(exc))
            if is_transient(exc):
                asked = exc.retry_after if isinstance(exc, HttpStatusError) else None
                retry = retry_at(
                    config, attempts=len(sent_at), now=now, deadline=deadline, asked_wait=asked
                )
        else:
            now = answer.now
            verdict = judge(answer.value)
            holds = verdict.kind in HOLDS_SPOT
            ended = _Ended(
                now=now,
                event=Event.COMPLETE if holds else Event.FAIL,
                sent_at=tuple(sent_at),
                result=answer.value,
                verdict=verdict.kind,
                error=None if holds else verdict.message,
            )
            if verdict.retryable:
                retry = retry_at(
                    config, attempts=len(sent_at), now=now, deadline=deadline, too_early=True
                )
                if retry is None:  # the window has not opened in time: the next invocation
                    return _Ended(
                        now=now,
                        event=Event.RELEASE,
                        sent_at=tuple(sent_at),
                        result=answer.value,
                        verdict=verdict.kind,
                        error=verdict.message,
                    )
        if retry is None:
            return ended
        now = (yield from ask(Sleep(until=retry))).now
