"""The report's real runs in a process of their own, beside the simulation
(``sim.validation.beside``): their comparison comes back, their stages are shown here, and a
report that stops early stops them too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from commandline.stages import Advance
from sim.scenario import VALIDATION_SCENARIO, Scenario
from sim.validation.beside import ENDED_AS_TOLD, real_runs_beside

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py


class Recorded:
    """``Stages`` that notes each stage, its steps and its end."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []
        self.started = threading.Event()

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Advance]:
        self.seen.append(("stage", description, total))
        self.started.set()
        yield lambda done: self.seen.append(("advance", description, done))
        self.seen.append(("ended", description, total))

    @contextmanager
    def working(self, description: str) -> Iterator[None]:
        self.seen.append(("working", description, 0))
        yield


def test_the_real_runs_beside_give_their_comparison_and_show_their_stage_here() -> None:
    progress = Recorded()
    scenario = Scenario.from_file(VALIDATION_SCENARIO)
    with real_runs_beside(
        scenario, strategies=["parallel"], load=3, replications=1, calibrate=0, progress=progress
    ) as real_runs:
        comparison = real_runs.result()
    assert {row["strategy"] for row in comparison.rows} == {"parallel"}
    assert {row["real_runs"] for row in comparison.rows} == {1}
    assert progress.seen == [
        ("stage", "real runs", 1),
        ("advance", "real runs", 1),
        ("ended", "real runs", 1),
    ]


def test_a_report_that_stops_early_ends_its_real_runs_which_unwind() -> None:
    scenario = Scenario.from_file(VALIDATION_SCENARIO)
    progress = Recorded()
    with (
        pytest.raises(KeyboardInterrupt),
        real_runs_beside(
            scenario,
            strategies=["sequential"],
            load=10,
            replications=20,
            calibrate=0,
            progress=progress,
        ) as real_runs,
    ):
        assert progress.started.wait(timeout=60)  # its first mock is starting or running
        raise KeyboardInterrupt  # as Ctrl-C in the simulation's stages
    assert real_runs.exitcode == ENDED_AS_TOLD  # it unwound (its mocks stopped), not died
