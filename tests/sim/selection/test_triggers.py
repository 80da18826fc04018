"""The "which trigger and limit" rules on rows whose answer is known by construction."""

from __future__ import annotations

from typing import Any

from sim.experiments.trigger_presets import presets, under
from sim.report.triggers import section_markdown
from sim.scenario import Scenario
from sim.selection.triggers import TOO_LATE, preset_choices


def row(preset: str, limit: float, strategy: str, load: int, **measures: float) -> dict[str, Any]:
    base = {
        "kill_rate": 0.0,
        "skipped": 0.0,
        "lost": 0.0,
        "doubles": 0.0,
        "inversion_rate": 0.0,
        "unfair": 0.0,
        "book_p95": 5.0,
        "undecided_share": 0.0,
        "call_fail_share": 0.0,
        "trigger_disabled": 0.0,
        "failure_streak_max": 0,
        "duplicates_seen": 0.0,
    }
    point = {"preset": preset, "limit": limit, "budget": limit, "strategy": strategy}
    return {**point, "load": load, **base, **measures}


def test_the_fairest_strategy_safe_at_every_load_is_recommended() -> None:
    rows = [
        row("p", 10, "sequential", 10),
        row("p", 10, "sequential", 30, skipped=4.0, lost=4.0, undecided_share=0.1),
        row("p", 10, "staggered", 10, inversion_rate=0.02),
        row("p", 10, "staggered", 30, inversion_rate=0.03, book_p95=2.0),
        row("p", 10, "parallel", 10, inversion_rate=0.4),
        row("p", 10, "parallel", 30, inversion_rate=0.5, book_p95=1.0),
    ]
    (choice,) = preset_choices(rows)
    assert (choice.strategy, choice.safe, choice.book_p95) == ("staggered", True, 2.0)


def test_with_none_safe_the_least_undecided_is_named_and_marked() -> None:
    rows = [
        row("p", 10, "sequential", 30, skipped=9.0, lost=9.0, undecided_share=0.3),
        row("p", 10, "parallel", 30, kill_rate=0.5, lost=2.0, undecided_share=0.1),
    ]
    (choice,) = preset_choices(rows)
    assert (choice.strategy, choice.safe) == ("parallel", False)


def test_a_preset_that_leaves_most_undecided_at_every_limit_cannot_serve() -> None:
    rows = [
        row("daily", limit, s, 30, lost=40.0, undecided_share=share)
        for limit, share in ((10, 0.9), (60, 0.7))
        for s in ("sequential", "parallel")
    ] + [row("minute", 10, "sequential", 30)]
    # fired by luck in some runs at a light load: the heavier load still counts
    rows += [row("daily", 10, s, 10, lost=5.0, undecided_share=0.5) for s in ("sequential",)]
    served = {c.preset: c.serves for c in preset_choices(rows)}
    assert served == {"daily": False, "minute": True}
    text = section_markdown(rows, Scenario())
    assert "**Cannot serve this bot**: daily." in text
    # One serving row: its recommendation is said once, above the table, not in a column.
    assert "Recommended at every trigger and limit below: **sequential**" in text
    assert "| minute | 10 s (10 s) | 5.0 |" in text
    assert "| daily |" not in text


def test_a_preset_that_books_only_too_late_is_flagged_and_not_recommended() -> None:
    rows = [row("hourly", limit, "auto", 30, book_p95=1214.0) for limit in (10, 60)] + [
        row("minute", limit, "auto", 30, book_p95=b) for limit, b in ((10, 5.0), (60, 9.0))
    ]
    text = section_markdown(rows, Scenario())
    assert "**Books too late to matter**: hourly (its best: auto at a 10 s limit" in text
    assert f"Past {TOO_LATE:g} s other members have taken the places" in text
    assert "| hourly |" not in text
    # minute's auto books later at the longer limit: the page says why, once.
    assert "A longer limit books later here (minute)" in text


def test_a_preset_keeps_the_report_world_and_brings_its_trigger_and_horizon() -> None:
    base = Scenario.from_file("sim/scenarios/default.toml")
    github = dict(presets())["github-actions"]
    scenario = under(base, github, 60.0)
    assert scenario.cron == github.cron and scenario.database == base.database
    assert scenario.experiment.drain_minutes == 60
    assert scenario.policy_for("sequential").budget == 60.0


def test_the_section_names_the_scenarios_limits_loads_and_presets() -> None:
    scenario = Scenario.from_data(
        {"experiment": {"limits": [7.5, 42.0], "trigger_loads": [3, 11], "trigger_replications": 4}}
    )
    rows = [
        row("every-second", 7.5, "staggered", 11, failure_streak_max=5, book_p95=3.5),
        row("every-second", 7.5, "staggered", 3, duplicates_seen=1.0, doubles=2.0),
        row("weekly", 42.0, "parallel", 11, lost=9.0, undecided_share=0.8),
    ]
    text = section_markdown(rows, scenario)
    assert "platform limits of 7.5, 42 s" in text
    assert "3, 11 prebookings per class, 4 replications per point" in text
    assert "| every-second | 7.5 s (7.5 s) | staggered (none safe) | 3.5 |" in text
    assert "**Cannot serve this bot**: weekly." in text
    assert "Longest run of failed calls: 5 (every-second, 7.5 s, staggered, 11 per class)" in text
    assert "seen at 1 point (every-second)" in text and "booked twice at any of them is 2" in text
    for fixed in ("10, 60", "300 s", "| minute |", "daily"):
        assert fixed not in text
