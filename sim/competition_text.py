"""The report's words on the world around the bot (``sim.competition``), in Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.competition import AUTO, Competition
from sim.markdown import ci, num, table
from sim.scenario import Scenario

__all__ = ["OFFSET_FIGURES", "auto_markdown", "competition_markdown", "speed_figure"]

OFFSET_FIGURES = (
    ("places_won", "share of our prebookings", "Places won against the send offset"),
    ("book_p50", "seconds after the opening", "Time to book (p50) against the send offset"),
)


def speed_figure(trigger: str) -> str:
    """The file name of the places-won-against-burst plot under ``trigger``."""
    return f"speed_{trigger}.png"


def _by(rows: Sequence[dict[str, Any]], column: str, metric: str) -> str:
    columns = sorted({r[column] for r in rows})
    points = sorted({r["point"] for r in rows})
    cell = {(r["point"], r[column]): r for r in rows}
    return table(
        ["strategy", *(f"{c:+g}" if column == "offset" else str(c) for c in columns)],
        [[p, *(ci(cell[(p, c)], metric) for c in columns)] for p in points],
    )


def competition_markdown(scenario: Scenario, competition: Competition) -> str:
    plan, outside = scenario.experiment, scenario.outside
    clock = scenario.aimharder.clock_offset
    triggers = list(dict.fromkeys(r["trigger"] for r in competition.speed))
    tail = (
        f"then a Poisson tail of {outside.rate:g} per second for {outside.tail:g} s"
        if outside.rate > 0
        else "and no tail after it"
    )
    parts = [
        "## What speed buys",
        f"Other members and bots book every class from its opening on: a burst of K requests "
        f"sent uniformly over the first {outside.burst_spread:g} s and reaching AimHarder after "
        f"their own latency ({outside.latency.kind}), {tail}; they queue with ours for the "
        f"same capacity, in arrival order, under the same rules. Ours: {plan.world_load} "
        f"prebookings per class, {scenario.workload.capacity_ratio:.0%} as many places. Places "
        f"won: the share of our prebookings that got a place. {plan.world_replications} "
        "replications per point (fewer than the main sweep: these sections have many points).",
    ]
    for trigger in triggers:
        rows = [r for r in competition.speed if r["trigger"] == trigger]
        parts += [
            f"### Trigger `{trigger}`\n\n![places won, {trigger}](figures/{speed_figure(trigger)})",
            _by(rows, "burst", "places_won")
            + "\n\nColumns: outside requests per class (burst K); mean [95% interval].",
        ]
    parts += [
        "### Where each strategy starts losing places",
        table(
            ["trigger", "strategy", "places won, no outsiders", "starts losing at burst"],
            [
                [
                    r["trigger"],
                    r["strategy"],
                    num(r["base_places_won"]),
                    "not within the range" if r["losing_from"] is None else str(r["losing_from"]),
                ]
                for r in competition.losing
            ],
        ),
        "Starts losing: the smallest burst whose whole 95% interval of places won lies more "
        f"than {plan.losing_margin:g} below the strategy's places won with the smallest burst "
        "tested (every outsider who arrives before ours are done takes a place, so without a "
        "margin every strategy would lose at the first).",
        _headline(competition.speed, plan.offset_burst, triggers),
        _auto_under_demand(competition.speed, plan.offset_burst, triggers),
        "## Should the bot fire a little early? (clock offset)",
        "Each invocation starts at the send offset from AimHarder's window opening (negative: "
        "before it; the bot's view of the opening is off by that much, or it looks ahead by "
        f"that much), the minute cron for leftovers, {plan.offset_burst} outside requests per "
        f"class, {plan.world_load} of ours. On top, AimHarder's clock differs from the bot's "
        f"by an offset drawn per run, uniform on [{clock.low:+g}, {clock.high:+g}] s. A send "
        'that arrives before AimHarder\'s opening is answered "too early" and tried again '
        "while the budget allows (the configured back-off, at most a second apart, no cap on "
        "attempts), then handed to the next invocation; one that arrives late finds the "
        "outsiders' burst ahead of it.",
    ]
    for metric, label, title in OFFSET_FIGURES:
        parts += [
            f"### {title}\n\n![{title}](figures/offset_{metric}.png)",
            _by(competition.offsets, "offset", metric) + f"\n\nUnit: {label}; columns: send "
            "offset in seconds.",
        ]
    parts.append(_offset_answer(competition.offsets))
    return "\n\n".join(parts)


def _headline(speed: Sequence[dict[str, Any]], burst: int, triggers: Sequence[str]) -> str:
    lines = []
    for trigger in triggers:
        at = {r["point"]: r for r in speed if r["trigger"] == trigger and r["burst"] == burst}
        if at:
            shown = ", ".join(f"{p} {ci(r, 'places_won')}" for p, r in sorted(at.items()))
            lines.append(f"with a burst of {burst} under `{trigger}`: {shown}")
    return ("**Key numbers**, places won " + "; ".join(lines) + ".") if lines else ""


def _auto_under_demand(speed: Sequence[dict[str, Any]], burst: int, triggers: Sequence[str]) -> str:
    """``auto`` does not see the outsiders: it keeps its order among ours, which costs places
    wherever the fastest fixed strategy wins more."""
    lines = []
    for trigger in triggers:
        at = {r["point"]: r for r in speed if r["trigger"] == trigger and r["burst"] == burst}
        fixed = [p for p in at if p != AUTO]
        if AUTO in at and fixed:
            best = max(fixed, key=lambda p: at[p]["places_won"])
            lines.append(
                f"under `{trigger}`, auto {ci(at[AUTO], 'places_won')} against {best} "
                f"{ci(at[best], 'places_won')}"
            )
    if not lines:
        return ""
    return (
        "`auto` chooses its firing from our queue, the time left and the durations it has "
        "seen, not from the outsiders: it keeps ours in order and does not hurry when they take "
        f"places. Places won with a burst of {burst}, auto against the fixed strategy that wins "
        "most: " + "; ".join(lines) + "."
    )


def _offset_answer(offsets: Sequence[dict[str, Any]]) -> str:
    answers = []
    at_an_end = False
    for point in sorted({r["point"] for r in offsets}):
        rows = sorted((r for r in offsets if r["point"] == point), key=lambda r: r["offset"])
        best = max(rows, key=lambda r: (r["places_won"], -abs(r["offset"])))
        edge = ", the earliest tested," if best is rows[0] else ""
        edge = ", the latest tested," if best is rows[-1] else edge
        at_an_end = at_an_end or bool(edge)
        answers.append(f"{point} at {best['offset']:+g} s{edge} ({ci(best, 'places_won')})")
    beyond = " At an end of the range tested, the best may lie beyond it." if at_an_end else ""
    return (
        "**Answer**: per strategy, the send offset with the most places won: "
        + "; ".join(answers)
        + "."
        + beyond
        + ' Too early, a send is answered "too early" and waits out its back-off, so it '
        "can land behind the burst; too late, it lands behind the burst directly."
    )


def auto_markdown(rows: Sequence[dict[str, Any]], *, delta_places: float, delta_inv: float) -> str:
    both = sum(1 for r in rows if r["places_lost_within"] and r["inversion_rate_within"])
    return "\n\n".join(
        [
            "## `auto` against the best fixed strategy",
            "Per load of the main sweep, `auto` minus the fixed strategy with the best mean, "
            "paired by replication (same random numbers), with 95% intervals. Within δ: the "
            f"whole interval below +{delta_places:g} on places lost (1 - places won) and below "
            f"+{delta_inv:g} on the inversion rate. `auto` is within δ on both at {both} of "
            f"{len(rows)} loads. `python -m sim select --objective places-lost` (or "
            "`inversion-rate`) runs the KN selection on the same measures.",
            table(
                [
                    "load",
                    "fewest places lost",
                    "auto - best",
                    "within δ",
                    "fewest inversions",
                    "auto - best",
                    "within δ",
                ],
                [
                    [
                        str(r["load"]),
                        r["places_lost_best"],
                        ci(r, "places_lost_diff", 3),
                        "yes" if r["places_lost_within"] else "**no**",
                        r["inversion_rate_best"],
                        ci(r, "inversion_rate_diff", 4),
                        "yes" if r["inversion_rate_within"] else "**no**",
                    ]
                    for r in rows
                ],
            ),
        ]
    )
