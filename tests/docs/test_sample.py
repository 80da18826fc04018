"""The sample report the documentation quotes is what its command gives now, and every quote of
its answer box is the box (issue 23, item 7: no report number copied by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.settings import DEFAULT_STRATEGY
from sim.report.sample import BEGIN, END, QuoteError, answer_box, quoted, without_run_facts
from sim.selection.objectives import FAIREST_SAFE

pytestmark = pytest.mark.long(60)  # seconds: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "sample"
QUOTING = (ROOT / "README.md", ROOT / "docs" / "report.md")
STALE = "stale: run make sample and commit docs/sample/, README.md and docs/report.md"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample made again, by the command `make sample` runs, from the same relative path."""
    out = tmp_path_factory.mktemp("sample")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "report",
            "--scenario",
            "docs/sample/scenario.toml",
            "--out",
            str(out),
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    return out


def test_the_sample_page_is_what_the_command_gives_now(fresh: Path) -> None:
    committed = (SAMPLE / "report.md").read_text("utf-8")
    made = (fresh / "report.md").read_text("utf-8")

    assert without_run_facts(committed) == without_run_facts(made), STALE


def test_the_sample_was_made_from_its_scenario(fresh: Path) -> None:
    committed = json.loads((SAMPLE / "data" / "run.json").read_text("utf-8"))
    made = json.loads((fresh / "data" / "run.json").read_text("utf-8"))
    facts = ("commit", "started", "seconds")

    assert {k: v for k, v in committed.items() if k not in facts} == {
        k: v for k, v in made.items() if k not in facts
    }, STALE
    scenario = (SAMPLE / "data" / "scenario.json").read_text("utf-8")
    assert scenario == (fresh / "data" / "scenario.json").read_text("utf-8"), STALE


@pytest.mark.parametrize("page", QUOTING, ids=lambda p: p.name)
def test_every_quote_is_the_fresh_answer_box(fresh: Path, page: Path) -> None:
    box = answer_box((fresh / "report.md").read_text("utf-8"))
    text = page.read_text("utf-8")

    assert text.count(BEGIN) == 1
    assert quoted(text, box) == text, f"{page.name}'s quote is {STALE}"


def test_the_answer_box_is_the_blockquote_under_its_heading() -> None:
    report = "# R\n\n## The answer\n\n> **A**\n>\n> - b\n\n![f](x.png)\n\n## Next\n> not it\n"

    assert answer_box(report) == "> **A**\n>\n> - b"


def test_a_report_without_the_answer_box_is_refused() -> None:
    with pytest.raises(QuoteError, match="The answer"):
        answer_box("# R\n\n## Results\n")


def test_a_quote_replaces_only_what_lies_between_its_markers() -> None:
    page = f"intro\n{BEGIN}\n> old\n{END}\nrest\n"

    assert quoted(page, "> new") == f"intro\n{BEGIN}\n> new\n{END}\nrest\n"
    with pytest.raises(QuoteError, match="markers"):
        quoted("no markers here\n", "> new")


def test_the_run_facts_are_set_aside_and_nothing_else() -> None:
    line = (
        "Made by prebooking-harness 0.1.0 (commit f57c8366afd2+changes) from `x.toml`, seed 1, "
        "executor process, started 2026-12-06T18:48:36Z and run in 60 s. 7.29 s."
    )

    assert without_run_facts(line) == (
        "Made by prebooking-harness VERSION (commit) from `x.toml`, seed 1, "
        "executor process, started WHEN and run in N s. 7.29 s."
    )


def test_the_schedulers_default_strategy_is_the_default_scenarios_answer() -> None:
    """The sample is the default scenario (checked against a fresh run above): wherever some
    strategy is safe, the scheduler's default is among the fairest safe."""
    rows = json.loads((SAMPLE / "data" / "selections.json").read_text())
    answers = [r["chosen"].split() for r in rows if r["objective"] == FAIREST_SAFE]
    assert any(answers)
    assert all(DEFAULT_STRATEGY in chosen for chosen in answers if chosen)
