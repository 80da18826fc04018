"""The report's words follow the scenario it ran: two scenarios, two reports, each checked against
its own settings and its own tables (the answer box against the selections and the sweep)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sim.experiments.executors import Inline
from sim.model.summary import Measure
from sim.report.files import build_report, gather
from sim.scenario import Scenario
from sim.selection.rules import UNSAFE_WHEN
from tests.test_stands_alone import OUTSIDE_PATHS

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py

EXPERIMENT = {
    "replications": 2,
    "loads": [2, 6],
    "stagger_gaps": [0.0, 0.2],
    "gap_load": 4,
    "drain_minutes": 1,
    "limits": [10.0],
    "trigger_loads": [4],
    "trigger_replications": 1,
    "world_load": 4,
    "world_replications": 1,
    "outside_bursts": [0],
    "send_offsets": [0.0],
    "offset_burst": 0,
    # KN stops at 8 replications a strategy instead of 50: the words are checked against
    # whatever it chose (at 50 as at 8: ties in every fairest cell, one choice among the fastest).
    "kn_max_replications": 8,
}
SCENARIOS = {
    "one class, the usual limit": {
        "name": "one-class",
        "workload": {"minutes": 2, "classes_per_minute": 1},
        "experiment": EXPERIMENT,
    },
    "three classes, a short limit": {
        "name": "three-classes",
        # Text a scenario file supplies must not become markup in the HTML page.
        "description": "Three <b>classes</b> & a short limit",
        "workload": {"minutes": 2, "classes_per_minute": 3},
        "platform": {"max_duration": 4.0},
        "experiment": EXPERIMENT,
    },
}
WITH_SEED_TABLES = "three classes, a short limit"
ENTRY = re.compile(r"^> - \*\*(\d+)(?: to (\d+))? per class: (.+?)\.\*\*(.*)$", re.MULTILINE)


@pytest.fixture(scope="module", params=list(SCENARIOS))
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    data = SCENARIOS[request.param]
    out = tmp_path_factory.mktemp("report")
    # The seed's tables run under the seed's own assumptions, the same section whatever the
    # scenario: one of the two reports has it (its words checked once, not twice).
    seeded = request.param == WITH_SEED_TABLES
    seed = Scenario.from_data({"experiment": {"replications": 2}}) if seeded else None
    # In this process: a pool would fork workers for each of gather's phases, and the data are
    # the same byte for byte whichever executor runs them (tests/sim/experiments/test_executors.py).
    findings = gather(Scenario.from_data(data), seed_scenario=seed, executor=Inline())
    build_report(findings, out)
    return data, out


def _answer_box(text: str) -> str:
    return text[text.index("## The answer") : text.index("## Words used here")]


def test_the_opening_says_the_scenarios_classes_per_minute_and_limit(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    data, out = rendered
    text = (out / "report.md").read_text()
    per_minute = data["workload"]["classes_per_minute"]
    limit = data.get("platform", {}).get("max_duration", 10.0)
    opening = text[: text.index("## The answer")]
    if per_minute == 1:
        assert "One class opens its booking window at every whole minute" in opening
    else:
        assert f"{per_minute} classes open their booking windows at every whole minute" in opening
        assert "One class opens" not in text
    assert f"the platform kills it at {limit:g} s" in opening
    box = _answer_box(text)
    assert f"killed at {limit:g} s" in box
    assert ("1 class opening" if per_minute == 1 else f"{per_minute} classes opening") in box


def test_the_answer_box_names_what_the_selection_chose_with_the_tables_numbers(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    _, out = rendered
    box = _answer_box((out / "report.md").read_text())
    selections = json.loads((out / "data" / "selections.json").read_text())
    sweep = {(r["point"], r["load"]): r for r in json.loads((out / "data/sweep.json").read_text())}
    fair = [r for r in selections if r["objective"] == "fairest-safe"]
    fairest = {r["load"]: r["chosen"].split() for r in fair}
    identical = {r["load"]: r["identical"] for r in fair}
    entries = ENTRY.findall(box)
    covered = []
    for low, high, named, rest in entries:
        loads = [n for n in sorted(fairest) if int(low) <= n <= int(high or low)]
        covered += loads
        if named == "no strategy is safe":
            assert all(fairest[n] == [] for n in loads)
            continue
        # "a tie" only for results identical in every replication; otherwise "not separated".
        head = re.sub(r", (a tie|not separated after \d+ replications)$", "", named)
        names = re.split(r", | or ", head)
        tie = len(names) > 1 and all(identical[n] for n in loads)
        assert named.endswith(", a tie") == tie, named
        assert (", not separated after " in named) == (len(names) > 1 and not tie), named
        for load in loads:
            assert sorted(names) == sorted(fairest[load])
        for name in names:  # its price, as the tables give it, at the range's heaviest load
            row = sweep[(name, loads[-1])]
            col = Measure.BOOK_P95.column  # data/ names a measure with its unit
            p95 = f"{row[col]:.2f} [{row[col + '_low']:.2f}, {row[col + '_high']:.2f}]"
            shared = f"each books 95% of its places within {p95} s"  # a tie at one price
            alone = f"{name} books 95% of its places within {p95} s"
            beside = f"{p95} s ({name})"  # equally fair: only the times listed, named
            assert alone in rest or shared in rest or beside in rest
        # The others, where some are safe: each unsafe one named with why.
        unsafe = [
            point
            for (point, load), row in sorted(sweep.items())
            if load == loads[-1] and any(row[Measure(m).column] != 0 for m in UNSAFE_WHEN)
        ]
        assert (f"Not safe at {loads[-1]} per class: " in rest) == bool(unsafe)
        for point in unsafe:
            assert re.search(rf"[:,] {point} \((killed|sent|skipped|left)", rest), point
    assert covered == sorted(fairest)  # every load, once, in order


def test_no_interval_on_a_count_or_rate_goes_below_zero_and_zeros_are_one_line(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    _, out = rendered
    text = (out / "report.md").read_text()
    results = text[text.index("## Results by strategy and load") : text.index("## Stagger gap")]
    assert not re.search(r"\[-", results)
    sweep = json.loads((out / "data" / "sweep.json").read_text())
    for metric, title in (
        ("kill_rate", "killed at maxDuration"),
        ("skipped_prebookings", "skipped by the guard"),
    ):
        column = Measure(metric).column
        zero = all(r[column] == 0 == r[f"{column}_high"] for r in sweep)
        assert (out / "figures" / f"{metric}.png").exists() != zero
        folded = re.search(r"^Zero for every strategy at every load.*$", results, re.MULTILINE)
        assert (folded is not None and title in folded.group(0)) == zero


def test_the_pages_stand_alone_and_escape_the_scenarios_text(
    rendered: tuple[dict[str, Any], Path],
) -> None:
    data, out = rendered
    text, page = (out / "report.md").read_text(), (out / "report.html").read_text()
    for outside in OUTSIDE_PATHS:
        assert outside not in text
    for word in ("Inversion", "Unfair outcome", "busy invocation", "Guard", "Makespan"):
        assert f"**{word}" in text or f"**{word.lower()}" in text
    if "<b>" in data.get("description", ""):
        assert "<b>classes</b>" not in page
        assert "&lt;b&gt;classes&lt;/b&gt;" in page
