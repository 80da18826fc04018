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
        ((), False, "none: every system was ruled out"),
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
