"""Every command under ``prebooking-harness``, walked: each answers ``--version`` and ``--help``,
its help fits 80 columns on a wide terminal, names the command as typed, lists choices plainly,
states each default once and ends with an example; a typo gets "did you mean" (issue 27, item 2).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from commandline.conventions import Parser, installed_version
from prebooking_harness.main import COMMANDS, PROG
from prebooking_harness.main import main as harness_main
from scheduler.cli import _parser as scheduler_parser


def _paths() -> list[list[str]]:
    """Every command as typed after ``prebooking-harness``, the nested ones too."""
    nested = scheduler_parser()
    assert isinstance(nested, Parser) and nested.commands is not None
    paths: list[list[str]] = [[]]
    for name in COMMANDS:
        paths.append([name])
        if name == "scheduler":
            paths += [["scheduler", sub] for sub in nested.commands.choices or ()]
    return paths


MODULES = {
    "sim": "sim.cli.main",
    "scheduler": "scheduler.cli",
    "loadtests": "loadtests.cli",
    "mock_aimharder": "mock_aimharder.__main__",
}
PATHS = _paths()
IDS = [" ".join(path) or "prebooking-harness" for path in PATHS]


def _exit(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        harness_main(argv)
    return int(stopped.value.code or 0)


def test_the_walk_reaches_every_command() -> None:
    assert {"report", "select", "compare", "validate", "replay", "explore"} <= set(COMMANDS)
    assert ["scheduler", "init"] in PATHS and ["scheduler", "serve"] in PATHS
    assert ["loadtest"] in PATHS and ["mock"] in PATHS


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_command_says_its_version(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit([*path, "--version"]) == 0
    assert capsys.readouterr().out.strip() == f"{' '.join([PROG, *path])} {installed_version()}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_help_is_written_for_a_user_at_80_columns(
    path: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: the help still fits 80
    assert _exit([*path, "--help"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    typed = " ".join([PROG, *path])
    assert lines[0].startswith(f"usage: {typed} ")
    assert [line for line in lines if len(line) > 80] == []
    assert "``" not in text  # no docstring markup
    assert "{" not in text  # choices listed plainly, not as {a,b,c}
    assert "python -m" not in text  # every command shown as typed
    entries = [e.split("\n\n")[0] for e in re.split(r"\n  (?=-)", text)]  # one per option
    assert [e for e in entries if e.count("default:") > 1] == []
    assert f"\n  {typed}" in text.split("example:" if path else "start with:")[-1]


@pytest.mark.parametrize(
    ("argv", "guess"),
    [
        (["reprot"], "'report'"),
        (["scheduler", "invok"], "'invoke'"),
        (["scheduler", "invoke", "--strategy", "sequentail"], "'sequential'"),
        (["validate", "--strategies", "staggerd"], "'staggered'"),
        (["select", "--objective", "fairest"], "'fairest-safe'"),
        (["loadtest", "--shape", "spiek"], "'spike'"),
        (["mock", "--log-level", "debgu"], "'debug'"),
        (["scheduler", "add", "x.csv", "--format", "cvs"], "'csv'"),
        (["report", "--replicatons", "3"], "'--replications'"),
        (["scheduler", "invoke", "--max-inflight=2"], "'--max-in-flight'"),
    ],
)
def test_a_typo_gets_the_closest_name(
    argv: list[str], guess: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit(argv) == 2
    error = capsys.readouterr().err
    assert f"did you mean {guess}?" in error
    assert "Traceback" not in error


@pytest.mark.parametrize(
    ("main", "argv", "typed"),
    [
        ("sim", ["report"], "python -m sim report"),
        ("scheduler", ["status"], "python -m scheduler status"),
        ("loadtests", ["run"], "python -m loadtests run"),
        ("mock_aimharder", [], "python -m mock_aimharder"),
    ],
)
def test_the_python_m_spelling_names_itself(
    main: str, argv: list[str], typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    module = importlib.import_module(MODULES[main])
    with pytest.raises(SystemExit):
        module.main([*argv, "--help"])
    assert capsys.readouterr().out.startswith(f"usage: {typed} ")


def test_one_table_gives_every_commands_exit_codes() -> None:
    table = (Path(__file__).resolve().parents[2] / "docs" / "exit-codes.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    for name in COMMANDS:
        assert any(f"`{name}" in row for row in rows), name
