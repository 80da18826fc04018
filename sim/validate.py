"""Does the model agree with real runs? The same invocation, run both ways, compared.

Real: the mock AimHarder in its own process with the scenario's booking latencies, the real
scheduler (asyncio, httpx, a SQLite file) invoked at the instant the prebookings become ready.
Simulated: the same invocation in the model (``seedcheck.one_invocation``: one class, triggered at
its opening, warm). For each strategy: makespan, time to book and inversion rate, as quantiles
side by side, a two-sample Kolmogorov-Smirnov test, and the verdict "agrees" when the 90%
interval of the real-minus-simulated difference lies within the measure's margin
(``sim.equivalence``).

The scenario's database latencies should be this machine's (a SQLite file answers in a few
milliseconds): the real run cannot be slowed to Supabase's 30-100 ms, so ``validate.toml`` sets
them to what SQLite measures here (``benchmarks.scheduler_makespan`` prints it).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.progress import Progress
from scipy import stats

from harness.children import mock_process
from harness.journal import journal_entries
from harness.measures import attempts, class_measures
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from prebooking_harness.conventions import progress_columns
from scheduler.client import AimHarderClient
from scheduler.core.domain import PrebookingId, UserId
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import NewPrebooking, open_store
from sim.equivalence import MARGINS, equivalence
from sim.run import run_replication
from sim.scenario import Scenario
from sim.seedcheck import one_invocation

__all__ = ["SIM_RUNS_PER_REAL", "Sample", "compare", "real_sample", "simulated_sample"]

CLASS_ID, DAY, PASSWORD = 4242, "20261130", "validate"
MEASURES = ("makespan", "time_to_book", "inversion_rate")
SIM_RUNS_PER_REAL = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One replication's measures: the invocation's makespan, every booking's time to book,
    and the inversion rate of the order AimHarder processed them in."""

    makespan: float
    times_to_book: tuple[float, ...]
    inversion_rate: float


def real_sample(scenario: Scenario, name: str, load: int, replication: int) -> Sample:
    rng = np.random.default_rng([scenario.experiment.seed, load, replication])
    emails = [f"v{i:03d}@validate.example" for i in range(load)]
    mock = MockConfig(
        users=[UserAccount(email=e, password=PASSWORD) for e in emails],
        classes=[ClassSpec(id=CLASS_ID, box=1, day=DAY, time="07:00", capacity=load)],
        latency={"book": scenario.aimharder.book},
    )
    policy = scenario.policy_for(name)
    with tempfile.TemporaryDirectory() as folder, mock_process(mock, seed=replication) as url:
        with open_store(Path(folder) / "validate.sqlite") as store:
            sessions = asyncio.run(_log_in(url, emails))
            for session in sessions:
                store.save_session(session, time.time())
            ready = time.time()
            created = ready - rng.uniform(0, 86_400, size=load)
            store.add(
                NewPrebooking(
                    id=PrebookingId(f"v{i:03d}"),
                    user=UserId(e),
                    class_id=CLASS_ID,
                    day=DAY,
                    box=1,
                    available_at=ready,
                    created_at=float(created[i]),
                )
                for i, e in enumerate(emails)
            )
            # The rows are in (as they would be long before a real opening): the invocation
            # starts now, and makespan and time to book count from here, as in the model.
            opening = time.time()
            settings = Settings(
                database_url="unused",
                aimharder_url=url,
                policy=policy,
                max_duration=scenario.platform.max_duration,
            )
            answer = asyncio.run(invoke(settings, store, started_at=opening))
            rows = store.list()
        journal = journal_entries(url)
    (measures,) = class_measures(attempts(journal), rows, {CLASS_ID: opening})
    return Sample(
        makespan=answer.body["executionTimeMs"] / 1000,
        times_to_book=measures.times_to_book,
        inversion_rate=measures.inversion_rate,
    )


async def _log_in(url: str, emails: list[str]) -> list[Any]:
    async with httpx.AsyncClient() as http:
        client = AimHarderClient(http, base_url=url)
        return list(await asyncio.gather(*(client.login(UserId(e), PASSWORD) for e in emails)))


def simulated_sample(scenario: Scenario, name: str, load: int, replication: int) -> Sample:
    result = run_replication(one_invocation(scenario, guard=True), name, load, replication)
    (measures,) = result.classes
    return Sample(
        makespan=result.summary.makespan_max,
        times_to_book=measures.times_to_book,
        inversion_rate=measures.inversion_rate,
    )


def _values(samples: Sequence[Sample], measure: str) -> list[float]:
    if measure == "time_to_book":
        return [t for s in samples for t in s.times_to_book]
    return [getattr(s, measure) for s in samples]


def _per_run(samples: Sequence[Sample], measure: str) -> list[float]:
    """One value per run (what the equivalence test compares): the mean time to book."""
    if measure == "time_to_book":
        return [float(np.mean(s.times_to_book)) for s in samples if s.times_to_book]
    return [getattr(s, measure) for s in samples]


def compare(
    scenario: Scenario,
    *,
    strategies: Sequence[str],
    load: int,
    replications: int,
    show_progress: bool = True,
) -> list[dict[str, Any]]:
    """One row per strategy and measure: quantiles, KS test, and the equivalence verdict.

    The model runs ``SIM_RUNS_PER_REAL`` times as often as the real system (it is cheap), so
    the interval's width is mostly the real runs'."""
    rows = []
    with Progress(*progress_columns(), disable=not show_progress) as progress:
        bar = progress.add_task("real and simulated runs", total=len(strategies) * replications)
        for name in strategies:
            real = []
            for r in range(replications):
                real.append(real_sample(scenario, name, load, r))
                progress.advance(bar)
            simulated = [
                simulated_sample(scenario, name, load, r)
                for r in range(SIM_RUNS_PER_REAL * replications)
            ]
            for measure in MEASURES:
                rows.append(_row(name, measure, real, simulated))
    return rows


def _row(name: str, measure: str, real: list[Sample], sim: list[Sample]) -> dict[str, Any]:
    a, b = _values(real, measure), _values(sim, measure)
    test = stats.ks_2samp(a, b) if len(set(a) | set(b)) > 1 else None
    check = equivalence(_per_run(real, measure), _per_run(sim, measure), MARGINS[measure])
    return {
        "strategy": name,
        "measure": measure,
        "real_runs": len(real),
        "sim_runs": len(sim),
        "real_p10": float(np.percentile(a, 10)),
        "real_p50": float(np.median(a)),
        "real_p90": float(np.percentile(a, 90)),
        "sim_p10": float(np.percentile(b, 10)),
        "sim_p50": float(np.median(b)),
        "sim_p90": float(np.percentile(b, 90)),
        "ks_statistic": None if test is None else float(test.statistic),
        "ks_p_value": None if test is None else float(test.pvalue),
        "real_mean": check.real_mean,
        "sim_mean": check.sim_mean,
        "difference_low": check.low,
        "difference_high": check.high,
        "margin": check.margin,
        "agrees": check.agrees,
    }
