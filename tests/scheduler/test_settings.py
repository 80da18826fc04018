"""A scheduler's settings: refused when they could not keep the scheduler's promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli import _parser, main, settings_from
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy
from scheduler.settings import Settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"aimharder_url": "127.0.0.1:8000"}, "expected an http:// or https:// URL"),
        ({"max_duration": 0.0}, "max_duration=0.0; expected a number of seconds > 0"),
        ({"max_duration": float("nan")}, "max_duration=nan"),
    ],
)
def test_bad_settings_are_refused_naming_the_value(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings(**values)  # type: ignore[arg-type]


def test_the_secret_never_shows_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(Settings(cron_secret="s3cret"))


def test_a_budget_past_the_limit_is_refused_naming_both() -> None:
    with pytest.raises(ConfigurationError, match=r"budget=60\.0 outlasts .* max_duration=10\.0"):
        Settings(policy=strategy("sequential", budget=60.0), max_duration=10.0)
    with pytest.raises(ConfigurationError, match=r"budget=60\.0 outlasts .* max_duration=10\.0"):
        strategy("parallel", max_duration=10.0, budget=60.0)


def test_the_budget_is_the_limit_unless_set_on_the_command_line() -> None:
    derived = settings_from(_parser().parse_args(["invoke", "--max-duration", "60"]))
    assert (derived.max_duration, derived.policy.budget) == (60.0, 60.0)
    assert derived.policy.deadline_after == 58.0  # the 2 s buffer before the limit
    explicit = ["invoke", "--max-duration", "60", "--budget", "30"]
    assert settings_from(_parser().parse_args(explicit)).policy.budget == 30.0
    assert Settings.from_environment({}, max_duration=300.0).policy.budget == 300.0


def test_the_command_line_refuses_a_budget_past_the_limit_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["invoke", "--budget", "60", "--db", str(tmp_path / "x.sqlite")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "budget=60.0 outlasts the platform limit max_duration=10.0" in err
    assert "Traceback" not in err


def test_the_strategy_is_the_environment_s_else_the_default_report_s_answer() -> None:
    assert Settings.from_environment({}).policy == strategy("auto", max_duration=10.0)
    chosen = Settings.from_environment({"SCHEDULER_STRATEGY": "parallel"})
    assert chosen.policy == strategy("parallel", max_duration=10.0)
    given = Settings.from_environment(
        {"SCHEDULER_STRATEGY": "parallel"}, policy=strategy("staggered")
    )
    assert given.policy == strategy("staggered")  # an explicit policy (the CLI's) comes first


def test_an_unknown_strategy_in_the_environment_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="unknown strategy 'fifo'"):
        Settings.from_environment({"SCHEDULER_STRATEGY": "fifo"})
