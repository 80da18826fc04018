"""The world sections' sentences follow the scenario and the rows they are given."""

from __future__ import annotations

from typing import Any

from sim.experiments.outside_demand import Competition
from sim.report.outside_demand import auto_markdown, competition_markdown
from sim.scenario import Scenario


def measured(mean: float, **tag: Any) -> dict[str, Any]:
    """A summary row whose places won and p50 time to book are ``mean`` [mean - 0.01, + 0.01]."""
    row: dict[str, Any] = {"replications": 3, **tag}
    for metric in ("places_won", "book_p50"):
        row.update({metric: mean, f"{metric}_low": mean - 0.01, f"{metric}_high": mean + 0.01})
    return row


SCENARIO = Scenario.from_data(
    {
        "outside": {"burst_spread": 2.5, "rate": 0.5, "tail": 40.0},
        "aimharder": {"clock_offset": {"low": -0.25, "high": 0.75}},
        "experiment": {
            "world_load": 7,
            "world_replications": 3,
            "offset_burst": 9,
            "losing_margin": 0.125,
        },
    }
)
COMPETITION = Competition(
    speed=[
        measured(won, trigger="exact", point=point, burst=burst)
        for point, at_burst in (("auto", 0.4), ("sequential", 0.6), ("parallel", 0.55))
        for burst, won in ((0, 0.9), (9, at_burst))
    ],
    losing=[{"trigger": "exact", "strategy": "auto", "base_places_won": 0.9, "losing_from": 9}],
    offsets=[
        measured(won, point="sequential", offset=offset)
        for offset, won in ((-1.5, 0.2), (-0.5, 0.7), (0.25, 0.3))
    ],
)


def test_the_speed_and_offset_sections_follow_the_scenario() -> None:
    text = competition_markdown(SCENARIO, COMPETITION)
    assert "sent uniformly over the first 2.5 s" in text
    assert "then a Poisson tail of 0.5 per second for 40 s" in text
    assert "Ours: 7 prebookings per class" in text and "3 replications per point" in text
    assert "### Trigger `exact`" in text and "| strategy | 0 | 9 |" in text
    assert "| sequential | 0.90 [0.89, 0.91] | 0.60 [0.59, 0.61] |" in text
    assert "| exact | auto | 0.90 | 9 |" in text and "more than 0.125 below" in text
    assert "with a burst of 9 under `exact`: auto 0.40 [0.39, 0.41], parallel 0.55" in text
    assert "under `exact`, auto 0.40 [0.39, 0.41] against sequential 0.60 [0.59, 0.61]" in text
    assert "9 outside requests per class, 7 of ours" in text
    assert "uniform on [-0.25, +0.75] s" in text
    assert "| strategy | -1.5 | -0.5 | +0.25 |" in text
    assert "sequential at -0.5 s (0.70 [0.69, 0.71])." in text
    assert "the best may lie beyond it" not in text  # -0.5 is inside the range tested


def test_without_outsiders_after_the_burst_there_is_no_tail_and_no_auto_sentence() -> None:
    scenario = SCENARIO.variant(outside={"rate": 0.0})
    fixed = [r for r in COMPETITION.speed if r["point"] != "auto"]
    world = Competition(speed=fixed, losing=[], offsets=COMPETITION.offsets[:2])
    text = competition_markdown(scenario, world)
    assert "and no tail after it" in text and "Poisson" not in text
    assert "auto against the fixed strategy" not in text
    assert "sequential at -0.5 s, the latest tested, (0.70 [0.69, 0.71])" in text
    assert "the best may lie beyond it" in text


def test_the_auto_section_counts_the_loads_within_delta() -> None:
    rows = [
        {
            "load": load,
            "places_lost_best": "parallel",
            "places_lost_tied_with": "",
            "places_lost_diff": diff,
            "places_lost_diff_low": diff - 0.01,
            "places_lost_diff_high": diff + 0.01,
            "places_lost_within": within,
            "inversion_rate_best": "sequential",
            "inversion_rate_tied_with": "",
            "inversion_rate_diff": 0.0,
            "inversion_rate_diff_low": 0.0,
            "inversion_rate_diff_high": 0.0,
            "inversion_rate_within": True,
        }
        for load, diff, within in ((5, 0.02, True), (15, 0.2, False))
    ]
    text = auto_markdown(rows, delta_places=0.03, delta_inv=0.002)
    assert "below +0.03 on places lost" in text and "below +0.002 on the inversion" in text
    assert "within δ on both at 1 of 2 loads" in text
    assert "| 15 | parallel | 0.200 [0.190, 0.210] | **no** | sequential |" in text
