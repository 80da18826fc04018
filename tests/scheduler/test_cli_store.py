"""``invoke`` and ``serve`` refuse a SQLite file that is not there, as ``status`` does, unless
asked to make one (``scheduler init``, ``--create``); every variable the scheduler reads is in
its ``--help`` (issue 27, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.cli import main

SCHEDULER = Path(__file__).resolve().parents[2] / "scheduler"
# How the package reads a variable: ``env.get("X")``, ``os.environ["X"]``, ``_whole(env, "X")``.
READ = re.compile(r'(?:environ|env)(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]+)"|_whole\(env, "([A-Z_]+)"')


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("command", [["invoke"], ["serve", "--port", "0"]])
def test_a_missing_store_is_refused_naming_it_and_left_uncreated(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo.sqlite"
    line = _refusal([*command, "--db", str(db)], capsys)
    assert f"database file {str(db)!r} does not exist" in line
    assert "(scheduler init makes one, or --create)" in line
    assert not db.exists()


def test_init_makes_the_store_that_invoke_then_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.sqlite"
    assert main(["init", "--db", str(db)]) == 0
    assert main(["init", "--db", str(db)]) == 0  # a second time changes nothing
    said = capsys.readouterr().out.splitlines()
    assert said == [f"store created: sqlite:///{db}", f"store ready: sqlite:///{db}"]
    assert main(["invoke", "--db", str(db)]) == 0
    assert "No prebookings ready" in capsys.readouterr().out


def test_invoke_with_create_makes_a_missing_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "made.sqlite"
    assert main(["invoke", "--create", "--db", str(db)]) == 0
    assert db.exists()


def test_every_variable_the_scheduler_reads_is_in_its_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    read = {
        name
        for path in SCHEDULER.rglob("*.py")
        for match in READ.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }
    assert "SCHEDULER_MAX_INVOCATIONS" in read  # the scan finds what it should
    for argv in (["--help"], ["serve", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        shown = capsys.readouterr().out
        assert sorted(name for name in read if name not in shown) == []


def test_a_mistyped_strategy_in_the_environment_gets_the_closest_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEDULER_STRATEGY", "staggerd")
    line = _refusal(["invoke", "--create", "--db", str(tmp_path / "s.sqlite")], capsys)
    assert line.endswith("unknown strategy 'staggerd'; expected one of auto, batched, "
                         "parallel, sequential, staggered; did you mean 'staggered'?")  # fmt: skip
