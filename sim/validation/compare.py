"""Does the model agree with real runs? The same invocation, run both ways, compared.

Real: the mock AimHarder in its own process with the scenario's booking latencies, the real
scheduler (asyncio, httpx, a SQLite file) invoked at the instant the prebookings become ready.
Simulated: the same invocation in the model (``seedcheck.one_invocation``: one class, triggered at
its opening, warm). For each strategy: makespan, time to book and inversion rate, as quantiles
side by side, a two-sample Kolmogorov-Smirnov test, and the verdict "agrees" when the 90%
interval of the real-minus-simulated difference lies within the measure's margin
(``sim.validation.equivalence``).

The scenario's database latencies should be this machine's (a SQLite file answers in a few
milliseconds): the real run cannot be slowed to Supabase's 30-100 ms, so ``validate.toml`` sets
them to what SQLite measures here (``benchmarks.scheduler_makespan`` prints it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from commandline.stages import SILENT, Stages
from harness.gym import CLASS_ID
from harness.measures import attempts, class_measures
from harness.mocks import MockFor, reused_mocks
from sim.experiments.seed_tables import one_invocation
from sim.model.replication import run_replication
from sim.scenario import Scenario
from sim.stats import ks_test, percentile
from sim.validation.calibration import Machinery, Tables, calibrated, calibration, measure_one
from sim.validation.equivalence import MARGINS, equivalence
from sim.validation.real import real_invocation

__all__ = [
    "CALIBRATED",
    "SIM_RUNS_PER_REAL",
    "Comparison",
    "Sample",
    "compare",
    "real_sample",
    "simulated_sample",
]

MEASURES = ("makespan", "time_to_book", "inversion_rate")
SIM_RUNS_PER_REAL = 5
# The machinery is measured on every strategy: each shows parts the others do not (a burst
# of connections, sends over idle ones).
CALIBRATED = ("sequential", "staggered", "batched", "parallel")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One replication's measures: the invocation's makespan, every booking's time to book,
    and the inversion rate of the order AimHarder processed them in."""

    makespan: float
    times_to_book: tuple[float, ...]
    inversion_rate: float


def real_sample(
    scenario: Scenario, name: str, load: int, replication: int, *, mocks: MockFor | None = None
) -> Sample:
    run = real_invocation(
        policy=scenario.policy_for(name),
        latency={"book": scenario.aimharder.book},
        load=load,
        seed=replication,
        max_duration=scenario.platform.max_duration,
        created_seed=[scenario.experiment.seed, load, replication],
        mocks=mocks,
    )
    (measures,) = class_measures(attempts(run.entries), run.rows, {CLASS_ID: run.opening})
    return Sample(
        makespan=run.answer.body["executionTimeMs"] / 1000,
        times_to_book=measures.times_to_book,
        inversion_rate=measures.inversion_rate,
    )


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    rows: list[dict[str, Any]]  # one per strategy and measure
    calibration: Tables | None  # the machinery measured, if asked


def compare(
    scenario: Scenario,
    *,
    strategies: Sequence[str],
    load: int,
    replications: int,
    calibrate: int = 0,
    progress: Stages = SILENT,
) -> Comparison:
    """One row per strategy and measure: quantiles, KS test, and the equivalence verdict.

    The real runs take turns (replication r of every strategy, then r + 1), and with
    ``calibrate`` the machinery's timed invocations (that many per strategy,
    ``sim.validation.calibration``) are spread among them: all of them see the same machine
    over the same
    minutes, however its load changes, and the model then runs with the machinery measured.
    The model runs ``SIM_RUNS_PER_REAL`` times as often as the real system (it is cheap), so
    the interval's width is mostly the real runs'."""
    plan: list[tuple[str, str, int]] = [
        ("real", name, r) for r in range(replications) for name in strategies
    ]
    timed = [("machinery", name, r) for r in range(calibrate) for name in CALIBRATED]
    every = max(1, len(plan) // max(1, len(timed)))
    for position, step in enumerate(timed):  # one timed invocation every few real runs
        plan.insert(position * (every + 1), step)
    real: dict[str, list[Sample]] = {name: [] for name in strategies}
    machinery = Machinery()
    with reused_mocks() as mocks, progress.stage("real runs", len(plan)) as advance:
        for kind, name, r in plan:
            if kind == "real":
                real[name].append(real_sample(scenario, name, load, r, mocks=mocks))
            else:
                measure_one(machinery, name, r, mocks=mocks)
            advance(1)
    tables = calibration(machinery) if calibrate else None
    model = scenario if tables is None else calibrated(scenario, tables)
    rows = []
    for name in strategies:
        simulated = [
            simulated_sample(model, name, load, r) for r in range(SIM_RUNS_PER_REAL * replications)
        ]
        rows += [
            {**_row(name, measure, real[name], simulated), "timed_runs": calibrate}
            for measure in MEASURES
        ]
    return Comparison(rows=rows, calibration=tables)


def _row(name: str, measure: str, real: list[Sample], sim: list[Sample]) -> dict[str, Any]:
    a, b = _values(real, measure), _values(sim, measure)
    test = ks_test(a, b)
    check = equivalence(_per_run(real, measure), _per_run(sim, measure), MARGINS[measure])
    return {
        "strategy": name,
        "measure": measure,
        "real_runs": len(real),
        "sim_runs": len(sim),
        "real_p10": percentile(a, 10),
        "real_p50": percentile(a, 50),
        "real_p90": percentile(a, 90),
        "sim_p10": percentile(b, 10),
        "sim_p50": percentile(b, 50),
        "sim_p90": percentile(b, 90),
        "ks_statistic": None if test is None else test.statistic,
        "ks_p_value": None if test is None else test.p_value,
        "real_mean": check.real_mean,
        "sim_mean": check.sim_mean,
        "difference_low": check.low,
        "difference_high": check.high,
        "margin": check.margin,
        "agrees": check.agrees,
        "outcome": str(check.outcome),
    }
