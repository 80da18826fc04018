"""The answer box's advice: what the platform limit changes, read from the trigger presets for
the way of firing it advises, and said with the reason when a longer limit books later."""

from __future__ import annotations

import dataclasses

from sim.experiments.trigger_presets import presets
from sim.report.answer import advice, setting
from sim.report.rendering import render_markdown
from sim.scenario import Scenario
from sim.selection.triggers import FIRED_AND_CRON
from tests.sim.selection.test_triggers import row


def _rows(p95_at_10: float, p95_at_60: float) -> list[dict[str, object]]:
    return [
        row(FIRED_AND_CRON, 10, "auto", 30, book_p95=p95_at_10),
        row(FIRED_AND_CRON, 60, "auto", 30, book_p95=p95_at_60),
        row("cron-job.org", 60, "auto", 30, book_p95=99.0),  # another way to fire: not read
    ]


def _box(rows: list[dict[str, object]]) -> str:
    scenario = Scenario()
    # No ranges: the strategy the box would apply is given here (the ranges' test is elsewhere).
    given = dataclasses.replace(advice(scenario, [], [], rows), strategy="auto")
    return render_markdown("answer", s=setting(scenario), answers=[], advice=given)


def test_the_preset_the_advice_reads_is_one_the_report_runs() -> None:
    assert FIRED_AND_CRON in {preset.name for _, preset in presets()}


def test_the_limits_effect_is_said_from_the_fired_presets_rows() -> None:
    text = _box(_rows(5.0, 4.0))
    assert "**What the platform limit changes**" in text
    # One strategy, safe at every limit: named once, its time at each limit.
    assert "auto books 95% of its places within 5.0 s at a 10 s limit and 4.0 s at 60 s." in text
    assert "99.0" not in text
    assert "Later at the longer limit" not in text


def test_a_longer_limit_that_books_later_says_why() -> None:
    text = _box(_rows(5.0, 9.0))
    assert "9.0 s at 60 s. Later at the longer limit: with more time left `auto` sends" in text


def test_without_the_presets_nothing_is_said_of_the_limit() -> None:
    assert "What the platform limit changes" not in _box([])


def test_different_choices_per_limit_are_said_limit_by_limit() -> None:
    rows = _rows(5.0, 4.0)
    rows[1] = row(FIRED_AND_CRON, 60, "sequential", 30, book_p95=4.0)
    text = _box(rows)
    assert "at 10 s auto books 95% of its places within 5.0 s; at 60 s sequential books" in text
