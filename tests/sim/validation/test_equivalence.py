"""Equivalence within a margin: what "the model agrees with real runs" means."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.validation.equivalence import MARGINS, Margin, equivalence, verdict


def test_samples_from_one_distribution_agree_and_a_shift_beyond_the_margin_does_not() -> None:
    rng = np.random.default_rng(1)
    real = list(rng.normal(3.0, 0.1, size=20))
    same = list(rng.normal(3.0, 0.1, size=100))
    shifted = [v + 0.5 for v in same]  # 17% of 3 s: beyond the 10% margin
    assert equivalence(real, same, MARGINS["makespan"]).agrees
    check = equivalence(real, shifted, MARGINS["makespan"])
    assert not check.agrees
    assert check.high < 0 and check.margin == 0.1 * check.real_mean


def test_rates_near_zero_are_judged_by_the_absolute_floor() -> None:
    real, sim = [0.0, 0.02, 0.0, 0.01] * 5, [0.01, 0.0, 0.03, 0.0] * 25
    check = equivalence(real, sim, MARGINS["inversion_rate"])
    assert check.margin == 0.05  # 20% of 0.0075 would be 0.0015: no model could show that
    assert check.agrees


def test_too_few_runs_are_never_read_as_agreement() -> None:
    assert not equivalence([1.0], [1.0, 1.0, 1.0], Margin(relative=0.5, floor=1.0)).agrees
    noisy = equivalence([0.0, 1.0], [0.5, 0.4, 0.6], Margin(relative=0.1, floor=0.05))
    assert not noisy.agrees  # equal means, but an interval far wider than the margin


def _row(name: str, measure: str, low: float, high: float) -> dict[str, Any]:
    """A row of ``compare`` as far as the verdict reads it: 4 real runs, a margin of 0.05."""
    return {
        "strategy": name,
        "measure": measure,
        "difference_low": low,
        "difference_high": high,
        "margin": 0.05,
        "real_runs": 4,
    }


def test_the_verdict_names_what_was_not_shown_and_what_differs() -> None:
    rows = [
        _row("parallel", "makespan", -0.01, 0.02),
        _row("parallel", "inversion_rate", 0.30, 0.40),
        _row("auto", "makespan", -0.20, 0.01),
        _row("auto", "time_to_book", 0.01, 0.10),
    ]
    assert verdict(rows) == (
        "verdict: 1 of 4 shown equivalent; not shown (4 runs; widen with --replications): "
        "auto makespan, auto time_to_book; differs: parallel inversion_rate"
    )
    assert verdict(rows[:1]) == (
        "verdict: all 1 shown equivalent (every 90% interval of real - simulated within its margin)"
    )
    assert "widen with --validation-replications" in verdict(rows, "--validation-replications")


def test_runs_all_equal_on_one_side_still_get_an_interval() -> None:
    # Two real runs inverting the same pairs: no variance on that side, none lost on the other.
    check = equivalence([0.4, 0.4], [0.3, 0.5, 0.45], Margin(relative=0.2, floor=0.05))
    assert check.low < -0.05 and check.high > 0.05  # the simulated side's spread is kept
    assert not check.agrees
