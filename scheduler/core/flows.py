"""The two flows of the scheduler, as generators that yield effects (``scheduler.core.effects``).

``run_invocation`` is one cron call: find the ready prebookings, let the policy decide what starts
when, run one ``execute_one`` per started prebooking as a child flow, and report.

``execute_one`` (``booking``) is one prebooking: claim, get the session, settle or book, record.

Times: ``now`` is the driver's clock as last told (every ``Reply`` carries it, and every
``Failure`` the driver throws in). ``deadline`` is ``started_at + budget - buffer``: no request
may outlive it, so each request gets ``timeout = deadline - now``.
"""

from __future__ import annotations

from typing import cast

from scheduler.core.booking import execute_one, when
from scheduler.core.domain import InstanceId, Instant, PrebookingId
from scheduler.core.effects import FindReady, Flow, Spawn, WaitAny, ask
from scheduler.core.errors import Failure
from scheduler.core.outcome import InvocationReport, Outcome
from scheduler.core.policy import Policy
from scheduler.core.strategies import PolicyConfig

__all__ = ["execute_one", "run_invocation"]


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
            finished_at=when(exc, started_at),
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
