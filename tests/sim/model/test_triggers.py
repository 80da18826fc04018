"""Each trigger preset (``sim/scenarios/triggers/``) behaves as its service is documented to:
period, delay distribution, drops, duplicates, retries and disabling, within stated tolerances.

The trigger runs alone against a function that answers with a chosen status after a chosen
time, over a long stretch of simulated time (days of minute ticks cost well under a second).
Shares are checked against a 99.9% binomial interval, means against 4 standard errors, so a
fixed seed passes by a margin and a wrong rule (a share ten times off, a shifted delay) fails.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Generator
from typing import Any, cast

import numpy as np
import pytest
import simpy

from mock_aimharder.model.distributions import Fixed
from mock_aimharder.model.latency import Sampler
from scheduler.core.domain import InstanceId
from scheduler.core.errors import StoreError
from scheduler.core.outcome import InvocationReport
from scheduler.core.strategies import strategy
from scheduler.store import MemoryStore
from sim.model.platform import InvocationRecord, Platform
from sim.model.replication import run_replication
from sim.model.trigger import TriggerLog, trigger
from sim.scenario import TRIGGER_PRESETS, CronModel, PlatformModel, Scenario
from tests.sim.model.world import ScriptedWorld

PRESETS = TRIGGER_PRESETS
DAY = 86_400.0


def preset(name: str) -> CronModel:
    return Scenario.from_file(PRESETS / f"{name}.toml").cron


def within_binomial(count: int, n: int, share: float) -> bool:
    # Imported here, not with the module: every pytest worker collects this file (scipy.stats
    # costs each about a second).
    from scipy import stats  # noqa: PLC0415

    low, high = stats.binom.interval(0.999, n, share)
    return bool(low <= count <= high)


class Function:
    """The called function: answers ``status`` after ``takes`` seconds; records every call."""

    def __init__(self, env: simpy.Environment, *, status: int = 200, takes: float = 0.2) -> None:
        self.env, self.status, self.takes = env, status, takes
        self.calls: list[tuple[float, str]] = []

    def __call__(self, delivery_id: str) -> simpy.Process:
        self.calls.append((self.env.now, delivery_id))
        return self.env.process(self._answer(delivery_id))

    def _answer(self, delivery_id: str) -> Generator[simpy.Event, Any, InvocationRecord]:
        start = self.env.now
        yield self.env.timeout(self.takes)
        failed = InvocationReport(
            instance_id=InstanceId(delivery_id),
            started_at=start,
            finished_at=self.env.now,
            found=0,
            outcomes=(),
            skipped=(),
            error="the store did not answer",
        )
        return InvocationRecord(
            instance_id=delivery_id,
            requested_at=start,
            started_at=start,
            ended_at=self.env.now,
            cold=False,
            killed=self.status == 504,
            report=failed if self.status == 503 else None,
        )


def run(
    model: CronModel,
    *,
    until: float,
    openings: list[float] | None = None,
    seed: int = 1,
    function: Callable[[simpy.Environment], Function] = Function,
) -> tuple[TriggerLog, Function]:
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    called = function(env)
    log = TriggerLog()
    trigger(
        env,
        model,
        jitter=Sampler(model.jitter, np.random.default_rng(seed + 1)),
        rng=rng,
        call=called,
        openings=openings or [],
        until=until,
        log=log,
    )
    env.run(until=until + 10 * DAY)
    return log, called


def delays(log: TriggerLog, period: float) -> list[float]:
    """How late each cron firing came after its tick: ids number the ticks 1, 2 ... in order
    (0, period, 2 period ...), whether they fired or not."""
    cron = [d for d in log.deliveries if d.job == "cron" and not d.dropped]
    return [d.fired_at - period * (int(d.delivery_id.split("-")[1]) - 1) for d in cron]


def assert_mean(values: list[float], expected: float) -> None:
    error = statistics.stdev(values) / len(values) ** 0.5
    assert abs(statistics.fmean(values) - expected) < 4 * error + 1e-9


@pytest.mark.parametrize("name", ["cron-job-org", "exact-plus-minute-cron"])
def test_cron_job_org_calls_every_minute_at_zero_to_three_seconds(name: str) -> None:
    log, _ = run(preset(name), until=2 * DAY + 30)
    late = delays(log, 60.0)
    assert len(late) == 2 * 1440 + 1  # every minute tick, the last at 2 days
    assert min(late) >= 0.0 and max(late) <= 3.0
    assert_mean(late, 1.5)  # uniform 0-3 s
    assert not any(d.copies == 2 or d.dropped for d in log.deliveries)


def test_cron_job_org_disables_the_job_after_fifteen_failures_in_a_row() -> None:
    def failing(env: simpy.Environment) -> Function:
        return Function(env, status=504, takes=10.0)

    log, function = run(preset("cron-job-org"), until=DAY, function=failing)
    assert len(function.calls) == 15
    assert log.longest_streak == 15
    assert 14 * 60 < log.disabled_at["cron"] < 15 * 60  # after the 15th answer (0-3 s + 10 s)


def test_a_call_past_cron_job_orgs_thirty_seconds_is_a_failure_that_counts() -> None:
    def slow(env: simpy.Environment) -> Function:
        return Function(env, status=200, takes=40.0)

    log, function = run(preset("cron-job-org"), until=DAY, function=slow)
    assert len(function.calls) == 15
    assert {d.failure for d in log.deliveries} == {"timeout"}


def test_a_success_breaks_the_streak() -> None:
    model = preset("cron-job-org")
    statuses = iter([504] * 14 + [200] + [504] * 14 + [200] * 10_000)

    def mixed(env: simpy.Environment) -> Function:
        function = Function(env)
        answer = function._answer

        def varying(delivery_id: str) -> Generator[simpy.Event, Any, InvocationRecord]:
            function.status = next(statuses)
            return (yield from answer(delivery_id))

        function._answer = varying  # type: ignore[method-assign]
        return function

    log, _ = run(model, until=DAY, function=mixed)
    assert log.longest_streak == 14
    assert not log.disabled_at


def test_vercel_pro_calls_every_minute_and_now_and_then_twice_with_one_id() -> None:
    model = preset("vercel-pro-cron")
    log, function = run(model, until=14 * DAY)  # 20,000 calls: about 20 twice
    late = delays(log, 60.0)
    assert min(late) >= 0.0 and max(late) <= 2.0
    assert_mean(late, 1.0)
    twice = sum(d.copies == 2 for d in log.deliveries)
    assert within_binomial(twice, len(log.deliveries), model.duplicate_share)  # 1 in 1000
    ids = [delivery for _, delivery in function.calls]
    assert len(ids) - len(set(ids)) == twice  # the copy carries the same id
    assert all(d.attempts == 1 for d in log.deliveries)  # no retries


def test_vercel_hobby_calls_once_a_day_anywhere_within_the_hour() -> None:
    log, _ = run(preset("vercel-hobby-cron"), until=400 * DAY + 3600)
    late = delays(log, DAY)
    assert len(late) == 401
    assert min(late) >= 0.0 and max(late) <= 3600.0
    assert_mean(late, 1800.0)


def test_the_queue_fires_at_each_opening_and_delivers_about_one_in_a_hundred_twice() -> None:
    model = preset("queue-at-least-once")
    openings = [60.0 * k + 0.5 for k in range(5000)]  # about 50 twice
    log, function = run(model, until=openings[-1] + 60, openings=openings)
    assert [d.fired_at for d in log.deliveries] == pytest.approx([t + 0.03 for t in openings])
    twice = [d for d in log.deliveries if d.copies == 2]
    assert within_binomial(len(twice), len(openings), 0.01)
    copies = {d.delivery_id: [t for t, i in function.calls if i == d.delivery_id] for d in twice}
    assert all(len(times) == 2 and times[0] == times[1] for times in copies.values())


def test_the_queue_retries_a_failed_call_after_growing_delays() -> None:
    def failing(env: simpy.Environment) -> Function:
        return Function(env, status=503, takes=0.1)

    log, function = run(preset("queue-at-least-once"), until=100.0, openings=[60.0], seed=5)
    assert len(log.deliveries) == 1 and log.deliveries[0].attempts == 1  # success: no retry
    log, function = run(preset("queue-at-least-once"), until=100.0, openings=[60.0], seed=5,
                        function=failing)  # fmt: skip
    times = [t for t, _ in function.calls]
    assert len(times) == 4  # the first call and 3 retries
    gaps = np.diff(times) - 0.1  # each retry waits after the failed answer
    assert gaps == pytest.approx([12.18, 12.18**2, 12.18**3])  # ~ e^(2.5 n)
    assert log.deliveries[0].failed and log.deliveries[0].failed_attempts == 4
    assert not log.disabled_at  # the queue never disables a message


def test_github_actions_runs_every_five_minutes_late_and_drops_some() -> None:
    model = preset("github-actions")
    log, _ = run(model, until=20 * DAY)
    ticks = int(20 * DAY // 300) + 1
    # late runs hold back no later one: all but the last few hours' ticks have fired
    assert ticks - 60 < len(log.deliveries) <= ticks
    dropped = sum(d.dropped for d in log.deliveries)
    assert within_binomial(dropped, len(log.deliveries), 0.1)
    late = np.asarray(delays(log, 300.0))
    assert np.median(late) == pytest.approx(600.0, rel=0.05)  # lognormal median 10 min
    assert np.quantile(late, 0.99) == pytest.approx(10_800.0, rel=0.25)  # p99 3 h


def test_the_exact_trigger_fires_once_per_opening_thirty_ms_after_it() -> None:
    openings = [60.0, 120.0, 120.0, 180.0]  # two classes opening together: one call
    _log, function = run(preset("exact-at-opening"), until=300.0, openings=openings)
    assert [t for t, _ in function.calls] == pytest.approx([60.03, 120.03, 180.03])
    assert len({i for _, i in function.calls}) == 3


def test_exact_plus_minute_cron_fires_both_jobs() -> None:
    log, _ = run(preset("exact-plus-minute-cron"), until=330.0, openings=[60.0, 120.0])
    jobs = [d.job for d in log.deliveries]
    assert (jobs.count("exact"), jobs.count("cron")) == (2, 6)  # ticks 0, 60 ... 300


def test_in_the_model_every_second_delivery_is_seen_as_a_duplicate_and_books_nothing() -> None:
    twice = Scenario.from_data({"cron": {"duplicate_share": 1.0}, "workload": {"minutes": 2}})
    result = run_replication(twice, "parallel", 10, 0)
    summary = result.summary
    assert summary.trigger.delivered_twice > 0
    assert summary.trigger.duplicates_seen == summary.trigger.delivered_twice
    assert summary.doubles == 0 and summary.lost == 0
    copies = [i for i in result.invocations if i.duplicate]
    assert all(i.report is None and i.status == 200 for i in copies)
    once = run_replication(twice.variant(cron=Scenario().cron), "parallel", 10, 0)
    assert once.summary.trigger.duplicates_seen == 0
    assert summary.placed == once.summary.placed  # the copies changed no outcome


def test_a_function_cut_at_every_call_loses_its_cron_job_org_trigger_after_fifteen() -> None:
    # A database that takes 12 s to list the ready prebookings: every call outlives the 10 s
    # limit and answers 504, so cron-job.org disables the job after the 15th.
    cut = preset("cron-job-org")
    slow = {"find_ready": {"kind": "fixed", "value": 12.0}}
    scenario = Scenario.from_data(
        {"database": slow, "workload": {"minutes": 20}, "experiment": {"drain_minutes": 3}}
    ).variant(cron=cut)
    summary = run_replication(scenario, "sequential", 5, 0).summary
    assert summary.trigger.trigger_disabled == 1
    assert summary.trigger.failure_streak == 15
    assert summary.trigger.call_fail_share == 1.0
    assert summary.trigger.disabled_at is not None
    assert 14 * 60 < summary.trigger.disabled_at < 15 * 60
    assert summary.trigger.deliveries == 15  # nothing fired after it


def test_in_the_model_a_retry_of_a_failed_call_runs_and_is_no_duplicate() -> None:
    # The store cannot list the ready prebookings once: that call answers 503 and forgets its
    # delivery id, so the queue's retry 12 s later (well within the 60 s limit) runs.
    class FailingOnce(MemoryStore):
        failures = 1

        def find_ready(self, now: float, limit: int, *, lease: float | None = None) -> Any:
            if self.failures:
                self.failures -= 1
                raise StoreError("find_ready: the database went away")
            return super().find_ready(now, limit, lease=lease)

    env, store = simpy.Environment(), FailingOnce()
    platform = Platform(
        env,
        PlatformModel(max_duration=60.0, cold_start=Fixed(value=0.0)),
        policy=strategy("parallel", max_duration=60.0),
        world=ScriptedWorld(env, store),
        store=store,
        cold_start=Sampler(Fixed(value=0.0), np.random.default_rng(0)),
    )

    def deliveries() -> Generator[simpy.Event, Any, list[InvocationRecord]]:
        failed = yield platform.call("msg-1")
        yield env.timeout(12.0)
        retried = yield platform.call("msg-1")
        copy = yield platform.call("msg-1")
        return [failed, retried, copy]

    calls = env.process(deliveries())
    env.run(until=calls)
    failed, retried, copy = cast(list[InvocationRecord], calls.value)
    assert (failed.status, failed.duplicate) == (503, False)
    assert (retried.status, retried.duplicate) == (200, False)
    assert copy.duplicate  # a second delivery of the retry itself still is one
