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

The numbers are found here (``trigger_section``); the words are in
``sim/report/templates/trigger_choice.md.j2``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sim.experiments.grid import Task, estimate, run_tasks, summarise
from sim.model.replication import Replication
from sim.report.rendering import render_markdown
from sim.scenario import TRIGGER_PRESETS, Scenario

__all__ = [
    "PRESETS_DIR",
    "FailureStreak",
    "PresetChoice",
    "TriggerSection",
    "gather_presets",
    "preset_choices",
    "presets",
    "section_markdown",
    "trigger_section",
]

PRESETS_DIR = TRIGGER_PRESETS
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


@dataclass(frozen=True, slots=True, kw_only=True)
class PresetChoice:
    """The recommendation at one (preset, limit) and its numbers."""

    preset: str
    limit: float
    budget: float
    serves: bool  # the preset can serve the bot at some limit
    strategy: str
    safe: bool  # the strategy was safe at every load; else the least undecided
    load: int  # the largest load, where the numbers below are read
    book_p95: float
    undecided_share: float
    call_fail_share: float  # the worst strategy and load
    disabled: float  # the worst strategy and load
    places_won: float | None  # None when the scenario does not measure it


def _safe(row: dict[str, Any]) -> bool:
    return bool(
        row["kill_rate"] == 0 and row["skipped"] == 0 and row["lost"] == 0 and row["doubles"] == 0
    )


def preset_choices(rows: Sequence[dict[str, Any]]) -> list[PresetChoice]:
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
            PresetChoice(
                preset=preset,
                limit=limit,
                budget=row["budget"],
                serves=serves[preset],
                strategy=chosen,
                safe=bool(safe),
                load=top,
                book_p95=row["book_p95"],
                undecided_share=row["undecided_share"],
                call_fail_share=max(r["call_fail_share"] for r in at),
                disabled=max(r["trigger_disabled"] for r in at),
                places_won=row.get("places_won"),
            )
        )
    return choices


@dataclass(frozen=True, slots=True, kw_only=True)
class FailureStreak:
    """The longest run of failed calls, and the point it was seen at."""

    length: int
    preset: str
    limit: float
    strategy: str
    load: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerSection:
    """What the section's sentences need: the grid, the choices and what went wrong."""

    limits: tuple[float, ...]
    loads: tuple[int, ...]
    replications: int
    serving: tuple[PresetChoice, ...]  # the choices of the presets that can serve
    cannot: tuple[str, ...]  # presets that cannot serve, by name
    places_won: bool  # some serving choice measured places won: the table shows them
    serves_undecided: float
    longest_streak: FailureStreak | None
    duplicate_points: int  # points where some delivery came twice
    duplicate_presets: tuple[str, ...]
    booked_twice: float  # the most booked twice at any of those points


def trigger_section(rows: Sequence[dict[str, Any]], base: Scenario) -> TriggerSection:
    """The section's findings from the presets' rows, by the module's rules."""
    plan = base.experiment
    choices = preset_choices(rows)
    serving = tuple(c for c in choices if c.serves)
    streaks = [r for r in rows if r["failure_streak_max"] > 0]
    worst = max(streaks, key=lambda r: r["failure_streak_max"], default=None)
    seen = [r for r in rows if r["duplicates_seen"] > 0]
    return TriggerSection(
        limits=tuple(plan.limits),
        loads=tuple(plan.trigger_loads),
        replications=plan.trigger_replications,
        serving=serving,
        cannot=tuple(sorted({c.preset for c in choices if not c.serves})),
        places_won=any(c.places_won is not None for c in serving),
        serves_undecided=SERVES_UNDECIDED,
        longest_streak=None
        if worst is None
        else FailureStreak(
            length=worst["failure_streak_max"],
            preset=worst["preset"],
            limit=worst["limit"],
            strategy=worst["strategy"],
            load=worst["load"],
        ),
        duplicate_points=len(seen),
        duplicate_presets=tuple(sorted({r["preset"] for r in seen})),
        booked_twice=max((r["doubles"] for r in seen), default=0.0),
    )


def section_markdown(rows: Sequence[dict[str, Any]], base: Scenario) -> str:
    """The section (``sim/report/templates/trigger_choice.md.j2``), from the presets' rows."""
    return render_markdown("trigger_choice", t=trigger_section(rows, base)) + "\n"
