"""The world around the bot: what speed buys against outside demand, and when to fire.

- **What speed buys**: every strategy at ``world_load`` prebookings per class while outside
  members' bursts grow (``outside_bursts``), under the scenario's trigger and under exact firing
  at the opening with the cron for leftovers (``both``); the load at which a strategy *starts
  losing places* is the smallest burst at which its whole 95% interval of places won lies more
  than ``losing_margin`` below its places won with no outside demand.
- **When to fire**: an invocation that starts ``send_offsets`` from AimHarder's opening
  (negative: early, so AimHarder answers "too early" until its clock reaches the opening, and
  the flow retries within its budget), the cron kept for leftovers, with ``offset_burst``
  outsiders per class and, on top, the scenario's per-run clock offset.
- **auto against the best fixed strategy**: per load of the main sweep, the paired difference
  (same replication, same random numbers: ``sim.selection.objectives.paired_difference``)
  between ``auto``
  and the fixed strategy with the best mean, on places lost and on inversions, against the
  scenario's δ (``python -m sim select --objective places-lost`` runs KN on the same measure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from commandline.stages import SILENT, Stages
from sim.experiments.grid import Task, run_tasks, summarise
from sim.scenario import Scenario

__all__ = ["Competition", "compete", "losing_from"]


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
    if offset is None:
        return scenario.variant(outside={"burst": burst}, cron={"mode": mode})
    return scenario.variant(
        outside={"burst": burst},
        cron={"mode": mode, "exact_delay": 0.0},
        aimharder={"window_skew": -offset},
    )


def _point(scenario: Scenario, **kwargs: Any) -> list[dict[str, Any]]:
    plan = scenario.experiment
    tasks = [
        Task(strategy=s, load=plan.world_load, replication=r)
        for s in plan.strategies
        for r in range(plan.world_replications)
    ]
    return summarise(run_tasks(scenario, tasks, **kwargs))


def compete(
    scenario: Scenario, *, executor: Executor | None = None, progress: Stages = SILENT
) -> Competition:
    plan = scenario.experiment
    kwargs: dict[str, Any] = {"executor": executor, "progress": progress}
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
    losing = losing_from(speed, margin=plan.losing_margin)
    return Competition(speed=speed, losing=losing, offsets=offsets)


def losing_from(speed: Sequence[dict[str, Any]], *, margin: float) -> list[dict[str, Any]]:
    """Per trigger and strategy, the smallest burst whose places-won interval lies wholly more
    than ``margin`` below the places won with the smallest burst tested (None: it never loses
    that much within the range)."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in speed:
        series[(row["trigger"], row["point"])].append(row)
    losing = []
    for (mode, strategy), rows in sorted(series.items()):
        rows.sort(key=lambda r: r["burst"])
        base = rows[0]["places_won"]
        first = next((r["burst"] for r in rows[1:] if r["places_won_high"] < base - margin), None)
        losing.append(
            {"trigger": mode, "strategy": strategy, "base_places_won": base, "losing_from": first}
        )
    return losing
