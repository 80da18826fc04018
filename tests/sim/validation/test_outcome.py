"""What a comparison of model and real runs found, in the words every output uses
(``sim.validation.outcome``): the verdict, ``sim validate``'s table and the report's section."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from sim.cli.main import main
from sim.cli.validate import VALIDATED, validation_table
from sim.report.sections import validation_markdown
from sim.selection.auto import AUTO
from sim.validation.equivalence import Equivalence
from sim.validation.outcome import Outcome, outcome, said

SHOWN = (-0.01, 0.02)  # real - simulated, 90% interval, against a margin of 0.05
STRADDLES = (-0.20, 0.01)
BEYOND = (0.30, 0.40)
WORDS = {
    SHOWN: "shown equivalent",
    STRADDLES: "not shown (4 runs; widen with --replications)",
    BEYOND: "differs",
}


def _row(strategy: str, measure: str, interval: tuple[float, float], **more: Any) -> dict[str, Any]:
    """A row of ``sim.validation.compare`` with 4 real runs, 20 simulated, margin 0.05."""
    low, high = interval
    row = {
        "strategy": strategy,
        "measure": measure,
        "real_runs": 4,
        "sim_runs": 20,
        "real_p10": 1.0,
        "real_p50": 1.1,
        "real_p90": 1.2,
        "sim_p10": 1.0,
        "sim_p50": 1.1,
        "sim_p90": 1.2,
        "real_mean": 1.1,
        "sim_mean": 1.1 - (low + high) / 2,
        "difference_low": low,
        "difference_high": high,
        "margin": 0.05,
        "timed_runs": 0,
    }
    return {**row, **more}


@pytest.mark.parametrize("interval", list(WORDS), ids=["shown", "not-shown", "differs"])
def test_each_outcome_has_its_words(interval: tuple[float, float]) -> None:
    assert said(_row("parallel", "makespan", interval)) == WORDS[interval]


@pytest.mark.parametrize(
    ("low", "high", "found"),
    [
        (-0.05, 0.05, Outcome.SHOWN_EQUIVALENT),  # the margin itself is within
        (0.051, 0.2, Outcome.DIFFERS),
        (-0.2, -0.051, Outcome.DIFFERS),
        (-0.2, 0.2, Outcome.NOT_SHOWN),  # wider than the margin on both sides
        (0.04, 0.2, Outcome.NOT_SHOWN),
    ],
)
def test_the_interval_against_the_margin_decides(low: float, high: float, found: Outcome) -> None:
    assert outcome(low, high, 0.05) is found
    check = Equivalence(real_mean=1.0, sim_mean=1.0, low=low, high=high, margin=0.05)
    assert check.outcome is found and check.agrees == (found is Outcome.SHOWN_EQUIVALENT)


def _all_three() -> list[dict[str, Any]]:
    return [
        _row("sequential", "makespan", SHOWN),
        _row("sequential", "time_to_book", STRADDLES),
        _row("sequential", "inversion_rate", BEYOND),
    ]


def test_the_report_s_section_says_the_words_and_its_own_option() -> None:
    text = validation_markdown(_all_three(), more_runs="--validation-replications")
    cells = [
        line.rsplit("|", 2)[1].strip() for line in text.splitlines() if "| sequential |" in line
    ]
    assert cells == [
        "shown equivalent",
        "not shown (4 runs; widen with --validation-replications)",
        "differs",
    ]
    assert "**no**" not in text and "| agrees |" not in text
    assert "*differs*: the whole interval lies beyond the margin" in text
    assert "widen with --replications" in validation_markdown(_all_three())  # sim validate's


def _table_lines(rows: list[dict[str, Any]]) -> list[str]:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(validation_table(rows, load=500))
    return console.export_text().splitlines()


def test_the_command_s_table_says_the_words_within_80_columns() -> None:
    # The widest numbers a row can show: a makespan near 100 s, its interval as wide.
    widest = {"real_mean": 99.999, "sim_mean": 99.999, "margin": 99.999}
    rows = [
        row
        for name in VALIDATED
        for row in (
            _row(name, "makespan", (-99.999, 99.999), **widest),
            _row(name, "time_to_book", STRADDLES),
            _row(name, "inversion_rate", BEYOND),
        )
    ]
    lines = [line.rstrip() for line in _table_lines(rows)]
    assert max(len(line) for line in lines) <= 80
    assert "…" not in "".join(lines)
    measured = [line for line in lines if line.startswith("  ")]
    assert [line.split("  ")[-1].strip() for line in measured] == [
        "shown equivalent",
        "not shown",
        "differs",
    ] * len(VALIDATED)
    assert measured[0].split() == [
        "makespan",
        "99.999",
        "99.999",
        "[-99.999,",
        "+99.999]",
        "±99.999",
        "shown",
        "equivalent",
    ]
    # What "not shown" says in full, once, under the table.
    assert "not shown (4 runs; widen with --replications): " in " ".join(" ".join(lines).split())


def test_auto_is_validated_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert AUTO in VALIDATED
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    strategies = help_text[help_text.index("--strategies NAME [NAME ...] the") :]  # its help
    default = strategies[strategies.index("(default: ") :].split(")")[0]
    assert AUTO in default.split()
