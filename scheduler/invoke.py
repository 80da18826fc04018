"""One cron invocation, for real: its own id, its own HTTP client, the shared database.

The cron endpoint and ``python -m scheduler invoke`` both call ``invoke``, so the shell and the
server run exactly the same thing. Nothing outlives the call but what it wrote to the store.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from scheduler.aio import Clock, RealWorld, drive
from scheduler.client import AimHarderClient
from scheduler.connections import Connections, Watch
from scheduler.core.delivery import delivery_instance, duplicate_answer
from scheduler.core.domain import InstanceId
from scheduler.core.errors import StoreError
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import InvocationReport, killed_answer
from scheduler.history import History
from scheduler.settings import Settings
from scheduler.store import Store
from scheduler.store.cut import Cut
from scheduler.tracing import Tracer

__all__ = ["Answer", "Invocation", "invoke", "steady"]

log = logging.getLogger("scheduler.invoke")
# Time kept back from maxDuration to write the answer, so that it leaves before the limit.
ANSWER_SLACK = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int  # the HTTP status the cron endpoint answers with
    body: dict[str, Any]
    report: InvocationReport | None  # None when the limit cut the invocation


async def invoke(
    settings: Settings,
    store: Store,
    *,
    started_at: float | None = None,
    clock: Clock = time.time,
    cut_after: float | None = None,
    delivery_id: str | None = None,
    watch: Watch | None = None,
    tracer: Tracer | None = None,
) -> Answer:
    """Run one invocation under the ``max_duration`` limit, counted from ``started_at``.

    ``delivery_id``: the trigger's id for this call; the invocation is named after it, and a
    second delivery of it within the limit sends nothing (``scheduler.core.delivery``).
    ``cut_after``: a platform that cuts earlier than the limit it announced (settings refuse a
    budget past the limit, so this is how a kill inside the guard's budget is provoked).
    ``watch``: told of each request to AimHarder (``scheduler.connections.Watch``; the makespan
    benchmark stamps them). ``tracer``: told of every effect and store
    batch (``scheduler.tracing``; the simulation's calibration listens); None: none.
    """
    invocation = Invocation(
        settings, started_at=started_at, clock=clock, cut_after=cut_after, delivery_id=delivery_id
    )
    return await invocation.run(store, watch=watch, tracer=tracer)


class Invocation:
    """One invocation before it runs: its id, when it started and the instant of its cut.

    ``run`` runs it and watches the cut on the loop it runs on (all ``scheduler invoke`` has).
    The served process also watches it from outside that loop (``scheduler.worker``), and
    answers ``cut_short`` at the cut whatever the loop is doing. A bad ``delivery_id`` is
    refused here (``ConfigurationError``), before anything runs.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        started_at: float | None = None,
        clock: Clock = time.time,
        cut_after: float | None = None,
        delivery_id: str | None = None,
    ) -> None:
        self.settings = settings
        # Deadlines from a monotonic clock: the wall clock is read once, and the invocation's
        # clock runs on from it by ``time.monotonic`` (issue 22: after the wall clock stepped
        # back 60 s an invocation lived 40.8 s against its 10 s limit). Its instants stay Unix
        # seconds, comparable with the stored ``available_at``, for the stamps.
        self.clock = steady(clock)
        self.delivery_id = delivery_id
        self.instance_id = (
            InstanceId(uuid.uuid4().hex) if delivery_id is None else delivery_instance(delivery_id)
        )
        self.started = self.clock() if started_at is None else started_at
        limit = (
            settings.max_duration if cut_after is None else min(cut_after, settings.max_duration)
        )
        self.cut_at = self.started + limit - ANSWER_SLACK
        # Every store call of this invocation stops at the cut: none commits after the 504.
        self._store_cut = Cut(self.cut_at, clock=self.clock)

    async def run(
        self,
        store: Store,
        *,
        watch: Watch | None = None,
        tracer: Tracer | None = None,
    ) -> Answer:
        # Cut before its loop could start it (the loop was busy): it does not start at all.
        if self._store_cut.left() <= 0:
            return self._killed()
        with self._store_cut.applied():
            answer = await _run(
                self.settings,
                store,
                instance_id=self.instance_id,
                started=self.started,
                cut=self.cut_at,
                clock=self.clock,
                delivery_id=self.delivery_id,
                watch=watch,
                tracer=tracer,
            )
            if answer.status == 504:
                self._store_cut.stop()
            return answer

    def cut_short(self) -> Answer:
        """The 504 of an invocation cut from outside its loop; nothing of it commits after.

        A commit under way is waited for no longer than the slack kept for the answer, so
        the 504 still leaves by the limit if the store hangs in the middle of one."""
        if not self._store_cut.stop(within=ANSWER_SLACK):
            log.warning("invocation %s cut while a commit hung; it may land", self.instance_id)
        return self._killed()

    def _killed(self) -> Answer:
        return _cut_answer(self.instance_id, started=self.started, now=self.clock())


def steady(wall: Clock) -> Clock:
    """A clock that reads ``wall`` once and then advances with ``time.monotonic``: Unix seconds
    that never step back nor jump while an invocation runs."""
    wall_then, steady_then = wall(), time.monotonic()
    return lambda: wall_then + (time.monotonic() - steady_then)


def _cut_answer(instance_id: InstanceId, *, started: float, now: float) -> Answer:
    """The 504 of an invocation the limit cut, wherever the cut was noticed."""
    body = killed_answer(instance_id, started_at=started, now=now)
    return Answer(status=504, body=body, report=None)


async def _run(
    settings: Settings,
    store: Store,
    *,
    instance_id: InstanceId,
    started: float,
    cut: float,
    clock: Clock,
    delivery_id: str | None,
    watch: Watch | None,
    tracer: Tracer | None,
) -> Answer:
    if delivery_id is not None:
        refused = await _unless_first(
            settings, store, instance_id, started=started, cut=cut, clock=clock
        )
        if refused is not None:
            return refused
    flow = run_invocation(instance_id=instance_id, config=settings.policy, now=started)
    left = cut - clock()
    threads = ThreadPoolExecutor(store.concurrency, thread_name_prefix=f"store-{instance_id[:8]}")
    history = None if settings.history is None else History(settings.history)
    try:
        url = settings.aimharder_url
        async with Connections(url, watch=watch) as connections:
            world = RealWorld(
                store=store,
                client=AimHarderClient(connections, base_url=url),
                threads=threads,
                clock=clock,
                history=history,
                on_found=_connect_ahead(connections, settings, cut=cut, clock=clock),
                tracer=tracer,
            )
            try:
                async with asyncio.timeout(max(0.0, left)):
                    report: InvocationReport = await drive(flow, world, clock=clock)
            except TimeoutError:
                return _cut_answer(instance_id, started=started, now=clock())
    finally:
        # A cut leaves the query under way to end in its thread (it waits no longer than the
        # cut, and cannot commit after it): no cleanup, as a kill.
        threads.shutdown(wait=False, cancel_futures=True)
        if history is not None:
            history.close()
    if report.error is None:
        return Answer(status=200, body=report.answer(), report=report)
    if delivery_id is not None:
        await _forget(store, instance_id, cut=cut, clock=clock)
    return Answer(status=503, body=report.answer(), report=report)


def _connect_ahead(
    connections: Connections, settings: Settings, *, cut: float, clock: Clock
) -> Callable[[int], None]:
    """What to do once the ready prebookings are counted: open a connection to AimHarder for
    each request the policy will have in flight at once, TLS included, while their claims are
    on their way to the store (a connection's set-up then costs the burst nothing)."""

    def ahead(ready: int) -> None:
        count = settings.policy.sends_at_once(ready)
        connections.open_ahead(count, timeout=max(0.0, cut - clock()))

    return ahead


async def _forget(store: Store, instance_id: InstanceId, *, cut: float, clock: Clock) -> None:
    """Drop a failed invocation's delivery note, so that the trigger's retry of it runs. Best
    effort within the limit: a store that cannot take it leaves the retry answered as a
    duplicate, which sends nothing (what it left stays pending for a later call)."""
    try:
        await asyncio.wait_for(
            asyncio.to_thread(store.forget_delivery, instance_id),
            timeout=max(0.0, cut - clock()),
        )
    except (TimeoutError, StoreError):
        return


async def _unless_first(
    settings: Settings,
    store: Store,
    instance_id: InstanceId,
    *,
    started: float,
    cut: float,
    clock: Clock,
) -> Answer | None:
    """The answer when this delivery id already started within the limit (or the store cannot
    say so before the cut); None when this is its first delivery."""
    try:
        first = await asyncio.wait_for(
            asyncio.to_thread(
                store.begin_delivery, instance_id, started, hold=settings.max_duration
            ),
            timeout=max(0.0, cut - clock()),
        )
    except TimeoutError:
        return _cut_answer(instance_id, started=started, now=clock())
    except StoreError as exc:
        failed = {"success": False, "message": f"invocation failed: {exc}", "results": None}
        return Answer(status=503, body={**failed, "instanceId": instance_id}, report=None)
    if first:
        return None
    body = duplicate_answer(instance_id, started_at=started, now=clock())
    return Answer(status=200, body=body, report=None)
