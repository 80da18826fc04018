"""The model against real runs (mock in its own process, the real scheduler, SQLite), small."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from sim.cli.main import main
from sim.scenario import VALIDATION_SCENARIO, Scenario
from sim.validation.compare import compare

pytestmark = pytest.mark.long(28)  # seconds: see tests/conftest.py


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    scenario = Scenario.from_file(VALIDATION_SCENARIO)
    return compare(scenario, strategies=["sequential", "parallel"], load=6, replications=2).rows


def row(rows: list[dict[str, Any]], name: str, measure: str) -> dict[str, Any]:
    return next(r for r in rows if r["strategy"] == name and r["measure"] == measure)


def test_sequential_makespan_agrees(rows: list[dict[str, Any]]) -> None:
    makespan = row(rows, "sequential", "makespan")
    # Two runs a side in CI: the README's 10% verdict needs more; 25% still tells a model that is
    # right from one that is off by a whole booking (1 in 6 here).
    real, sim = float(makespan["real_p50"]), float(makespan["sim_p50"])
    assert abs(real - sim) <= 0.25 * max(real, sim)
    # six bookings of 200-500 ms, one after another, both ways
    assert 6 * 0.2 < real < 6 * 0.5 + 0.5


def test_order_promises_hold_both_ways(rows: list[dict[str, Any]]) -> None:
    sequential = row(rows, "sequential", "inversion_rate")
    assert (sequential["real_p90"], sequential["sim_p90"]) == (0.0, 0.0)
    parallel = row(rows, "parallel", "inversion_rate")
    assert float(parallel["real_p90"]) > 0 and float(parallel["sim_p90"]) > 0


def test_the_command_writes_the_comparison_and_refuses_bad_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:  # argparse refuses it, naming the choices
        main(["validate", "--strategies", "fifo", "--out", str(tmp_path)])
    assert refused.value.code == 2
    assert "'fifo'; expected one of auto, batched" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written
    argv = ["validate", "--strategies", "parallel", "--replications", "1", "--load", "3"]
    argv += ["--calibrate", "1"]
    assert main([*argv, "--out", str(tmp_path), "--quiet"]) == 0
    text = (tmp_path / "validation.md").read_text()
    assert "## The simulation against real runs" in text
    assert "machinery timed on 1 real invocations per strategy" in text
    # the machinery the model ran with, as a table a scenario can take
    timed = Scenario.from_data(tomllib.loads((tmp_path / "calibration.toml").read_text()))
    assert timed.client.connect_each.kind == "lognormal"
    assert (tmp_path / "validation.csv").read_text().startswith("strategy,measure")
