"""``python -m sim compare``: the answer under each scenario, and paired differences that come
from common random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.comparison import compare_scenarios
from sim.model.summary import Measure
from sim.scenario import Scenario

pytestmark = pytest.mark.long(10)  # seconds: see tests/conftest.py

# Three classes of 6 open each minute and one invocation takes at most 5: a backlog grows, so
# no strategy is safe; with the fetch limit at 50 every one is.
SMALL = """
name = "small"
[workload]
minutes = 2
classes_per_minute = 3
[policy]
limit = 5
[experiment]
replications = 3
loads = [6]
strategies = ["auto", "sequential"]
drain_minutes = 1
kn_max_replications = 6
"""


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def test_lifting_the_fetch_limit_changes_the_answer_and_says_by_how_much(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["compare", str(_scenario(tmp_path)), "--set", "policy.limit=50", "--out", str(out)]
    assert main([*argv, "--quiet", "--executor", "inline"]) == 0
    text = capsys.readouterr().out
    assert "**The answer changes** at 6 per class." in text
    assert "| 6 | none safe | " in text
    assert (out / "comparison.md").read_text() == text
    changes = json.loads((out / "data" / "changes.json").read_text())
    lost = [c for c in changes if c["measure"] == Measure.LOST.column]
    assert lost and all(c["other_minus_base_high"] < 0 for c in lost)  # fewer left unfinished
    [answer] = json.loads((out / "data" / "answers.json").read_text())
    assert answer["changed"] and not answer["base_chosen"] and answer["other_chosen"]


def test_a_scenario_against_itself_changes_nothing_in_any_replication(tmp_path: Path) -> None:
    scenario = Scenario.from_file(_scenario(tmp_path))
    comparison = compare_scenarios(scenario, scenario)
    assert not comparison.answer_changed
    assert not comparison.plan_replaced
    assert comparison.changes and all(c.unchanged for c in comparison.changes)
    assert not any(c.separated for c in comparison.changes)


def test_the_other_plan_is_set_aside_so_that_both_meet_the_same_draws(tmp_path: Path) -> None:
    scenario = Scenario.from_file(_scenario(tmp_path))
    other = scenario.with_keys({"experiment.seed": 7})
    comparison = compare_scenarios(scenario, other)
    assert comparison.plan_replaced
    assert comparison.other.experiment == scenario.experiment
    assert all(c.unchanged for c in comparison.changes)  # the seed was all that differed


def test_base_alone_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(_scenario(tmp_path)), "--quiet"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "nothing to compare" in line and "--set" in line
