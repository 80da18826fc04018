"""``python -m scheduler``: add, invoke and status against the mock, and clear refusals."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.core.status import Status
from scheduler.store import open_store
from tests.scheduler.real import CLASS_ID, DAY, log_in_all, mock_gym, users


def test_add_then_invoke_books_and_status_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.sqlite")
    athletes = users(3)
    rows = [
        {"user": u, "class_id": CLASS_ID, "day": DAY, "box": 1, "available_at": time.time() - 1}
        for u in athletes
    ]
    (tmp_path / "new.json").write_text(json.dumps(rows))
    with mock_gym(3) as url:
        with open_store(db) as store:
            log_in_all(store, url, athletes)
        assert main(["add", str(tmp_path / "new.json"), "--db", db]) == 0
        assert "added 3 prebookings" in capsys.readouterr().out
        code = main(["invoke", "--db", db, "--aimharder-url", url, "--strategy", "staggered"])
        answer = json.loads(capsys.readouterr().out)
    assert code == 0
    assert answer["results"]["completed"] == 3
    assert main(["status", "--db", db]) == 0
    assert "completed" in capsys.readouterr().out
    with open_store(db) as store:
        assert store.counts()[Status.COMPLETED] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invoke", "--strategy", "fifo"], "unknown strategy 'fifo'; expected one of"),
        (["invoke", "--gap", "-1"], "gap=-1.0; expected a number of seconds >= 0"),
        (["invoke", "--aimharder-url", "ftp://x"], "expected an http:// or https:// URL"),
        (["invoke", "--db", "mysql://x/y"], "mysql"),
    ],
)
def test_bad_options_are_refused_naming_the_value(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, *([] if "--db" in argv else ["--db", str(tmp_path / "x.sqlite")])]) == 2
    assert message in capsys.readouterr().err


def test_add_refuses_a_bad_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.sqlite")
    good = f"a@b.c,{CLASS_ID},{DAY},1,100"
    (tmp_path / "bad.csv").write_text(
        f"user,class_id,day,box,available_at\n{good}\nb@b.c,{CLASS_ID},2026-11-30,1,100\n"
    )
    assert main(["add", str(tmp_path / "bad.csv"), "--db", db]) == 2
    assert "field 'day' is '2026-11-30'" in capsys.readouterr().err
    with open_store(db) as store:
        assert store.list() == []
