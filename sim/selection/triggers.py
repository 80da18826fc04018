"""The trigger presets' recommendations (the report's "which trigger and limit" section), by the
one rule set (``sim.selection.rules``):

- A preset **cannot serve** the bot when, at every limit, even its best strategy leaves more
  than ``SERVES_UNDECIDED`` of the prebookings never decided by the end of the horizon at one of
  the loads (a daily cron fires in the minutes that matter only by luck).
- The **recommended** strategy at a (preset, limit) is safe at every load, and of those the
  fairest at the largest load. When none is safe, the one leaving the fewest undecided, marked
  so.
- **Invocations failing**: calls the trigger counts as failed (no answer within its timeout,
  or a 5xx) among all calls it made; **disabled**: the share of replications in which the
  trigger disabled itself (cron-job.org after 15 failures in a row).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.scenario import Scenario
from sim.selection.auto import AUTO
from sim.selection.rules import fairest_key, safe_point

__all__ = [
    "FIRED_AND_CRON",
    "SERVES_UNDECIDED",
    "TOO_LATE",
    "FailureStreak",
    "PresetChoice",
    "TriggerSection",
    "preset_choices",
    "slower_when_longer",
    "trigger_section",
]

# The preset that fires as the answer advises (at each opening, the cron kept for leftovers):
# the answer reads what the platform limit changes from it (sim/scenarios/triggers/).
FIRED_AND_CRON = "exact + minute cron"
SERVES_UNDECIDED = 0.5  # above this share never decided at every limit: cannot serve
# A preset that books, but whose best strategy's p95 time to book is past this at every limit,
# books too late to matter: two minute-cron periods after the opening, where other members take
# places within seconds (the report's "what speed buys").
TOO_LATE = 120.0


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
        safe = [s for s, rs in by_strategy.items() if all(safe_point(r) for r in rs)]
        if safe:
            chosen = min(safe, key=lambda s: fairest_key(at_top[s], s))
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
    serving: tuple[PresetChoice, ...]  # the choices of the presets that can serve in time
    cannot: tuple[str, ...]  # presets that cannot serve, by name
    late: tuple[PresetChoice, ...]  # presets that book too late to matter: their best limit
    too_late: float
    same_strategy: str | None  # the one recommendation of every serving row, all safe
    same_places_won: float | None  # the places won of every serving row, when all equal
    slower_when_longer: tuple[str, ...]  # presets whose auto books later at a longer limit
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
    in_time = {c.preset for c in choices if c.serves and c.book_p95 <= TOO_LATE}
    serving = tuple(c for c in choices if c.preset in in_time)
    late = tuple(
        min((c for c in choices if c.preset == name), key=lambda c: c.book_p95)
        for name in sorted({c.preset for c in choices if c.serves} - in_time)
    )
    strategies = {c.strategy for c in serving}
    won = {c.places_won for c in serving}
    streaks = [r for r in rows if r["failure_streak_max"] > 0]
    worst = max(streaks, key=lambda r: r["failure_streak_max"], default=None)
    seen = [r for r in rows if r["duplicates_seen"] > 0]
    return TriggerSection(
        limits=tuple(plan.limits),
        loads=tuple(plan.trigger_loads),
        replications=plan.trigger_replications,
        serving=serving,
        cannot=tuple(sorted({c.preset for c in choices if not c.serves})),
        late=late,
        too_late=TOO_LATE,
        same_strategy=strategies.pop()
        if len(strategies) == 1 and all(c.safe for c in serving)
        else None,
        same_places_won=won.pop() if len(won) == 1 and None not in won else None,
        slower_when_longer=slower_when_longer(serving),
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


def slower_when_longer(serving: Sequence[PresetChoice]) -> tuple[str, ...]:
    """Presets where ``auto`` is recommended at every limit and books later at a longer one:
    with more time left it sends one at a time, in order, where a short limit makes it
    stagger (``scheduler.core.adaptive``): fairness bought with time, not a slower platform."""
    by_preset: dict[str, list[PresetChoice]] = defaultdict(list)
    for choice in serving:
        by_preset[choice.preset].append(choice)
    return tuple(
        name
        for name, at in sorted(by_preset.items())
        if all(c.strategy == AUTO for c in at)
        and any(
            b.book_p95 > a.book_p95
            for a, b in itertools.pairwise(sorted(at, key=lambda c: c.limit))
        )
    )
