"""The report's "which trigger and limit" section: each trigger preset at each platform limit.

A preset (``sim/scenarios/triggers/*.toml``) brings what fires the function (its ``[cron]``), its
``[policy]`` and how long after the last opening is watched (``drain_minutes``: an hour for GitHub
Actions, whose runs come late). The rest (database, AimHarder, workload, seed) is the report's
own scenario, so presets differ only in their trigger; each runs at every limit of the report
scenario's ``limits``, the budget following the limit. It is a reduced grid (``trigger_loads``,
``trigger_replications``): one section of a report that should take about a minute.

Rules, stated once:

- A preset **cannot serve** the bot when, at every limit, even its best strategy leaves more
  than half of the prebookings never decided by the end of the horizon at one of the loads (a
  daily cron fires in the minutes that matter only by luck).
- The **recommended** strategy at a (preset, limit) is safe at every load (never killed,
  nothing skipped, nothing left undecided, nothing booked twice), and of those the fairest
  (fewest inversions at the largest load, then the lowest p95 time to book). When none is
  safe, the one leaving the fewest undecided, marked so.
- **Invocations failing**: calls the trigger counts as failed (no answer within its timeout,
  or a 5xx) among all calls it made; **disabled**: the share of replications in which the
  trigger disabled itself (cron-job.org after 15 failures in a row).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from sim.experiment import Task, estimate, run_tasks, summarise
from sim.run import Replication
from sim.scenario import Scenario

__all__ = ["PRESETS_DIR", "gather_presets", "preset_choices", "presets", "section_markdown"]

PRESETS_DIR = Path(__file__).parent / "scenarios" / "triggers"
SERVES_UNDECIDED = 0.5  # above this share never decided at every limit: cannot serve
# The trigger's own measures, averaged over replications (beside ``summarise``'s metrics).
TRIGGER_METRICS = ("call_fail_share", "trigger_disabled", "duplicates_seen", "dropped")


def presets() -> list[tuple[str, Scenario]]:
    """Every preset file's stem and scenario, by file name."""
    return [(p.stem, Scenario.from_file(p)) for p in sorted(PRESETS_DIR.glob("*.toml"))]


def under(base: Scenario, preset: Scenario, limit: float) -> Scenario:
    """``base`` with ``preset``'s trigger, policy and horizon, at platform limit ``limit``."""
    plan = base.experiment.model_copy(
        update={"drain_minutes": preset.experiment.drain_minutes, "limits": [limit]}
    )
    update = {"name": preset.name, "cron": preset.cron, "policy": preset.policy, "experiment": plan}
    return base.model_copy(update=update).at_limit(limit)


def gather_presets(
    base: Scenario, *, executor: Executor | None = None, show_progress: bool = True
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
                show_progress=show_progress,
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
        for metric in TRIGGER_METRICS:
            row.update(estimate((s[metric] for s in summaries), floor=0.0).as_dict(metric))
        row["failure_streak_max"] = max(s["failure_streak"] for s in summaries)
    return rows


def _safe(row: dict[str, Any]) -> bool:
    return bool(
        row["kill_rate"] == 0 and row["skipped"] == 0 and row["lost"] == 0 and row["doubles"] == 0
    )


def preset_choices(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (preset, limit): the recommendation and its numbers, by the module's rules."""
    points: dict[tuple[str, float], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        points[(row["preset"], row["limit"])].append(row)
    serves: dict[str, bool] = defaultdict(bool)
    for (preset, _), at in points.items():
        worst: dict[str, float] = defaultdict(float)  # per strategy, over the loads
        for row in at:
            worst[row["strategy"]] = max(worst[row["strategy"]], row["undecided_share"])
        serves[preset] |= min(worst.values()) <= SERVES_UNDECIDED
    choices = []
    for (preset, limit), at in points.items():
        top = max(r["load"] for r in at)
        by_strategy: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in at:
            by_strategy[row["strategy"]].append(row)
        at_top = {s: next(r for r in rs if r["load"] == top) for s, rs in by_strategy.items()}
        safe = [s for s, rs in by_strategy.items() if all(_safe(r) for r in rs)]
        if safe:
            chosen = min(
                safe, key=lambda s: (at_top[s]["inversion_rate"], at_top[s]["book_p95"], s)
            )
        else:
            chosen = min(at_top, key=lambda s: (at_top[s]["undecided_share"], s))
        row = at_top[chosen]
        choices.append(
            {
                "preset": preset,
                "limit": limit,
                "budget": row["budget"],
                "serves": serves[preset],
                "strategy": chosen,
                "safe": bool(safe),
                "load": top,
                "book_p95": row["book_p95"],
                "undecided_share": row["undecided_share"],
                "call_fail_share": max(r["call_fail_share"] for r in at),
                "disabled": max(r["trigger_disabled"] for r in at),
                "places_won": row.get("places_won"),
            }
        )
    return choices


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def section_markdown(rows: Sequence[dict[str, Any]], base: Scenario) -> str:
    """The section, generated from the presets' rows."""
    plan = base.experiment
    choices = preset_choices(rows)
    serving = [c for c in choices if c["serves"]]
    cannot = sorted({c["preset"] for c in choices if not c["serves"]})
    won = any(c["places_won"] is not None for c in serving)
    headers = ["trigger", "limit (budget)", "recommended", "p95 time to book (s)"]
    headers += ["places won"] if won else []
    headers += ["invocations failing", "trigger disabled"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for c in serving:
        cells = [
            c["preset"],
            f"{c['limit']:g} s ({c['budget']:g} s)",
            c["strategy"] if c["safe"] else f"{c['strategy']} (none safe)",
            _num(c["book_p95"]),
        ]
        cells += [_num(c["places_won"], 2)] if won else []
        cells += [f"{c['call_fail_share']:.1%}", f"{c['disabled']:.0%}"]
        lines.append("| " + " | ".join(cells) + " |")
    loads = ", ".join(str(n) for n in plan.trigger_loads)
    parts = [
        "## Which trigger and limit",
        f"Every trigger preset in `sim/scenarios/triggers/` (sources and dates in each file) at "
        f"platform limits of {', '.join(f'{x:g}' for x in plan.limits)} s, the guard's budget "
        f"following the limit; {loads} prebookings per class, "
        f"{plan.trigger_replications} replications per point (a reduced grid, to keep the "
        "report near a minute); the rest is this report's scenario. Recommended: safe at every "
        "load and the fairest of those; its p95 time to book at the largest load. Invocations "
        "failing: calls the trigger counted as failed (timeout or 5xx), the worst strategy and "
        "load; trigger disabled: the share of runs in which it disabled itself.",
        "\n".join(lines),
    ]
    if cannot:
        parts.append(
            "**Cannot serve this bot**: "
            + ", ".join(cannot)
            + f". At every limit even the best strategy left more than {SERVES_UNDECIDED:.0%} "
            "of the prebookings undecided by the end of the horizon: the trigger does not fire "
            "in the minutes after an opening."
        )
    streaks = [r for r in rows if r["failure_streak_max"] > 0]
    worst = max(streaks, key=lambda r: r["failure_streak_max"], default=None)
    parts.append(
        "No call failed at any preset, limit, strategy and load."
        if worst is None
        else f"Longest run of failed calls: {worst['failure_streak_max']} ({worst['preset']}, "
        f"{worst['limit']:g} s, {worst['strategy']}, {worst['load']} per class); every point is "
        "in `data/trigger_presets.csv`."
    )
    seen = [r for r in rows if r["duplicates_seen"] > 0]
    if seen:
        booked_twice = max(r["doubles"] for r in seen)
        parts.append(
            f"Duplicate deliveries were seen at {len(seen)} points ("
            + ", ".join(sorted({r["preset"] for r in seen}))
            + "); each copy sent nothing, and the most booked twice at any of them is "
            f"{booked_twice:g}."
        )
    return "\n\n".join(parts) + "\n"
