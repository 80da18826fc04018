"""What calls the function: a trigger service, as today's services behave.

``cron``: a call every ``period`` at ``shift`` + a ``jitter`` draw past each tick (cron-job.org's
queueing delay, a whole hour for Vercel Hobby, minutes to hours for GitHub Actions). ``exact``:
one call at each window opening + ``exact_delay``, as a delayed-message service or an always-on
worker would. ``both``: exact calls, and the cron for whatever they left.

Each firing is a *delivery* with an id of its own; the call carries it, and the function takes
its invocation id from it. Services differ in what surrounds a delivery, and each is a field of
``CronModel``: runs the service drops (``drop_share``), deliveries made twice with the same id
(``duplicate_share``, ``duplicate_lag``: at-least-once delivery), retries after a failed call
with growing waits, a request timeout, and a job that disables itself after ``disable_after``
failures in a row (cron-job.org: 15). A failure is no answer within the timeout, or a 5xx (a
504 when the platform cut the function). What happened is written to a ``TriggerLog``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import simpy

from mock_aimharder.model.latency import Sampler
from sim.model.platform import InvocationRecord
from sim.scenario import CronModel

__all__ = ["Delivery", "TriggerLog", "TriggerMeasures", "trigger", "trigger_measures"]


@dataclass(slots=True, kw_only=True)
class Delivery:
    """One firing of a job, and what the service saw of it."""

    job: str  # "cron" or "exact"
    delivery_id: str
    fired_at: float
    dropped: bool = False  # the service never made the call
    copies: int = 1  # 2 when delivered twice with the same id
    attempts: int = 0  # calls made for it (retries included; its duplicate not)
    failed_attempts: int = 0
    failed: bool | None = None  # None: not finished when the run ended
    failure: str | None = None  # "timeout" or the HTTP status


@dataclass(slots=True, kw_only=True)
class TriggerLog:
    """Every delivery of a run, and when each job disabled itself (if it did)."""

    deliveries: list[Delivery] = field(default_factory=list)
    disabled_at: dict[str, float] = field(default_factory=dict)
    streaks: dict[str, int] = field(default_factory=dict)  # failures in a row, per job now
    longest_streak: int = 0

    def finished(self, delivery: Delivery, *, disable_after: int | None, now: float) -> None:
        """Count a delivery's end; a job past its threshold fires no more."""
        streak = self.streaks.get(delivery.job, 0) + 1 if delivery.failed else 0
        self.streaks[delivery.job] = streak
        self.longest_streak = max(self.longest_streak, streak)
        threshold_met = disable_after is not None and streak >= disable_after
        if threshold_met and delivery.job not in self.disabled_at:
            self.disabled_at[delivery.job] = now


Call = Callable[[str], simpy.Process]


def trigger(
    env: simpy.Environment,
    model: CronModel,
    *,
    jitter: Sampler,
    rng: np.random.Generator,
    call: Call,
    openings: Iterable[float],
    until: float,
    log: TriggerLog,
) -> None:
    """Schedule every delivery due by ``until``; each one then runs on its own, with its copies
    and retries. Each waits for its own instant, so a run hours late (GitHub Actions) holds
    back none of the later ones."""
    service = _Service(env=env, model=model, call=call, rng=rng, log=log)
    if model.mode in ("exact", "both"):
        service.schedule("exact", (t + model.exact_delay for t in sorted(set(openings))), until)
    if model.mode in ("cron", "both"):
        ticks = (model.period * k for k in range(int(until // model.period) + 1))
        at_ticks = (tick + model.shift + jitter.sample() for tick in ticks)
        service.schedule("cron", at_ticks, until)


class _Service:
    """One trigger service with its jobs: what it fires, copies, retries and disables."""

    def __init__(
        self,
        *,
        env: simpy.Environment,
        model: CronModel,
        call: Call,
        rng: np.random.Generator,
        log: TriggerLog,
    ) -> None:
        self.env, self.model, self.call, self.rng, self.log = env, model, call, rng, log
        self.lag = Sampler(model.duplicate_lag, rng)
        self.ids = itertools.count(1)

    def schedule(self, job: str, instants: Iterable[float], until: float) -> None:
        for at in instants:
            number = next(self.ids)  # one per instant, fired or not: ids follow the ticks
            if at <= until:
                self.env.process(self._fire(job, f"{job}-{number:06d}", at))

    def _fire(self, job: str, delivery_id: str, at: float) -> Generator[simpy.Event, Any, None]:
        env, model = self.env, self.model
        yield env.timeout(max(0.0, at - env.now))
        if job in self.log.disabled_at:
            return
        delivery = Delivery(job=job, delivery_id=delivery_id, fired_at=env.now)
        self.log.deliveries.append(delivery)
        if self.rng.random() < model.drop_share:
            delivery.dropped = True
            return
        env.process(self._deliver(delivery))
        if self.rng.random() < model.duplicate_share:
            delivery.copies = 2
            env.process(self._copy(self.lag.sample(), delivery_id))

    def _copy(self, after: float, delivery_id: str) -> Generator[simpy.Event, Any, None]:
        """The second delivery of an at-least-once service: same id, no retries of its own."""
        yield self.env.timeout(after)
        yield self.call(delivery_id)

    def _deliver(self, delivery: Delivery) -> Generator[simpy.Event, Any, None]:
        env, model = self.env, self.model
        for attempt in range(model.retries + 1):
            delivery.attempts += 1
            invocation = self.call(delivery.delivery_id)
            yield invocation | env.timeout(model.timeout)
            if not invocation.triggered:
                delivery.failure = "timeout"
            else:
                status = cast(InvocationRecord, invocation.value).status
                delivery.failure = str(status) if status >= 500 else None
            delivery.failed = delivery.failure is not None
            delivery.failed_attempts += delivery.failed
            if not delivery.failed or attempt == model.retries:
                break
            yield env.timeout(model.retry_delay * model.retry_backoff**attempt)
        self.log.finished(delivery, disable_after=model.disable_after, now=env.now)


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerMeasures:
    """A run's trigger: what it fired, how often calls failed, whether it gave up."""

    deliveries: int
    dropped: int
    delivered_twice: int
    duplicates_seen: int  # invocations that found their delivery id taken: nothing run
    calls_failed: int
    call_fail_share: float
    failure_streak: int
    trigger_disabled: int  # 1 when the trigger disabled itself
    disabled_at: float | None


def trigger_measures(log: TriggerLog, records: Sequence[InvocationRecord]) -> TriggerMeasures:
    """A run's trigger as flat measures: what it fired, how often calls failed, if it gave up."""
    attempts = sum(d.attempts for d in log.deliveries)
    failed = sum(d.failed_attempts for d in log.deliveries)
    return TriggerMeasures(
        deliveries=len(log.deliveries),
        dropped=sum(d.dropped for d in log.deliveries),
        delivered_twice=sum(d.copies == 2 for d in log.deliveries),
        duplicates_seen=sum(r.duplicate for r in records),
        calls_failed=failed,
        call_fail_share=failed / attempts if attempts else 0.0,
        failure_streak=log.longest_streak,
        trigger_disabled=int(bool(log.disabled_at)),
        disabled_at=min(log.disabled_at.values(), default=None),
    )
