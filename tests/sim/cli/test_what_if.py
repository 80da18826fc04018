"""A what-if (any scenario but the default) runs only its own experiments unless asked."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.experiments import quick
from sim.scenario import Scenario, ScenarioError

pytestmark = pytest.mark.long(10)  # seconds: see tests/conftest.py

WHAT_IF = """
name = "three-classes"
[workload]
minutes = 2
classes_per_minute = 3
[experiment]
replications = 2
loads = [2, 6]
stagger_gaps = [0.0, 0.2]
gap_load = 4
drain_minutes = 1
limits = [10.0, 60.0]
trigger_loads = [4]
trigger_replications = 1
# KN stops at 8 replications a strategy instead of 50: what is asserted here is which sections a
# what-if runs, not what KN chooses (three fifths of these tests' time at 50).
kn_max_replications = 8
"""


def _what_if(tmp_path: Path) -> Path:
    scenario = tmp_path / "three-classes.toml"
    scenario.write_text(WHAT_IF)
    return scenario


def test_a_what_if_runs_the_seed_tables_and_presets_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["report", "--scenario", str(_what_if(tmp_path)), "--out", str(out), "--quiet"]
    asked = ["--with-seed-tables", "--with-trigger-presets", "--replications", "2"]
    assert main([*argv, *asked, "--executor", "inline"]) == 0
    text = (out / "report.md").read_text()
    assert "## The seed's tables" in text and "## Which trigger and limit" in text
    assert "`--with-seed-tables`" not in text and "`--with-trigger-presets`" not in text
    assert "`--with-validation`" in text and "`--with-outside-demand`" in text
    assert (out / "figures" / "seed_ranges.png").stat().st_size > 0


def test_a_scenario_on_a_base_changes_only_what_it_names(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(WHAT_IF)
    (tmp_path / "slower.toml").write_text(
        'base = "base.toml"\nname = "slower"\n[workload]\nclasses_per_minute = 2\n'
    )
    base, slower = (Scenario.from_file(tmp_path / f) for f in ("base.toml", "slower.toml"))
    assert (slower.name, slower.workload.classes_per_minute) == ("slower", 2)
    assert slower.workload.minutes == base.workload.minutes == 2  # kept from the base's table
    assert slower.experiment == base.experiment


def test_a_base_that_leads_back_to_itself_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('base = "b.toml"\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\n')
    with pytest.raises(ScenarioError, match="bases in a row; expected a base that does not lead"):
        Scenario.from_file(tmp_path / "a.toml")


QUICK = """
name = "quick"
[workload]
minutes = 2
[experiment]
replications = 5
strategies = ["parallel", "sequential"]
loads = [2, 6]
stagger_gaps = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]
gap_load = 6
drain_minutes = 1
"""


def _counts(out: Path) -> tuple[set[int], int, int]:
    """(replications per sweep point, stagger gaps tried, the most KN took at any point)."""
    data = out / "data"
    sweep = json.loads((data / "sweep.json").read_text())
    gaps = json.loads((data / "stagger_gaps.json").read_text())
    selections = json.loads((data / "selections.json").read_text())
    kn = max(v for row in selections for k, v in row.items() if k.startswith("n_"))
    return {row["replications"] for row in sweep}, len(gaps), kn


@pytest.fixture(scope="module")
def quick_look(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """QUICK's report as the command makes it for a what-if (a quick look), with one setting
    changed on the command line and no section asked for: (the scenario file, the report's
    folder, what the command wrote to stderr). Made once: the three tests below only read it
    (a report costs a second or more, most of it its figures)."""
    folder = tmp_path_factory.mktemp("quick")
    scenario, out = folder / "quick.toml", folder / "out"
    scenario.write_text(QUICK)
    argv = ["report", "--scenario", str(scenario), "--out", str(out), "--executor", "inline"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main([*argv, "--quiet", "--set", "workload.minutes=1"]) == 0
    return scenario, out, err.getvalue()


def test_a_what_if_leaves_out_the_seed_tables_presets_and_real_runs_naming_each_flag(
    quick_look: tuple[Path, Path, str],
) -> None:
    _, out, err = quick_look
    text = (out / "report.md").read_text()
    assert "scenario `quick`" in text
    flags = ("--with-seed-tables", "--with-trigger-presets", "--with-validation")
    for flag in (*flags, "--with-outside-demand"):
        assert f"`{flag}`" in text
    assert "## The seed's tables" not in text
    assert "## Which trigger and limit" not in text
    assert "## What speed buys" not in text
    assert "## The simulation against real runs" not in text
    assert not (out / "data" / "validation.json").exists()
    assert not (out / "figures" / "seed_ranges.png").exists()
    assert json.loads((out / "data" / "seed_tables.json").read_text()) == []
    assert json.loads((out / "data" / "sweep.json").read_text())
    assert "report:" in err


def test_a_what_if_is_a_quick_look_and_says_how_to_get_the_full_one(
    quick_look: tuple[Path, Path, str],
) -> None:
    _, out, err = quick_look
    replications, gaps, kn = _counts(out)
    assert (replications, gaps) == ({quick.REPLICATIONS}, quick.GAPS)
    assert kn >= 5  # KN starts from the scenario's own count: it decides at full size
    text = (out / "report.md").read_text()
    assert "**A quick look**" in text
    assert "3 replications per point instead of the scenario's 5" in text
    assert "5 of its 7 stagger gaps" in text
    assert "the same command with `--full` runs the scenario's own" in text
    assert "--full for the scenario's own sizes" in err


def test_a_report_says_what_it_was_made_from_and_embeds_the_effective_scenario(
    quick_look: tuple[Path, Path, str],
) -> None:
    scenario, out, _ = quick_look
    run = json.loads((out / "data" / "run.json").read_text())
    assert run["scenario_file"] == str(scenario)
    assert run["scenario_sha256"] == hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert run["settings"] == ["workload.minutes=1"]
    assert (run["seed"], run["executor"]) == (1, "inline")
    effective = json.loads((out / "data" / "scenario.json").read_text())
    assert effective["workload"]["minutes"] == 1  # the --set, over the file's 2
    assert effective["experiment"]["strategies"] == ["parallel", "sequential"]
    text = (out / "report.md").read_text()
    assert "## About this run" in text and run["commit"] in text
    assert 'class="toc"' in (out / "report.html").read_text()


def test_full_runs_a_what_if_at_the_scenario_s_own_sizes(tmp_path: Path) -> None:
    scenario, out = tmp_path / "quick.toml", tmp_path / "out"
    scenario.write_text(QUICK)
    argv = ["report", "--scenario", str(scenario), "--out", str(out), "--executor", "inline"]
    assert main([*argv, "--quiet", "--full"]) == 0
    replications, gaps, kn = _counts(out)
    assert (replications, gaps) == ({5}, 7)
    assert kn >= 5
    assert "quick look" not in (out / "report.md").read_text()
