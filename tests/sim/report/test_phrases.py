"""The short phrases of ``sim/report/templates/phrases.j2``: KN's verdicts, paired differences, plot
titles and units, word for word as the report and ``sim select`` print them."""

from __future__ import annotations

import math

import jinja2
import pytest

from sim.model.summary import Measure
from sim.report.outside_demand import OFFSET_FIGURES
from sim.report.rendering import phrase
from sim.report.sections import METRIC_FIGURES
from sim.selection.kn import Selection
from sim.selection.objectives import PairedDifference


def _selection(chosen: tuple[str, ...], *, identical: bool = False) -> Selection:
    return Selection(
        chosen=chosen,
        delta=0.5,
        alpha=0.05,
        n0=10,
        replications={"auto": 12, "batched": 50, "parallel": 3},
        means={},
        identical=identical,
        bounded=len(chosen) > 1 and not identical,
        ruled_out=(),
    )


@pytest.mark.parametrize(
    ("chosen", "identical", "words"),
    [
        ((), False, "none: every strategy was ruled out (none was safe in every replication)"),
        (("auto",), False, "auto (delta 0.5, PCS >= 95%)"),
        (("auto", "batched"), True, "any of auto, batched: equal in every replication"),
        (
            ("auto", "batched", "parallel"),
            False,
            "any of auto, batched, parallel: not separated within 50 replications (delta 0.5, "
            "PCS >= 95% that the best or one within delta is among them)",
        ),
    ],
)
def test_a_verdict_names_the_choice_its_delta_and_pcs(
    chosen: tuple[str, ...], identical: bool, words: str
) -> None:
    assert phrase("verdict", _selection(chosen, identical=identical)) == words


@pytest.mark.parametrize(
    ("unit", "words"),
    [
        ("s", "sequential - parallel, p95 time to book: +4.85 s [+4.70, -0.00]"),
        ("", "sequential - parallel, p95 time to book: +4.846 [+4.702, -0.000]"),
    ],
)
def test_a_paired_difference_shows_its_sign_and_two_or_three_digits(unit: str, words: str) -> None:
    difference = PairedDifference(
        a="sequential", b="parallel", mean=4.846, low=4.7021, high=-0.0, n=10
    )
    assert phrase("difference", difference, "p95 time to book", unit) == words


def test_a_difference_that_is_not_a_number_reads_nan() -> None:
    nan = math.nan
    difference = PairedDifference(a="a", b="b", mean=nan, low=nan, high=nan, n=2)
    assert phrase("difference", difference, "unfair outcomes", "") == (
        "a - b, unfair outcomes: +nan [+nan, +nan]"
    )


def test_every_plotted_measure_has_a_title_and_a_unit_on_one_line() -> None:
    names = [*METRIC_FIGURES, *(f"offset_{m}" for m in OFFSET_FIGURES)]
    names += ["stagger_gap", "seed_ranges", "tradeoff"]
    titles = [phrase("title", name) for name in names]
    units = [Measure(m).unit for m in (*METRIC_FIGURES, *OFFSET_FIGURES)]
    assert all(t and "\n" not in t for t in titles + units)
    assert len(set(titles)) == len(titles)
    assert phrase("title", "speed", trigger="cron") == (
        "What speed buys: places won as outside demand grows (cron)"
    )


def test_a_figure_without_a_title_fails_instead_of_a_blank_title() -> None:
    with pytest.raises(jinja2.UndefinedError):
        phrase("title", "no_such_figure")


def _heaviest(point: str, *, skipped: float, lost: float) -> dict[str, float | str]:
    return {"point": point, "skipped": skipped, "skipped_prebookings": skipped / 2,
            "book_p95": 9.0, "kill_rate": 0.0, "lost": lost, "doubles": 0.0}  # fmt: skip


def test_the_partial_work_answer_concludes_from_the_unfinished_counts_beside_it() -> None:
    finished = [
        _heaviest("auto", skipped=0.0, lost=0.0),
        _heaviest("sequential", skipped=4.0, lost=0.0),
    ]
    text = phrase("partial_work", 50, finished)
    assert "sequential skips 4.0 times per run (2.0 prebookings skipped at least once)" in text
    assert "Nothing was left unfinished when the run ended" in text
    # The case the issue found: the page said nothing was lost beside 143.5 unfinished.
    left = [
        _heaviest("auto", skipped=0.0, lost=0.0),
        _heaviest("sequential", skipped=4.0, lost=143.5),
    ]
    text = phrase("partial_work", 50, left)
    assert "unfinished 143.5 prebookings per run" in text
    assert "sequential left prebookings unfinished when the run ended" in text
    assert "Nothing was left" not in text and "auto left" not in text
