"""Each trigger preset at each platform limit: the runs of the report's "which trigger and
limit" section (its rules are ``sim.selection.triggers``, its words ``sim.report.triggers``).

A preset (``sim/scenarios/triggers/*.toml``) brings what fires the function (its ``[cron]``), its
``[policy]`` and how long after the last opening is watched (``drain_minutes``: an hour for GitHub
Actions, whose runs come late). The rest (database, AimHarder, workload, seed) is the report's
own scenario, so presets differ only in their trigger; each runs at every limit of the report
scenario's ``limits``, the budget following the limit. It is a reduced grid (``trigger_loads``,
``trigger_replications``): one section of a report that should take about a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from commandline.stages import SILENT, Stages
from sim.experiments.grid import Task, run_tasks, summarise
from sim.model.replication import Replication
from sim.model.summary import TRIGGER_MEASURES
from sim.scenario import TRIGGER_PRESETS, Scenario
from sim.stats import estimate

__all__ = [
    "PRESETS_DIR",
    "gather_presets",
    "presets",
]

PRESETS_DIR = TRIGGER_PRESETS


def presets() -> list[tuple[str, Scenario]]:
    """Every preset file's stem and scenario, by file name."""
    return [(p.stem, Scenario.from_file(p)) for p in sorted(PRESETS_DIR.glob("*.toml"))]


def under(base: Scenario, preset: Scenario, limit: float) -> Scenario:
    """``base`` with ``preset``'s trigger, policy and horizon, at platform limit ``limit``."""
    return base.variant(
        name=preset.name,
        cron=preset.cron,
        policy=preset.policy,
        experiment={"drain_minutes": preset.experiment.drain_minutes, "limits": [limit]},
        platform={"max_duration": limit},
    )


def gather_presets(
    base: Scenario, *, executor: Executor | None = None, progress: Stages = SILENT
) -> list[dict[str, Any]]:
    """One row per (preset, limit, strategy, load): means and 95% intervals over replications."""
    plan = base.experiment
    tasks = [
        Task(strategy=s, load=n, replication=r)
        for s in plan.strategies
        for n in plan.trigger_loads
        for r in range(plan.trigger_replications)
    ]
    rows: list[dict[str, Any]] = []
    for stem, preset in presets():
        for limit in plan.limits:
            scenario = under(base, preset, limit)
            budget = scenario.policy_for(plan.strategies[0]).budget
            done = run_tasks(
                scenario,
                tasks,
                executor=executor,
                description=f"{preset.name} at {limit:g} s",
                progress=progress,
            )
            tag = {"preset": preset.name, "file": stem, "limit": limit, "budget": budget}
            rows += [{**tag, **row, "strategy": row["point"]} for row in _summary(done)]
    return rows


def _summary(done: Sequence[tuple[Task, Replication]]) -> list[dict[str, Any]]:
    rows = summarise(done)
    groups: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for task, result in done:
        groups[(task.strategy, task.load)].append(result.summary.row())
    for row in rows:
        summaries = groups[(row["point"], row["load"])]
        undecided = (s["lost"] / s["requests"] if s["requests"] else 0.0 for s in summaries)
        row.update(estimate(undecided, floor=0.0).as_dict("undecided_share"))
        for metric in TRIGGER_MEASURES:
            row.update(estimate((s[metric] for s in summaries), floor=0.0).as_dict(metric))
        row["failure_streak_max"] = max(s["failure_streak"] for s in summaries)
    return rows
