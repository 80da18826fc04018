"""The world around the bot: what speed buys against outside demand, and when to fire.

- **What speed buys**: every strategy at ``world_load`` prebookings per class while outside
  members' bursts grow (``outside_bursts``), under the scenario's trigger and under exact firing
  at the opening with the cron for leftovers (``both``); the load at which a strategy *starts
  losing places* is the smallest burst at which its whole 95% interval of places won lies below
  its places won with no outside demand.
- **When to fire**: an invocation that starts ``send_offsets`` from AimHarder's opening
  (negative: early, so AimHarder answers "too early" until its clock reaches the opening, and
  the flow retries within its budget), the cron kept for leftovers, with ``offset_burst``
  outsiders per class and, on top, the scenario's per-run clock offset.
- **auto against the best fixed strategy**: per load of the main sweep, the paired difference
  (same replication, same random numbers) between ``auto`` and the fixed strategy with the best
  mean, on places won and on inversions, against the scenario's δ.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sim.experiment import Task, estimate, run_tasks, summarise
from sim.run import Replication
from sim.scenario import Scenario

__all__ = ["AUTO", "Competition", "auto_against_best", "compete", "losing_from"]

AUTO = "auto"


@dataclass(frozen=True, slots=True, kw_only=True)
class Competition:
    speed: list[dict[str, Any]]  # per trigger, burst and strategy
    losing: list[dict[str, Any]]  # per trigger and strategy: the burst it starts losing from
    offsets: list[dict[str, Any]]  # per send offset and strategy


def _variant(scenario: Scenario, *, burst: int, mode: str, offset: float | None = None) -> Scenario:
    """The scenario with ``burst`` outsiders per class under trigger ``mode``; with ``offset``,
    fired exactly at ``available_at`` while AimHarder's window opens ``offset`` later (so the
    invocation starts ``offset`` from AimHarder's opening: a bot that looks ahead by ``-offset``
    is the same thing seen from the other side)."""
    update: dict[str, Any] = {
        "outside": scenario.outside.model_copy(update={"burst": burst}),
        "cron": scenario.cron.model_copy(update={"mode": mode}),
    }
    if offset is not None:
        update["cron"] = scenario.cron.model_copy(update={"mode": mode, "exact_delay": 0.0})
        update["aimharder"] = scenario.aimharder.model_copy(update={"window_skew": -offset})
    return scenario.model_copy(update=update)


def _point(scenario: Scenario, **kwargs: Any) -> list[dict[str, Any]]:
    plan = scenario.experiment
    tasks = [
        Task(strategy=s, load=plan.world_load, replication=r)
        for s in plan.strategies
        for r in range(plan.world_replications)
    ]
    return summarise(run_tasks(scenario, tasks, **kwargs))


def compete(
    scenario: Scenario, *, executor: Executor | None = None, show_progress: bool = True
) -> Competition:
    plan = scenario.experiment
    kwargs: dict[str, Any] = {"executor": executor, "show_progress": show_progress}
    speed = []
    for mode in dict.fromkeys((scenario.cron.mode, "both")):
        for burst in plan.outside_bursts:
            variant = _variant(scenario, burst=burst, mode=mode)
            rows = _point(variant, description=f"outside burst {burst} ({mode})", **kwargs)
            speed += [{**row, "trigger": mode, "burst": burst} for row in rows]
    offsets = []
    for offset in plan.send_offsets:
        variant = _variant(scenario, burst=plan.offset_burst, mode="both", offset=offset)
        rows = _point(variant, description=f"send offset {offset:+g} s", **kwargs)
        offsets += [{**row, "offset": offset} for row in rows]
    return Competition(speed=speed, losing=losing_from(speed), offsets=offsets)


def losing_from(speed: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per trigger and strategy, the smallest burst whose places-won interval lies wholly below
    the places won with the smallest burst tested (None: it never loses within the range)."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in speed:
        series[(row["trigger"], row["point"])].append(row)
    losing = []
    for (mode, strategy), rows in sorted(series.items()):
        rows.sort(key=lambda r: r["burst"])
        base = rows[0]["places_won"]
        first = next((r["burst"] for r in rows[1:] if r["places_won_high"] < base), None)
        losing.append(
            {"trigger": mode, "strategy": strategy, "base_places_won": base, "losing_from": first}
        )
    return losing


def auto_against_best(
    results: Sequence[tuple[Task, Replication]], *, delta_places: float, delta_inversions: float
) -> list[dict[str, Any]]:
    """Per load: auto minus the best fixed strategy, paired by replication, with 95% intervals.

    Within δ on places won: the whole interval of (auto - best) lies above -δ; on inversions:
    the whole interval lies below +δ.
    """
    by: dict[tuple[int, str], dict[int, dict[str, Any]]] = defaultdict(dict)
    for task, replication in results:
        by[(task.load, task.label or task.strategy)][task.replication] = replication.summary
    rows = []
    for load in sorted({load for load, _ in by}):
        fixed = {name: runs for (n, name), runs in by.items() if n == load and name != AUTO}
        auto = by.get((load, AUTO))
        if not fixed or not auto:
            continue
        row: dict[str, Any] = {"load": load}
        for metric, better, delta in (
            ("places_won", max, delta_places),
            ("inversion_rate", min, delta_inversions),
        ):
            means = {name: _mean(runs, metric) for name, runs in fixed.items()}
            best = better(sorted(means), key=lambda name: means[name])
            paired = [auto[r][metric] - fixed[best][r][metric] for r in auto if r in fixed[best]]
            diff = estimate(paired)
            within = diff.low >= -delta if better is max else diff.high <= delta
            row.update(
                {
                    f"{metric}_best": best,
                    f"{metric}_best_mean": means[best],
                    f"{metric}_auto_mean": _mean(auto, metric),
                    **diff.as_dict(f"{metric}_diff"),
                    f"{metric}_within": bool(within) and not math.isnan(diff.mean),
                }
            )
        rows.append(row)
    return rows


def _mean(runs: dict[int, dict[str, Any]], metric: str) -> float:
    values = [float(s[metric]) for s in runs.values()]
    return sum(values) / len(values) if values else float("nan")
