"""What calls the function: a minute cron with jitter and retries, or a trigger at each opening.

``cron``: the seed's cron-job.org, a call every ``period`` at ``shift`` + jitter past the tick, a
request timeout, and optional retries after a failed or timed-out call (which is how overlapping
invocations happen). ``exact``: one call at each window opening + ``exact_delay``, as a
delayed-message service (the seed project's later QStash design) or an always-on worker would.
``both``: exact calls, and the minute cron for whatever they left.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import Any, cast

import simpy

from mock_aimharder.model.latency import Sampler
from sim.platform import InvocationRecord
from sim.scenario import CronModel

__all__ = ["trigger"]


def trigger(
    env: simpy.Environment,
    model: CronModel,
    *,
    jitter: Sampler,
    call: Callable[[], simpy.Process],
    openings: Iterable[float],
    until: float,
) -> Generator[simpy.Event, Any, None]:
    """Fire calls until ``until``; each fired call runs on its own with its retries."""
    if model.mode in ("exact", "both"):
        at_openings = (t + model.exact_delay for t in sorted(set(openings)))
        env.process(_fire(env, model, call, at_openings, until=until))
    if model.mode in ("cron", "both"):
        ticks = (model.period * k for k in range(int(until // model.period) + 1))
        at_ticks = (tick + model.shift + jitter.sample() for tick in ticks)
        yield from _fire(env, model, call, at_ticks, until=until)


def _fire(
    env: simpy.Environment,
    model: CronModel,
    call: Callable[[], simpy.Process],
    instants: Iterable[float],
    *,
    until: float,
) -> Generator[simpy.Event, Any, None]:
    for at in instants:
        if at > until:
            return
        yield env.timeout(max(0.0, at - env.now))
        env.process(_request(env, model, call))


def _request(
    env: simpy.Environment, model: CronModel, call: Callable[[], simpy.Process]
) -> Generator[simpy.Event, Any, None]:
    for attempt in range(model.retries + 1):
        invocation = call()
        yield invocation | env.timeout(model.timeout)
        answered = invocation.triggered
        if answered:
            record = cast(InvocationRecord, invocation.value)
            if not record.killed and record.report is not None and record.report.error is None:
                return
        if attempt < model.retries:
            yield env.timeout(model.retry_delay)
