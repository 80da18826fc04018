"""How fast the simulation runs, measured in one run on this machine: what users wait for.

1. Replications per second per core at 30 prebookings per class (the default scenario, every
   strategy, ``REPLICATIONS`` each): in this process, then on every core (``--executor
   process``), where the ratio of the two per core is how well the cores are used.
2. The default report's experiments (``sim.study.gather``, without the real-run section)
   with 1 and with 2 worker processes (speed-up goal >= 1.7 on two cores).
Run from the top folder: .venv/bin/python -m benchmarks.sim_speed
"""

from __future__ import annotations

import os
import time

from rich.console import Console
from rich.table import Table

from sim.experiments.executors import Inline
from sim.experiments.grid import Task, run_tasks
from sim.experiments.workers import worker_pool
from sim.report.files import SEED_SCENARIO, gather
from sim.scenario import DEFAULT_SCENARIO, Scenario

LOAD = 30
REPLICATIONS = 10


def replications_per_second(scenario: Scenario, *, workers: int) -> float:
    """Replications of every strategy at ``LOAD`` finished per wall-clock second, on
    ``workers`` processes (1: this process, no pool)."""
    tasks = [
        Task(strategy=name, load=LOAD, replication=r)
        for name in scenario.experiment.strategies
        for r in range(REPLICATIONS)
    ]
    started = time.perf_counter()
    if workers == 1:
        run_tasks(scenario, tasks, executor=Inline())
    else:
        with worker_pool(workers) as pool:
            run_tasks(scenario, tasks, executor=pool)
    return len(tasks) / (time.perf_counter() - started)


def report_time(workers: int) -> float:
    scenario, seed = Scenario.from_file(DEFAULT_SCENARIO), Scenario.from_file(SEED_SCENARIO)
    started = time.perf_counter()
    with worker_pool(workers) as pool:
        gather(scenario, seed_scenario=seed, executor=pool)
    return time.perf_counter() - started


def main() -> None:
    console = Console()
    scenario = Scenario.from_file(DEFAULT_SCENARIO)
    cores = os.cpu_count() or 1
    one_core = replications_per_second(scenario, workers=1)
    every_core = replications_per_second(scenario, workers=cores) / cores
    one, two = report_time(1), report_time(2)
    table = Table(title="simulation speed (one run on this machine)")
    for column in ("measure", "value", "ratio", "goal"):
        table.add_column(column)
    runs = f"{LOAD} per class, {len(scenario.experiment.strategies)} strategies x {REPLICATIONS}"
    table.add_row(f"replications/s, 1 core ({runs})", f"{one_core:.1f}", "", "")
    table.add_row(
        f"replications/s per core, {cores} processes",
        f"{every_core:.1f}",
        f"{every_core / one_core:.2f}",
        "",
    )
    table.add_row("default report's experiments, 1 process", f"{one:.1f} s", "", "")
    table.add_row(
        "default report's experiments, 2 processes", f"{two:.1f} s", f"{one / two:.2f}x", ">= 1.7x"
    )
    console.print(table)


if __name__ == "__main__":
    main()
