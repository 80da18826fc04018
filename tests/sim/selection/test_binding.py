"""What binds where no strategy is safe (``sim.selection.binding``), and the run that lifts it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.experiments.executors import Inline
from sim.experiments.grid import run_tasks, summarise, sweep_tasks
from sim.report.files import build_report
from sim.selection.binding import Bound, binding, lifted
from sim.selection.rules import safe_point
from sim.study import gather
from tests.sim.selection.worlds import FETCH_BOUND


def _row(point: str, **measures: float) -> dict[str, Any]:
    base = dict.fromkeys(("kill_rate", "skipped", "lost", "doubles"), 0.0)
    return {"point": point, "load": 6, **base, **measures}


def test_a_backlog_past_the_fetch_limit_names_the_limit_and_lifts_it_to_what_opens() -> None:
    rows = [_row("parallel", lost=4.0), _row("sequential", lost=7.0)]
    found = binding(FETCH_BOUND, 6, rows)
    assert (found.bound, found.value, found.ready, found.lift) == (Bound.FETCH_LIMIT, 5, 18, 18)
    lifted_scenario = found.applied(FETCH_BOUND)
    assert lifted_scenario.policy_for("parallel").limit == 18
    assert lifted_scenario.experiment.loads == [6]


def test_skips_or_kills_within_the_fetch_limit_name_the_platform_limit() -> None:
    roomy = FETCH_BOUND.variant(policy={"limit": 50})
    found = binding(roomy, 6, [_row("sequential", skipped=3.0, lost=1.0), _row("parallel")])
    assert (found.bound, found.value, found.lift) == (Bound.PLATFORM_LIMIT, 10.0, 60.0)
    assert found.applied(roomy).platform.max_duration == 60.0


def test_what_no_setting_lifts_is_named_and_not_tried() -> None:
    roomy = FETCH_BOUND.variant(policy={"limit": 50})
    found = binding(roomy, 6, [_row("parallel", doubles=1.0)])
    assert (found.bound, found.lift) == (Bound.OTHER, None)
    assert lifted(found, []).chosen is None


def test_the_lifted_run_finds_a_strategy_safe_where_none_was() -> None:
    before = summarise(run_tasks(FETCH_BOUND, sweep_tasks(FETCH_BOUND)))
    assert not any(safe_point(r) for r in before)
    found = binding(FETCH_BOUND, 6, before)
    lifted_scenario = found.applied(FETCH_BOUND)
    after = summarise(run_tasks(lifted_scenario, sweep_tasks(lifted_scenario)))
    outcome = lifted(found, after)
    assert outcome.chosen in {"parallel", "sequential"}
    assert outcome.book_p95 is not None and outcome.book_p95.mean > 0


def test_the_answer_names_what_binds_and_what_lifting_it_gives(tmp_path: Path) -> None:
    small = FETCH_BOUND.variant(experiment={"stagger_gaps": [0.0], "gap_load": 6})
    findings = gather(
        small, seed_scenario=None, presets=False, outside_demand=False, executor=Inline()
    )
    build_report(findings, tmp_path)
    box = (tmp_path / "report.md").read_text()
    box = box[box.index("## The answer") : box.index("## Words used here")]
    assert "**6 per class: no strategy is safe.**" in box
    assert "no more than 5 prebookings (`[policy] limit`) while 18 open each 60 s" in box
    (lift,) = findings.lifts
    assert f"Tried in this run with `limit = 18`: {lift.chosen} is then safe" in box


def test_the_answer_says_how_to_apply_it_and_when_to_fire(tmp_path: Path) -> None:
    roomy = FETCH_BOUND.variant(
        policy={"limit": 50}, experiment={"stagger_gaps": [0.0], "gap_load": 6}
    )
    findings = gather(
        roomy, seed_scenario=None, presets=False, outside_demand=False, executor=Inline()
    )
    build_report(findings, tmp_path)
    text = (tmp_path / "report.md").read_text()
    box = text[text.index("## The answer") : text.index("## Words used here")]
    fairest = {c.load: c.chosen for c in findings.selections if c.objective.name == "fairest-safe"}
    (chosen,) = {name for names in fairest.values() for name in names} or {"none"}
    assert f"`scheduler serve --strategy {chosen} --max-duration 10s`" in box
    assert f"`SCHEDULER_STRATEGY={chosen}`" in box
    assert "**When to fire**: at each window opening" in box
