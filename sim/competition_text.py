"""The report's words on the world around the bot (``sim.competition``), in Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.competition import Competition
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
    parts = [
        "## What speed buys",
        f"Other members and bots book every class from its opening on: a burst of K requests "
        f"sent uniformly over the first {outside.burst_spread:g} s and reaching AimHarder after "
        f"their own latency ({outside.latency.kind}), then a Poisson tail of {outside.rate:g} "
        f"per second for {outside.tail:g} s; they queue with ours for the same capacity, in "
        f"arrival order, under the same rules. Ours: {plan.world_load} prebookings per class, "
        f"{scenario.workload.capacity_ratio:.0%} as many places. Places won: the share of our "
        f"prebookings that got a place. {plan.world_replications} replications per point (a "
        "smaller grid than the main sweep, so that the whole report stays under a minute).",
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
        "Starts losing: the smallest burst whose whole 95% interval of places won lies below "
        "the strategy's places won with the smallest burst tested.",
        _headline(competition.speed, plan.offset_burst, triggers),
        "## Should the bot fire a little early? (clock offset)",
        "Each invocation starts at the send offset from AimHarder's window opening (negative: "
        "before it; the bot's view of the opening is off by that much, or it looks ahead by "
        f"that much), the minute cron for leftovers, {plan.offset_burst} outside requests per "
        f"class, {plan.world_load} of ours. On top, AimHarder's clock differs from the bot's "
        f"by an offset drawn per run, uniform on [{clock.low:+g}, {clock.high:+g}] s. A send "
        'that arrives before AimHarder\'s opening is answered "too early" and retried within '
        "the budget (attempts and back-off as configured); one that arrives late finds the "
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


def _offset_answer(offsets: Sequence[dict[str, Any]]) -> str:
    answers = []
    for point in sorted({r["point"] for r in offsets}):
        rows = sorted((r for r in offsets if r["point"] == point), key=lambda r: r["offset"])
        best = max(rows, key=lambda r: (r["places_won"], -abs(r["offset"])))
        answers.append(f"{point} wins most at {best['offset']:+g} s ({ci(best, 'places_won')})")
    return (
        "**Answer**: per strategy, the send offset with the most places won: "
        + "; ".join(answers)
        + '. Earlier than the retries can cover ends in "too early" failures; later hands '
        "places to the burst."
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
