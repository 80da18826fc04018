"""The two flows of the scheduler, as generators that yield effects (``scheduler.effects``).

``run_invocation`` is one cron call: find the ready prebookings, let the policy decide what starts
when, run one ``execute_one`` per started prebooking as a child flow, and report.

``execute_one`` is one prebooking: claim, get the session, book (retrying what is transient within
the deadline), record the result. It claims right before sending rather than claiming everything
up front, so that a killed invocation leaves exactly its in-flight prebookings ``executing`` and
whatever the guard skipped simply stays ``pending`` for the next invocation. The error cases are
the seed's: no session, booking refused with its message, transport error.
"""

from __future__ import annotations

from scheduler.domain import BookingResult, InstanceId, Instant, Prebooking
from scheduler.effects import (
    Book,
    Claim,
    FindReady,
    Flow,
    GetSession,
    MarkResult,
    Sleep,
    Spawn,
    WaitAny,
)
from scheduler.errors import DriverError, HttpStatusError, SessionExpiredError, StoreError
from scheduler.outcome import Disposition, InvocationReport, Outcome
from scheduler.policy import Policy
from scheduler.retry import is_transient, retry_at
from scheduler.status import Status
from scheduler.strategies import PolicyConfig
from scheduler.verdict import judge

__all__ = ["execute_one", "run_invocation"]


def run_invocation(
    *, instance_id: InstanceId, config: PolicyConfig, now: Instant
) -> Flow[InvocationReport]:
    started_at = now
    deadline = started_at + config.deadline_after
    try:
        found = yield FindReady(now=now, limit=config.limit)
    except StoreError as exc:
        return InvocationReport(
            instance_id=instance_id,
            started_at=started_at,
            finished_at=started_at,
            found=0,
            outcomes=(),
            skipped=(),
            error=str(exc),
        )
    now = found.now
    ready: dict[str, Prebooking] = {p.id: p for p in found.value}
    policy = Policy(config, started_at=started_at)
    policy.enqueue(p.id for p in found.value)
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
    try:
        claimed = yield Claim(prebooking_id=prebooking.id, instance_id=instance_id, now=now)
        if claimed.value is None:
            return Outcome(prebooking_id=prebooking.id, disposition=Disposition.LOST_RACE)
        session = yield GetSession(user=prebooking.user)
        now = session.now
        attempts = 0
        sent_at: list[Instant] = []
        result: BookingResult | None = None
        status = Status.FAILED
        error: str | None = f"no session for user {prebooking.user!r}"
        while session.value is not None:
            if deadline - now < config.margin:
                # Claim and session took what was left. Sending now would only race the kill.
                error = f"{deadline - now:.3f} s left before the deadline: not sent"
                break
            attempts += 1
            sent_at.append(now)
            retry: Instant | None = None
            try:
                answer = yield Book(
                    prebooking=prebooking, session=session.value, timeout=deadline - now
                )
            except SessionExpiredError as exc:
                now, error = exc.now, "session expired"
                break
            except DriverError as exc:
                now, error = exc.now, str(exc)
                if is_transient(exc):
                    asked = exc.retry_after if isinstance(exc, HttpStatusError) else None
                    retry = retry_at(
                        config, attempts=attempts, now=now, deadline=deadline, asked_wait=asked
                    )
            else:
                now, result = answer.now, answer.value
                verdict = judge(answer.value)
                status = Status.COMPLETED if verdict.holds_spot else Status.FAILED
                error = None if verdict.holds_spot else verdict.message
                if verdict.retryable:
                    retry = retry_at(config, attempts=attempts, now=now, deadline=deadline)
            if retry is None:
                break
            now = (yield Sleep(until=retry)).now
        marked = yield MarkResult(
            prebooking_id=prebooking.id,
            instance_id=instance_id,
            status=status,
            executed_at=now,
            result=result,
            error=error,
            attempts=attempts,
        )
    except StoreError as exc:
        # The row stays as the store last saw it; a claimed one is recovered by the lease rule.
        return Outcome(
            prebooking_id=prebooking.id, disposition=Disposition.STORE_ERROR, error=str(exc)
        )
    return Outcome(
        prebooking_id=prebooking.id,
        disposition=Disposition.COMPLETED if status is Status.COMPLETED else Disposition.FAILED,
        attempts=attempts,
        sent_at=tuple(sent_at),
        result=result,
        error=error,
        recorded=bool(marked.value),
    )
