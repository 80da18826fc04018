"""How fast the simulation runs, measured in one run on this machine.

1. The model's SimPy events per second, as a ratio to a bare SimPy loop (one process yielding
   timeouts) in the same run: the cost of the scheduler's core, the driver and the models per
   event (goal >= 0.5).
2. The default report's wall time with 1 and with 2 worker processes (speed-up goal >= 1.7 on
   two cores).
Run from the top folder: .venv/bin/python -m benchmarks.sim_speed
"""

from __future__ import annotations

import time
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import simpy
from rich.console import Console
from rich.table import Table

from sim.cli import DEFAULT_SCENARIO
from sim.report import SEED_SCENARIO, gather
from sim.run import run_replication
from sim.scenario import Scenario

BARE_EVENTS = 300_000


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    processed = 0

    def step(self) -> None:
        CountingEnvironment.processed += 1
        super().step()


def bare_rate() -> float:
    env = simpy.Environment()

    def ticker() -> Generator[simpy.Event, Any, None]:
        for _ in range(BARE_EVENTS):
            yield env.timeout(1.0)

    env.process(ticker())
    started = time.perf_counter()
    env.run()
    return BARE_EVENTS / (time.perf_counter() - started)


def model_rate(scenario: Scenario) -> tuple[float, int]:
    original = simpy.Environment
    simpy.Environment = CountingEnvironment  # type: ignore[misc]  # count what run_replication does
    CountingEnvironment.processed = 0
    try:
        started = time.perf_counter()
        for replication in range(5):
            for name in scenario.experiment.strategies:
                run_replication(scenario, name, 30, replication)
        elapsed = time.perf_counter() - started
    finally:
        simpy.Environment = original  # type: ignore[misc]
    return CountingEnvironment.processed / elapsed, CountingEnvironment.processed


def report_time(workers: int) -> float:
    scenario, seed = Scenario.from_file(DEFAULT_SCENARIO), Scenario.from_file(SEED_SCENARIO)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        gather(scenario, seed_scenario=seed, executor=pool, show_progress=False)
    return time.perf_counter() - started


def main() -> None:
    console = Console()
    bare = bare_rate()
    model, events = model_rate(Scenario.from_file(DEFAULT_SCENARIO))
    one, two = report_time(1), report_time(2)
    table = Table(title="simulation speed (one run on this machine)")
    for column in ("measure", "value", "ratio", "goal"):
        table.add_column(column)
    table.add_row("bare SimPy loop", f"{bare:,.0f} events/s", "", "")
    table.add_row(
        "model (30 per class, 4 strategies x 5 runs)",
        f"{model:,.0f} events/s ({events:,} events)",
        f"{model / bare:.2f}",
        ">= 0.5",
    )
    table.add_row("default report, 1 process", f"{one:.1f} s", "", "")
    table.add_row("default report, 2 processes", f"{two:.1f} s", f"{one / two:.2f}x", ">= 1.7x")
    console.print(table)


if __name__ == "__main__":
    main()
