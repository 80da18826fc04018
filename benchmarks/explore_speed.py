"""How fast ``sim explore`` judges worlds, measured in one run on this machine.

Runs per second over the same ``RUNS`` worlds (seed ``SEED``, every fault and strategy
drawn, small worlds of 3-90 prebookings, 25 on average): in this process, then on every core,
each run simulated to its settling and judged (``sim.experiments.explore.judge``), none skipped
when one breaks a guarantee. The goal is at least 20
runs per second per core, so a minute on a laptop explores over a thousand worlds.
Run from the top folder: .venv/bin/python -m benchmarks.explore_speed
"""

from __future__ import annotations

import os
import statistics
import time

from rich.console import Console
from rich.table import Table

from scheduler.core.strategies import strategy_names
from sim.experiments.explore import CHUNK, judge
from sim.experiments.workers import worker_pool
from sim.experiments.worlds import World, draw, run_seed
from sim.faults import FAULTS

__all__ = ["main", "runs_per_second"]

SEED = 2024
RUNS = 400
GOAL = 20.0  # runs per second per core (issue 24)


def runs_per_second(worlds: list[World], workers: int) -> tuple[float, int]:
    """Worlds judged per wall-clock second on ``workers`` processes (1: this one, no pool),
    and how many of them broke a guarantee (all are run: the speed is not the finding)."""
    started = time.perf_counter()
    if workers == 1:
        judged = [judge(world) for world in worlds]
    else:
        with worker_pool(workers) as pool:
            judged = list(pool.map(judge, worlds, chunksize=CHUNK))
    return len(worlds) / (time.perf_counter() - started), sum(bool(v) for v in judged)


def main() -> None:
    cores = os.cpu_count() or 1
    worlds = [
        draw(run_seed(SEED, run), strategies=strategy_names(), faults=FAULTS) for run in range(RUNS)
    ]
    one, broke = runs_per_second(worlds, 1)
    every, _ = runs_per_second(worlds, cores)
    sizes = [world.prebookings for world in worlds]
    table = Table(title=f"sim explore, {RUNS} worlds (one run on this machine)")
    for column in ("measure", "value", "goal"):
        table.add_column(column)
    table.add_row(
        "prebookings per world (mean, max)", f"{statistics.mean(sizes):.0f}, {max(sizes)}", ""
    )
    table.add_row("runs/s, 1 process", f"{one:.1f}", f">= {GOAL:g}")
    table.add_row(f"runs/s, {cores} processes", f"{every:.1f}", "")
    table.add_row("runs/s per core, all cores", f"{every / cores:.1f}", f">= {GOAL:g}")
    table.add_row("speed-up on all cores", f"{every / one:.2f}x", f"<= {cores}x")
    table.add_row("worlds that broke a guarantee", f"{broke} of {RUNS}", "")
    Console().print(table)


if __name__ == "__main__":
    main()
