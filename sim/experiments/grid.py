"""Replications and sweeps: many independent runs, in parallel, summarised with 95% intervals.

Runs go through any ``concurrent.futures.Executor`` (processes on every core by default;
``sim.experiments.executors`` for the others, a dask cluster's among them), since each task is
a pure
function of picklable arguments. Long work reports its progress to the caller's ``Stages``
(``commandline.stages``).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from typing import Any

from commandline.stages import SILENT, Stages
from sim.experiments.executors import parallelism
from sim.experiments.workers import worker_pool
from sim.model.replication import Replication, run_replication
from sim.model.summary import RUN_MEASURES, Summary
from sim.scenario import Scenario
from sim.stats import estimate

__all__ = ["Task", "run_tasks", "summarise", "sweep_tasks"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """One replication to run: a point of the sweep and its replication number."""

    strategy: str
    load: int
    replication: int
    policy: tuple[tuple[str, Any], ...] = ()  # overrides beyond the scenario's, e.g. a gap
    label: str = ""  # how reports name the point (defaults to the strategy)


def sweep_tasks(scenario: Scenario) -> list[Task]:
    plan = scenario.experiment
    return [
        Task(strategy=name, load=load, replication=r)
        for name in plan.strategies
        for load in plan.loads
        for r in range(plan.replications)
    ]


def _run_chunk(scenario: Scenario, chunk: Sequence[Task]) -> list[tuple[Task, Replication]]:
    return [
        (
            task,
            run_replication(
                scenario,
                task.strategy,
                task.load,
                task.replication,
                policy_overrides=dict(task.policy),
            ),
        )
        for task in chunk
    ]


def run_tasks(
    scenario: Scenario,
    tasks: Sequence[Task],
    *,
    executor: Executor | None = None,
    description: str = "replications",
    progress: Stages = SILENT,
) -> list[tuple[Task, Replication]]:
    """Run every task; results in the order of ``tasks`` whatever order they finish in.

    Tasks travel in chunks, about eight per core of the executor (fewer leave cores idle at the
    end of a phase, more cost messages), because one replication takes only tens of
    milliseconds: sent one by one, pickling and messaging would cost as much as the work.
    They run grouped by (load, replication), whose random streams every strategy shares
    (``sim.model.streams`` derives each once per process), and come back in the order given.
    """
    owned = executor is None
    pool = executor or worker_pool(os.cpu_count() or 1)
    workers = parallelism(pool)
    size = max(1, math.ceil(len(tasks) / (8 * workers)))
    order = sorted(range(len(tasks)), key=lambda i: (tasks[i].load, tasks[i].replication))
    grouped = [tasks[i] for i in order]
    chunks = [grouped[i : i + size] for i in range(0, len(grouped), size)]
    results: dict[int, list[tuple[Task, Replication]]] = {}
    try:
        with progress.stage(description, len(tasks)) as advance:
            futures = {pool.submit(_run_chunk, scenario, c): i for i, c in enumerate(chunks)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                advance(len(chunks[futures[future]]))
    finally:
        if owned:
            pool.shutdown(cancel_futures=True)
    ran = (pair for i in range(len(chunks)) for pair in results[i])
    at = dict(zip(order, ran, strict=True))
    return [at[i] for i in range(len(tasks))]


def summarise(
    results: Iterable[tuple[Task, Replication]],
    *,
    key: Callable[[Task], tuple[Any, ...]] = lambda t: (t.label or t.strategy, t.load),
) -> list[dict[str, Any]]:
    """One row per sweep point: every metric's mean and 95% interval over its replications."""
    groups: dict[tuple[Any, ...], list[Summary]] = defaultdict(list)
    for task, replication in results:
        groups[key(task)].append(replication.summary)
    rows = []
    for point, summaries in groups.items():
        row: dict[str, Any] = {"point": point[0], "load": point[1], "replications": len(summaries)}
        for measure in RUN_MEASURES:
            # Every measure is a count, a share or a duration: none below 0, no share above 1.
            ceiling = 1.0 if measure.is_share else None
            values = (getattr(s, measure) for s in summaries)
            row.update(estimate(values, floor=0.0, ceiling=ceiling).as_dict(measure))
        rows.append(row)
    return rows
