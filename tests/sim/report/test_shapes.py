"""Batched's unfair outcomes rise and fall with the load (issue 28: 2.4, 3.3, 0, 5.0, 0, 2.8, 0.3):
the page explains it from the runs, and says nothing when the runs do not show it."""

from __future__ import annotations

from sim.report.rendering import phrase
from sim.report.shapes import batch_shapes
from sim.scenario import Scenario

# 0.8 places per prebooking: 15 -> 12 and 30 -> 24 end a batch of 3; 10 -> 8 does not
SCENARIO = Scenario.from_data({"workload": {"capacity_ratio": 0.8}})


def _sweep(unfair: dict[int, float]) -> list[dict[str, float | str | int]]:
    rows: list[dict[str, float | str | int]] = []
    for load, value in unfair.items():
        rows.append({"point": "batched", "load": load, "unfair": value})
        rows.append({"point": "parallel", "load": load, "unfair": 9.0})  # no batches: no shape
    return rows


def test_the_shape_is_explained_by_where_the_last_place_falls() -> None:
    (shape,) = batch_shapes(_sweep({1: 0.0, 10: 3.3, 15: 0.0, 20: 5.0, 30: 0.0}), scenario=SCENARIO)
    assert (shape.strategy, shape.batch_size) == ("batched", 3)
    assert [load for load, *_ in shape.on] == [15, 30]
    assert [load for load, *_ in shape.off] == [10, 20]  # 1 per class: one place, nobody refused
    text = phrase("batch_shape", shape)
    assert "(15 per class, 12 places: 0.0; 30 per class, 24 places: 0.0 unfair per run)" in text
    assert "(10 per class, 8 places: 3.3; 20 per class, 16 places: 5.0)" in text


def test_nothing_is_said_when_the_runs_do_not_show_it() -> None:
    assert batch_shapes(_sweep({10: 1.0, 15: 2.0, 20: 1.0, 30: 2.0}), scenario=SCENARIO) == []
    assert batch_shapes(_sweep({10: 1.0, 20: 1.0}), scenario=SCENARIO) == []  # none on one
