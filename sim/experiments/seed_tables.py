"""The seed review's timing tables, and what the simulation says under the same assumptions.

Its "Expected Metrics" (10 prebookings: 3-6 s sequential, 0.8-1.5 s parallel) and "Scaling
Limits" (how long N prebookings take, per strategy) are claims about ONE invocation that finds N
ready prebookings. The check runs exactly that: one trigger right at the window opening, no cold
start, no jitter, and no guard (budget unlimited), so the time measured is the time N take.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from commandline.stages import SILENT, Stages
from mock_aimharder.model.distributions import Fixed
from sim.experiments.grid import Task, run_tasks
from sim.scenario import Scenario
from sim.stats import percentile

__all__ = ["SCALING_LIMITS", "SeedRow", "compare_with_seed", "one_invocation"]

UNLIMITED = 1e6


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedRow:
    """One claim of the seed: N in [low, high] take [seconds] with a strategy."""

    table: str
    low: int
    high: int
    strategy: str
    seconds: tuple[float, float]
    verdict: str  # the seed's own recommendation for the row


_SCALING = [
    (1, 10, {"sequential": (0.5, 3.0), "parallel": (0.5, 1.0)}, "Safe (both approaches)"),
    (11, 20, {"sequential": (3.0, 6.0), "parallel": (1.0, 2.0)}, "Safe (prefer parallel)"),
    (21, 30, {"sequential": (6.0, 9.0), "parallel": (2.0, 3.0)}, "Risky (use timeout guard)"),
    (31, 50, {"sequential": (9.0, math.inf), "parallel": (3.0, math.inf)}, "Exceeds limit"),
]
_EXPECTED = {"sequential": ((3.0, 6.0), "3000-6000 ms"), "parallel": ((0.8, 1.5), "800-1500 ms")}

SCALING_LIMITS: tuple[SeedRow, ...] = (
    *(
        SeedRow(table="Scaling Limits", low=lo, high=hi, strategy=s, seconds=secs, verdict=v)
        for lo, hi, claims, v in _SCALING
        for s, secs in claims.items()
    ),
    *(
        SeedRow(
            table="Expected Metrics (10 prebookings)",
            low=10,
            high=10,
            strategy=s,
            seconds=secs,
            verdict=f"Total ({s}) {text}",
        )
        for s, (secs, text) in _EXPECTED.items()
    ),
)


def one_invocation(scenario: Scenario, *, guard: bool) -> Scenario:
    """``scenario`` reduced to one class, one trigger at its opening, warm, with(out) the guard."""
    platform: dict[str, Any] = {"cold_start": Fixed(value=0.0)}
    policy = dict(scenario.policy)
    if not guard:
        # No budget of its own: the guard's budget follows the unlimited platform.
        platform["max_duration"] = UNLIMITED
        policy.pop("budget", None)
        policy.update(buffer=0.0)
    return scenario.variant(
        cron={"mode": "exact", "exact_delay": 0.001},
        platform=platform,
        workload={"minutes": 1, "classes_per_minute": 1, "capacity_ratio": 1.0},
        policy=policy,
    )


def compare_with_seed(
    scenario: Scenario,
    *,
    replications: int,
    executor: Executor | None = None,
    progress: Stages = SILENT,
    rows: Sequence[SeedRow] = SCALING_LIMITS,
) -> list[dict[str, Any]]:
    """Each seed claim beside the simulated p5-p95 of one unguarded invocation."""
    reduced = one_invocation(scenario, guard=False)
    points = sorted({(r.strategy, n) for r in rows for n in (r.low, r.high)})
    tasks = [
        Task(strategy=s, load=n, replication=i) for s, n in points for i in range(replications)
    ]
    makespans: dict[tuple[str, int], list[float]] = {}
    runs = run_tasks(
        reduced, tasks, executor=executor, description="seed tables", progress=progress
    )
    for task, result in runs:
        makespans.setdefault((task.strategy, task.load), []).append(result.summary.makespan_max)
    table = []
    for row in rows:
        low = percentile(makespans[(row.strategy, row.low)], 5)
        high = percentile(makespans[(row.strategy, row.high)], 95)
        table.append(
            {
                "table": row.table,
                "prebookings": f"{row.low}-{row.high}" if row.low != row.high else str(row.low),
                "strategy": row.strategy,
                "seed_low": row.seconds[0],
                "seed_high": row.seconds[1],
                "sim_low": low,
                "sim_high": high,
                "seed_verdict": row.verdict,
                "agreement": _agreement(row.seconds, (low, high)),
            }
        )
    return table


def _agreement(claim: tuple[float, float], simulated: tuple[float, float]) -> str:
    (c_low, c_high), (s_low, s_high) = claim, simulated
    if c_low <= s_low and s_high <= c_high:
        return "agrees"
    if s_high < c_low:
        return f"disagrees: all simulated runs are faster than claimed (by {c_low - s_high:.2f} s+)"
    if s_low > c_high:
        return f"disagrees: all simulated runs are slower than claimed (by {s_low - c_high:.2f} s+)"
    parts = []
    if s_low < c_low:
        parts.append(f"the fastest runs beat the claim by {c_low - s_low:.2f} s")
    if s_high > c_high:
        parts.append(f"the slowest exceed it by {s_high - c_high:.2f} s")
    return "partly: " + "; ".join(parts)
