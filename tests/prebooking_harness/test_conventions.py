"""The conventions every command line shares: durations, --version, help with defaults, the
one installed command, policy flags only where they act."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from commandline.conventions import installed_version
from commandline.durations import DurationError, parse_duration
from loadtests.cli import main as loadtests_main
from mock_aimharder.__main__ import main as mock_main
from prebooking_harness.main import main as harness_main
from scheduler.cli import _parser as scheduler_parser
from scheduler.cli import main as scheduler_main
from sim.cli.main import main as sim_main

Main = Callable[[Sequence[str] | None], int]
MAINS: dict[str, Main] = {
    "scheduler": scheduler_main,
    "sim": sim_main,
    "loadtests": loadtests_main,
    "mock_aimharder": mock_main,
    "prebooking-harness": harness_main,
}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("60", 60.0),
        ("60s", 60.0),
        ("1m", 60.0),
        ("500ms", 0.5),
        ("1m30s", 90.0),
        ("1h30m", 5400.0),
        ("1.5s", 1.5),
        (" 2M ", 120.0),
        ("0.05", 0.05),
        ("-1", -1.0),  # the sign is for whoever bounds the value to refuse, naming it
    ],
)
def test_durations_read_as_locust_writes_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1x", "m", "1 m", "1m-3s", "ms500", "1e999h"])
def test_a_bad_duration_is_refused_naming_it(text: str) -> None:
    with pytest.raises(DurationError, match="expected a"):
        parse_duration(text)


def test_every_duration_flag_takes_the_same_spellings() -> None:
    args = scheduler_parser().parse_args(["invoke", "--gap", "50ms", "--max-duration", "1m"])
    assert (args.gap, args.max_duration) == (pytest.approx(0.05), 60.0)


@pytest.mark.parametrize("name", sorted(MAINS))
def test_every_command_line_says_its_version(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        MAINS[name](["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(installed_version())
    assert installed_version()[0].isdigit()


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (
            ["scheduler", "invoke"],
            ["else auto, the default report's answer)", "staggered 0.05", "(default: 50)"],
        ),
        (["scheduler", "status"], ["(default: 20)"]),
        (["loadtests", "run"], ["(default: 15s)", "(default: a new out/loadtest-"]),
        (["sim", "select"], ["(default: 0.05)", "(default: 200)"]),
        (["mock_aimharder"], ["(default: 8000)", "(default: 127.0.0.1)"]),
    ],
)
def test_help_shows_the_defaults(
    argv: list[str], shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        MAINS[argv[0]]([*argv[1:], "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines anywhere
    for piece in shown:
        assert piece in text


@pytest.mark.parametrize(
    "argv", [["login", "--user", "a@b.c", "--password", "x"], ["add", "x.csv"], ["status"]]
)
def test_policy_flags_are_refused_where_they_do_not_act(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        scheduler_main([*argv, "--gap", "0.1"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --gap" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-5", "4294967296", "1.5", "x"])
@pytest.mark.parametrize("command", [mock_main, lambda argv: loadtests_main(["run", *argv])])
def test_a_seed_outside_what_the_draws_take_is_refused_naming_it(
    command: Callable[[list[str]], int], value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        command(["--seed", value])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"--seed: {value!r}; expected a whole number from 0 to 4294967295" in error
    assert "Traceback" not in error


def test_barrier_is_a_switch() -> None:
    parse = scheduler_parser().parse_args
    assert parse(["invoke", "--barrier"]).barrier is True
    assert parse(["invoke", "--no-barrier"]).barrier is False
    assert parse(["invoke"]).barrier is None  # the strategy's preset decides


def test_the_installed_command_runs_each_part() -> None:
    script = Path(sys.executable).parent / "prebooking-harness"
    done = subprocess.run(
        [str(script), "scheduler", "status", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: prebooking-harness scheduler status" in done.stdout
    unknown = subprocess.run(
        [str(script), "book"], capture_output=True, text=True, timeout=60, check=False
    )
    assert unknown.returncode == 2
    assert "unknown command 'book'; expected one of report, select" in unknown.stderr


@pytest.mark.parametrize(
    "command", ["report", "select", "validate", "replay", "explore", "loadtest", "scheduler"]
)
def test_every_subcommand_answers_version(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        harness_main([command, "--version"])
    assert stopped.value.code == 0
    assert installed_version() in capsys.readouterr().out
