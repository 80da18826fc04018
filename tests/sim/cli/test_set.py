"""``--set KEY=VALUE``: scenario keys on top of the file, validated as the file is."""

from __future__ import annotations

import argparse

import pytest

from scheduler.core.errors import ConfigurationError
from sim.cli.arguments import MAX_SETTINGS, scenario_from, setting
from sim.cli.main import main
from sim.scenario import DEFAULT_SCENARIO, Scenario


def test_a_value_is_read_as_toml_writes_it() -> None:
    assert setting("policy.limit=200") == ("policy.limit", 200)
    assert setting("platform.max_duration=60.5") == ("platform.max_duration", 60.5)
    assert setting("experiment.loads=[10, 30]") == ("experiment.loads", [10, 30])
    assert setting('name="what if"') == ("name", "what if")
    assert setting("cron.mode=both") == ("cron.mode", "both")  # a bare word: a string


@pytest.mark.parametrize("bad", ["policy.limit", "=5", "policy..limit=5", "1x=2"])
def test_a_malformed_pair_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="expected KEY=VALUE"):
        setting(bad)


def test_keys_lay_over_the_file_and_keep_its_other_keys() -> None:
    base = Scenario.from_file(DEFAULT_SCENARIO)
    pairs = [("policy.limit", 200), ("experiment.loads", [10, 30]), ("policy.limit", 150)]
    changed = scenario_from(DEFAULT_SCENARIO, pairs)
    assert changed.policy_for("auto").limit == 150  # the last of one key wins
    assert changed.policy["buffer"] == base.policy["buffer"]  # the file's [policy] stays
    assert changed.experiment.loads == [10, 30]
    assert changed.experiment.replications == base.experiment.replications


def test_a_key_the_scenario_refuses_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["select", "--objective", "fairest-safe", "--set", "platform.max_duration=-1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "platform.max_duration" in err
    assert "Traceback" not in err


def test_too_many_pairs_are_refused() -> None:
    pairs = [("policy.limit", n) for n in range(MAX_SETTINGS + 1)]
    with pytest.raises(ConfigurationError, match=f"expected at most {MAX_SETTINGS}"):
        scenario_from(DEFAULT_SCENARIO, pairs)
