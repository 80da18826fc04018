"""The one rule set (``sim.selection.rules``): what is safe, fairest and fastest, the same for
every producer of an answer."""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.experiments.grid import run_tasks, summarise, sweep_tasks
from sim.model.summary import Summary
from sim.model.trigger import TriggerMeasures
from sim.report.rendering import render_markdown
from sim.selection import rules
from sim.selection.objectives import OBJECTIVES
from sim.selection.per_load import recommend
from sim.selection.triggers import preset_choices
from tests.sim.selection.worlds import FETCH_BOUND

CLEAN = Summary(
    strategy="parallel",
    load=5,
    replication=0,
    invocations=4,
    busy_invocations=2,
    killed=0,
    kill_rate=0.0,
    skipped=0,
    skipped_prebookings=0,
    makespan_mean=1.0,
    makespan_max=1.5,
    inversions=0,
    inversion_rate=0.0,
    unfair=0,
    placed=4,
    requests=5,
    places_won=0.8,
    clock_offset=0.0,
    book_p50=0.5,
    book_p95=1.0,
    book_p99=1.2,
    lost=0,
    executing=0,
    doubles=0,
    orphans=0,
    trigger=TriggerMeasures(
        deliveries=4,
        dropped=0,
        delivered_twice=0,
        duplicates_seen=0,
        calls_failed=0,
        call_fail_share=0.0,
        failure_streak=0,
        trigger_disabled=0,
        disabled_at=None,
    ),
)


def test_a_replication_is_safe_only_when_nothing_of_the_rule_happened() -> None:
    assert rules.safe(CLEAN)
    unsafe = {
        "kill_rate": dataclasses.replace(CLEAN, killed=1, kill_rate=0.5),
        "doubles": dataclasses.replace(CLEAN, doubles=1),
        "skipped": dataclasses.replace(CLEAN, skipped=1, skipped_prebookings=1),
        "lost": dataclasses.replace(CLEAN, lost=1),
    }
    assert set(unsafe) == set(rules.UNSAFE_WHEN)
    for measure, summary in unsafe.items():
        assert not rules.safe(summary), measure


def test_an_unfinished_prebooking_rules_a_replication_out_of_the_safe_objectives() -> None:
    unfinished = dataclasses.replace(CLEAN, lost=3)
    for name in ("fastest-safe", "fairest-safe"):
        assert OBJECTIVES[name].measure(CLEAN) is not None
        assert OBJECTIVES[name].measure(unfinished) is None, name


def test_ties_break_in_the_one_order_and_last_by_name() -> None:
    row = {"inversion_rate": 0.1, "unfair": 2.0, "book_p95": 3.0}
    same = sorted(["sequential", "auto", "parallel"], key=lambda n: rules.fairest_key(row, n))
    assert same == ["auto", "parallel", "sequential"]
    fewer_unfair = {**row, "unfair": 1.0, "book_p95": 9.0}
    assert rules.fairest_key(fewer_unfair, "z") < rules.fairest_key(row, "a")
    assert rules.fastest_key(row, "z") < rules.fastest_key(fewer_unfair, "a")


def _trigger_row(strategy: str, load: int, **measures: float) -> dict[str, Any]:
    base = dict.fromkeys(("kill_rate", "skipped", "lost", "doubles", "unfair"), 0.0)
    return {
        "preset": "p",
        "limit": 10.0,
        "budget": 10.0,
        "strategy": strategy,
        "load": load,
        **base,
        "inversion_rate": 0.0,
        "book_p95": 5.0,
        "undecided_share": 0.0,
        "call_fail_share": 0.0,
        "trigger_disabled": 0.0,
        **measures,
    }


def test_the_trigger_presets_call_a_strategy_with_unfinished_prebookings_unsafe() -> None:
    rows = [
        _trigger_row("parallel", 10),
        _trigger_row("parallel", 30, lost=12.0, undecided_share=0.1),
        _trigger_row("sequential", 10, inversion_rate=0.01),
        _trigger_row("sequential", 30, inversion_rate=0.01, book_p95=9.0),
    ]
    (choice,) = preset_choices(rows)
    assert (choice.strategy, choice.safe) == ("sequential", True)


def test_when_the_fetch_limit_binds_nothing_with_unfinished_prebookings_is_chosen_as_safe() -> None:
    scenario = FETCH_BOUND
    results = run_tasks(scenario, sweep_tasks(scenario))
    rows = summarise(results)
    assert all(r["lost"] > 0 for r in rows)
    assert not any(rules.safe_point(r) for r in rows)
    assert all(c["safe"] == [] for c in rules.choices_by_load(rows))
    choices, _ = recommend(scenario, results)
    cell = {c.objective.name: c for c in choices}
    assert cell["fairest-safe"].chosen == ()
    assert cell["fastest-safe"].chosen == ()


def test_the_report_defines_each_decision_word_as_the_rules_do() -> None:
    glossary = render_markdown("glossary", used=lambda *terms: True)
    for word in rules.WORDS:
        assert " ".join(word.meaning.split()) in " ".join(glossary.split()), word.name
