"""``python -m sim select``: the choice, each strategy's mean with its unit and 95% interval, and
the paired differences from the choice, at 80 columns."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from sim.cli.main import main
from sim.cli.select import standing_table
from sim.model.summary import Measure
from sim.selection.objectives import OBJECTIVES, PairedDifference
from sim.selection.standing import Outcome, Standing
from sim.stats import Estimate

# Booking latencies from 0.05 to 1 s: parallel inverts about half its pairs, sequential none.
SPREAD = (
    'name = "spread"\n'
    '[aimharder]\nbook = { inbound = { kind = "uniform", low = 0.05, high = 1.0 } }\n'
    '[workload]\nminutes = 1\n[experiment]\nstrategies = ["parallel", "sequential"]\n'
    "replications = 5\n"
)


WHERE = "500 per class, a scenario with a long name"


def _rendered(table: object) -> list[str]:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text().splitlines()


def _standings(scale: float = 1.0) -> list[Standing]:
    """The widest numbers a share can print (``scale`` 1): means near 1, differences near -1."""
    best = Estimate(mean=0.001 * scale, low=0.0, high=0.003 * scale, n=200)
    worse = Estimate(mean=0.998 * scale, low=0.990 * scale, high=1.0 * scale, n=200)
    difference = PairedDifference(
        a="staggered",
        b="sequential",
        mean=-0.997 * scale,
        low=-0.999 * scale,
        high=-0.995 * scale,
        n=200,
    )
    return [
        Standing(strategy="sequential", outcome=Outcome.CHOSEN, mean=best, difference=None),
        Standing(
            strategy="staggered", outcome=Outcome.ELIMINATED, mean=worse, difference=difference
        ),
        Standing(strategy="parallel", outcome=Outcome.RULED_OUT, mean=None, difference=None),
    ]


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_the_table_names_the_unit_of_every_objective_and_fits_80_columns(name: str) -> None:
    objective = OBJECTIVES[name]
    # Seconds up to 999 (a p95 past the platform's limit), shares up to 1, counts to 99.
    scale = 1.0 if objective.quantity.is_share else 999.0 if objective.unit else 99.0
    lines = _rendered(
        standing_table(_standings(scale), objective, versus="sequential", where=WHERE)
    )
    assert max(len(line) for line in lines) <= 80
    text = " ".join(" ".join(lines).split())  # headers may wrap: read them as words
    assert "…" not in text
    assert text.startswith(f"{objective.label} ({objective.quantity.unit}), {WHERE}")
    assert "strategy runs mean [95%] minus sequential [95%] KN" in text


def test_a_difference_and_a_mean_print_with_their_intervals() -> None:
    lines = _rendered(
        standing_table(_standings(), OBJECTIVES["inversion-rate"], versus="sequential", where=WHERE)
    )
    staggered = next(line for line in lines if line.split()[:1] == ["staggered"])
    assert staggered.split() == [
        "staggered",
        "200",
        "0.998",
        "[0.990,",
        "1.000]",
        "-0.997",
        "[-0.999,",
        "-0.995]",
        "eliminated",
    ]
    parallel = next(line for line in lines if line.split()[:1] == ["parallel"])
    assert parallel.split() == ["parallel", "-", "-", "-", "not", "safe"]


def test_objectives_count_in_the_units_of_the_measures() -> None:
    assert OBJECTIVES["p95-time-to-book"].quantity is Measure.BOOK_P95
    assert OBJECTIVES["p95-time-to-book"].unit == "s"  # the phrases' symbol, from the measure
    assert OBJECTIVES["places-lost"].quantity.unit == Measure.PLACES_WON.unit
    assert OBJECTIVES["inversion-rate"].unit == ""


def test_the_command_prints_the_choice_means_and_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spread.toml"
    path.write_text(SPREAD, encoding="utf-8")
    argv = ["select", "--scenario", str(path), "--load", "8", "--objective", "inversion-rate"]
    assert main([*argv, "--processes", "1"]) == 0
    out = capsys.readouterr().out
    lines = [line.rstrip() for line in out.splitlines()]
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "inversion rate (share of same-class pairs), 8 per class, spread"
    assert lines[-1] == "chosen: sequential (delta 0.01, PCS >= 95%)"
    sequential = next(line for line in lines if line.split()[:1] == ["sequential"])
    assert sequential.split()[2:] == ["0.000", "[0.000,", "0.000]", "-", "chosen"]
    parallel = next(line for line in lines if line.split()[:1] == ["parallel"])
    assert parallel.split()[5].startswith("+")  # parallel minus sequential: more inversions

    assert main([*argv, "--processes", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == Measure.INVERSION_RATE.unit
    by_name = {s["strategy"]: s for s in data["standings"]}
    assert by_name["sequential"]["minus_chosen"] is None
    minus = by_name["parallel"]["minus_chosen"]
    assert minus["chosen"] == "sequential" and 0 < minus["low"] <= minus["mean"] <= minus["high"]
    assert by_name["parallel"]["mean"]["n"] >= data["replications"]["parallel"]
