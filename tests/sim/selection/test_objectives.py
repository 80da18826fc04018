"""KN on the simulation: a best certain by construction, identical strategies, the command."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sim.cli.main import main
from sim.report.rendering import phrase
from sim.scenario import Scenario
from sim.selection.objectives import OBJECTIVES, Replications, paired_difference, select_strategy

# Booking latencies from 0.1 to 2 s: parallel inverts about half its pairs, while sequential
# never inverts whatever the latencies (it sends the next only after the last answered).
SPREAD = Scenario.from_data(
    {
        "aimharder": {
            "book": {
                "inbound": {"kind": "uniform", "low": 0.05, "high": 1.0},
                "outbound": {"kind": "uniform", "low": 0.05, "high": 1.0},
            }
        },
        "workload": {"minutes": 1},
        "experiment": {"strategies": ["parallel", "sequential"], "replications": 5},
    }
)


def test_a_best_certain_by_construction_is_chosen() -> None:
    replications = Replications(SPREAD, 8)
    selection = select_strategy(replications, OBJECTIVES["inversion-rate"])
    assert selection.chosen == ("sequential",)
    assert not selection.bounded
    assert selection.means["sequential"] == 0.0
    difference = paired_difference(
        replications, OBJECTIVES["inversion-rate"], "parallel", "sequential"
    )
    assert difference is not None and difference.low > 0.1


def test_strategies_that_behave_identically_are_all_returned_without_a_winner() -> None:
    # One prebooking per class: every strategy sends it the same way at the same moment.
    scenario = Scenario.from_data({"workload": {"minutes": 2}, "experiment": {"replications": 4}})
    selection = select_strategy(Replications(scenario, 1), OBJECTIVES["p95-time-to-book"])
    assert selection.identical
    assert selection.chosen == tuple(sorted(scenario.experiment.strategies))
    assert phrase("verdict", selection).startswith(
        "any of auto, batched, parallel, sequential, staggered"
    )


def test_the_command_prints_the_selection_as_json(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spread.toml"  # type: ignore[operator]
    path.write_text(
        '[aimharder]\nbook = { inbound = { kind = "uniform", low = 0.05, high = 1.0 } }\n'
        '[workload]\nminutes = 1\n[experiment]\nstrategies = ["parallel", "sequential"]\n'
        "replications = 5\n",
        encoding="utf-8",
    )
    argv = ["select", "--scenario", str(path), "--load", "8", "--objective", "inversion-rate"]
    assert main([*argv, "--json", "--processes", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["chosen"] == ["sequential"]
    assert data["pcs"] == pytest.approx(0.95)
    assert set(data["replications"]) == {"parallel", "sequential"}
    assert data["bounded"] is False


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--delta", "0"), ("--alpha", "0.7"), ("--max-replications", "1"), ("--load", "0")],
)
def test_bad_settings_exit_2_naming_the_value(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["select", "--objective", "inversion-rate", flag, value])
    assert code == 2
    assert f"{flag} {value}" in capsys.readouterr().err.replace("\n", "")


def test_a_strategy_a_replication_already_run_rules_out_is_not_run_again() -> None:
    """The sweep's replications are KN's first; one that was not safe ends its strategy's
    part at once, so KN's first stage does not run the rest of it for nothing."""
    scenario = Scenario.from_data(
        {
            "workload": {"minutes": 2},
            "experiment": {"strategies": ["parallel", "sequential"], "replications": 4},
        }
    )
    ran = Replications(scenario, 5)
    ran.want({s: range(1) for s in scenario.experiment.strategies})
    known = dict(ran.summaries)
    known[("parallel", 0)] = dataclasses.replace(known[("parallel", 0)], doubles=1)
    replications = Replications(scenario, 5, known=known)
    selection = select_strategy(replications, OBJECTIVES["fairest-safe"])
    assert selection.ruled_out == ("parallel",)
    assert selection.chosen == ("sequential",)
    assert replications.count("parallel") == 1
    assert replications.count("sequential") == scenario.experiment.replications
