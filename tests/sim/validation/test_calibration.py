"""The machinery measured on real invocations, and the model's tables fitted to it."""

from __future__ import annotations

import math
import statistics
import tomllib

import numpy as np
import pytest

from mock_aimharder.model.distributions import Fixed, LogNormal
from sim.cli.main import main
from sim.scenario import Scenario
from sim.validation.calibration import (
    Machinery,
    calibrated,
    calibration,
    calibration_toml,
    measure,
    quantities,
)


def lognormal_sample(median: float, mean: float, size: int, seed: int) -> list[float]:
    sigma = math.sqrt(2 * math.log(mean / median))
    return list(np.random.default_rng(seed).lognormal(math.log(median), sigma, size))


def synthetic() -> Machinery:
    """Every component drawn from a log-normal of known median and mean (seconds)."""
    machinery = Machinery()
    draw = iter(range(100))

    def fill(what: str, median: float, mean: float) -> None:
        machinery.samples[what] = lognormal_sample(median, mean, 4000, next(draw))

    fill("start-up", 0.001, 0.004)
    for query in ("find_ready", "claim", "get_session", "mark_result"):
        fill(f"store {query}", 0.002, 0.003)
    for name in ("sequential", "staggered"):
        fill(f"{name}: turn", 0.001, 0.004)
        fill(f"{name}: thread hand-off", 0.001, 0.004)
        fill(f"{name}: send, later", 0.003, 0.005)
        fill(f"{name}: answer back", 0.002, 0.003)
        # a first send: the usual send plus opening a connection of about 6 ms
        machinery.samples[f"{name}: send, first"] = [0.003 + 0.006] * 50
    # parallel's ten connections in one round: 6 ms + 9 x 2 ms, then the send; its hand-offs
    # include queueing for the one store thread, which the model has as the database's own
    machinery.samples["parallel: send, later"] = [0.006 + 9 * 0.002 + 0.003] * 90
    machinery.samples["parallel: thread hand-off"] = [0.05] * 90
    return machinery


def test_each_component_becomes_a_lognormal_with_its_median_and_mean() -> None:
    tables = calibration(synthetic(), load=10)
    handoff = tables["client"]["handoff"]  # from the strategies that never queue for it
    assert quantities(handoff)[0] == pytest.approx(0.001, rel=0.1)
    assert quantities(handoff)[1] == pytest.approx(0.004, rel=0.15)
    assert quantities(tables["client"]["send"])[0] == pytest.approx(0.003, rel=0.1)
    assert quantities(tables["client"]["connect"])[0] == pytest.approx(0.006, rel=0.1)
    assert quantities(tables["client"]["connect_each"])[0] == pytest.approx(0.002, rel=0.1)
    assert quantities(tables["database"]["claim"])[1] == pytest.approx(0.003, rel=0.15)


def test_a_sample_without_a_tail_gets_the_narrowest_shape() -> None:
    machinery = synthetic()
    machinery.samples["sequential: turn"] = [0.002] * 10
    machinery.samples["staggered: turn"] = [0.002] * 10
    turn = calibration(machinery)["client"]["turn"]
    assert quantities(turn)[0] == pytest.approx(0.002)
    assert quantities(turn)[2] < 0.003


def test_the_tables_replace_the_scenarios_and_read_back_as_toml() -> None:
    tables = calibration(synthetic())
    scenario = calibrated(Scenario.from_data({"database": {"capacity": 1}}), tables)
    assert scenario.client.connect == tables["client"]["connect"]
    assert scenario.database.capacity == 1  # kept: only the query times are measured
    text = calibration_toml(tables)
    again = Scenario.from_data(tomllib.loads(text))
    assert isinstance(again.client.send, LogNormal)
    assert quantities(again.client.send)[0] == pytest.approx(
        quantities(tables["client"]["send"])[0], rel=1e-3
    )


def test_real_invocations_are_measured_component_by_component() -> None:
    machinery = measure(["sequential", "parallel"], 1, load=3)
    samples = machinery.samples
    assert len(samples["start-up"]) == 2
    assert len(samples["sequential: send, first"]) == 1
    assert len(samples["sequential: send, later"]) == 2
    # sequential claims one at a time; parallel's three go in one statement (a batch), and
    # every claim's trip to the store reads the session too, so no session read goes alone
    assert 4 <= len(samples["store claim"]) <= 5
    assert not samples.get("store get_session")
    # the mock's 100 ms each way are taken off: what is left is the machinery's milliseconds
    assert 0 < statistics.median(samples["sequential: answer back"]) < 0.1
    assert machinery.overtaken["sequential"] == [0.0]
    tables = calibration(machinery, load=3)
    assert tables["database"]["get_session"] == Fixed()
    assert set(tables["client"]) == {
        "startup",
        "turn",
        "handoff",
        "send",
        "receive",
        "connect",
        "connect_each",
    }


def test_the_command_refuses_a_calibration_out_of_bounds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", "--calibrate", "51"]) == 2
    assert "--calibrate 51" in capsys.readouterr().err
