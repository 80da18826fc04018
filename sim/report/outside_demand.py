"""The report's sections on the world around the bot (``sim.experiments.outside_demand``): what
speed buys, the
send offset, and ``auto`` against the best fixed strategy.

The numbers are found here, as typed findings; the words are in
``sim/report/templates/competition.md.j2``
and ``sim/report/templates/auto.md.j2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.experiments.outside_demand import Competition
from sim.model.summary import Measure
from sim.report.rendering import phrase, render_markdown
from sim.scenario import Scenario
from sim.selection.auto import AUTO
from sim.stats import Estimate

__all__ = [
    "OFFSET_FIGURES",
    "AutoSection",
    "BestOffset",
    "CompetitionSection",
    "Grid",
    "Losing",
    "OffsetMeasure",
    "Places",
    "TriggerSpeed",
    "auto_markdown",
    "competition_markdown",
    "competition_section",
    "offset_figures",
    "speed_figure",
]

OFFSET_FIGURES = ("places_won", "book_p50")  # plotted against the send offset, in this order


def offset_figures() -> list[tuple[str, str, str]]:
    """(metric, unit, title) of each figure against the send offset (``phrases.j2``)."""
    return [(m, Measure(m).unit, phrase("title", f"offset_{m}")) for m in OFFSET_FIGURES]


def speed_figure(trigger: str) -> str:
    """The file name of the places-won-against-burst plot under ``trigger``."""
    return f"speed_{trigger}.png"


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    """One measure per strategy (a row each) and burst or send offset (a column each)."""

    columns: tuple[float, ...]
    rows: tuple[tuple[str, tuple[Estimate, ...]], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Places:
    """The places one strategy won, with their interval."""

    strategy: str
    won: Estimate


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerSpeed:
    """Places won against the outsiders' burst under one trigger."""

    trigger: str
    figure: str
    places_won: Grid
    at_burst: tuple[Places, ...]  # every strategy at the offset section's burst, by name
    auto: Places | None  # auto at that burst, when it ran beside a fixed strategy
    best_fixed: Places | None  # the fixed strategy that won most there


@dataclass(frozen=True, slots=True, kw_only=True)
class Losing:
    """Where one strategy starts losing places under one trigger."""

    trigger: str
    strategy: str
    base_places_won: float  # with the smallest burst tested
    losing_from: int | None  # the burst, or None when not within the range


@dataclass(frozen=True, slots=True, kw_only=True)
class OffsetMeasure:
    """One measure against the send offset."""

    metric: str
    label: str
    title: str
    grid: Grid


@dataclass(frozen=True, slots=True, kw_only=True)
class BestOffset:
    """The send offset with the most places won for one strategy."""

    strategy: str
    offset: float
    edge: str  # "earliest" or "latest" when at an end of the range tested, else ""
    places_won: Estimate


@dataclass(frozen=True, slots=True, kw_only=True)
class CompetitionSection:
    """What the sections on speed and the send offset need."""

    burst_spread: float
    latency: str  # the outsiders' latency model
    outside_rate: float  # the Poisson tail's rate, per second (0: no tail)
    outside_tail: float  # the tail's length, s
    world_load: int
    capacity_ratio: float
    world_replications: int
    losing_margin: float
    offset_burst: int
    clock_low: float
    clock_high: float
    speed: tuple[TriggerSpeed, ...]
    losing: tuple[Losing, ...]
    offsets: tuple[OffsetMeasure, ...]
    best_offsets: tuple[BestOffset, ...]

    @property
    def at_an_end(self) -> bool:
        """Some strategy's best send offset is at an end of the range tested."""
        return any(b.edge for b in self.best_offsets)


def _grid(rows: Sequence[dict[str, Any]], column: str, metric: str) -> Grid:
    columns = sorted({r[column] for r in rows})
    cell = {(r["point"], r[column]): r for r in rows}
    return Grid(
        columns=tuple(columns),
        rows=tuple(
            (p, tuple(Estimate.from_row(cell[(p, c)], metric) for c in columns))
            for p in sorted({r["point"] for r in rows})
        ),
    )


def _trigger_speed(speed: Sequence[dict[str, Any]], trigger: str, burst: int) -> TriggerSpeed:
    rows = [r for r in speed if r["trigger"] == trigger]
    at = {r["point"]: r for r in rows if r["burst"] == burst}
    fixed = [p for p in at if p != AUTO]
    best = max(fixed, key=lambda p: at[p]["places_won"]) if AUTO in at and fixed else None
    return TriggerSpeed(
        trigger=trigger,
        figure=speed_figure(trigger),
        places_won=_grid(rows, "burst", "places_won"),
        at_burst=tuple(
            Places(strategy=p, won=Estimate.from_row(r, "places_won"))
            for p, r in sorted(at.items())
        ),
        auto=None if best is None else Places(strategy=AUTO, won=_won(at[AUTO])),
        best_fixed=None if best is None else Places(strategy=best, won=_won(at[best])),
    )


def _won(row: dict[str, Any]) -> Estimate:
    return Estimate.from_row(row, "places_won")


def _best_offsets(offsets: Sequence[dict[str, Any]]) -> tuple[BestOffset, ...]:
    answers = []
    for point in sorted({r["point"] for r in offsets}):
        rows = sorted((r for r in offsets if r["point"] == point), key=lambda r: r["offset"])
        best = max(rows, key=lambda r: (r["places_won"], -abs(r["offset"])))
        edge = "earliest" if best is rows[0] else ""
        edge = "latest" if best is rows[-1] else edge
        answers.append(
            BestOffset(strategy=point, offset=best["offset"], edge=edge, places_won=_won(best))
        )
    return tuple(answers)


def competition_section(scenario: Scenario, competition: Competition) -> CompetitionSection:
    """The findings of the sections on speed and the send offset."""
    plan, outside = scenario.experiment, scenario.outside
    clock = scenario.aimharder.clock_offset
    triggers = dict.fromkeys(r["trigger"] for r in competition.speed)
    return CompetitionSection(
        burst_spread=outside.burst_spread,
        latency=outside.latency.kind,
        outside_rate=outside.rate,
        outside_tail=outside.tail,
        world_load=plan.world_load,
        capacity_ratio=scenario.workload.capacity_ratio,
        world_replications=plan.world_replications,
        losing_margin=plan.losing_margin,
        offset_burst=plan.offset_burst,
        clock_low=clock.low,
        clock_high=clock.high,
        speed=tuple(_trigger_speed(competition.speed, t, plan.offset_burst) for t in triggers),
        losing=tuple(
            Losing(
                trigger=r["trigger"],
                strategy=r["strategy"],
                base_places_won=r["base_places_won"],
                losing_from=r["losing_from"],
            )
            for r in competition.losing
        ),
        offsets=tuple(
            OffsetMeasure(
                metric=metric,
                label=label,
                title=title,
                grid=_grid(competition.offsets, "offset", metric),
            )
            for metric, label, title in offset_figures()
        ),
        best_offsets=_best_offsets(competition.offsets),
    )


def competition_markdown(scenario: Scenario, competition: Competition) -> str:
    """The sections on speed and the send offset (``sim/report/templates/competition.md.j2``)."""
    return render_markdown("competition", c=competition_section(scenario, competition))


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoSection:
    """``auto`` against the best fixed strategy, per load of the main sweep."""

    delta_places: float
    delta_inversions: float
    rows: tuple[dict[str, Any], ...]  # ``sim.experiments.outside_demand.auto_against_best``'s rows

    @property
    def within_both(self) -> int:
        """The loads where ``auto`` is within δ on both measures."""
        return sum(1 for r in self.rows if r["places_lost_within"] and r["inversion_rate_within"])


def auto_markdown(rows: Sequence[dict[str, Any]], *, delta_places: float, delta_inv: float) -> str:
    """The section (``sim/report/templates/auto.md.j2``)."""
    section = AutoSection(delta_places=delta_places, delta_inversions=delta_inv, rows=tuple(rows))
    return render_markdown("auto", a=section)
