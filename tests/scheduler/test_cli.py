"""``python -m scheduler``: add, invoke and status against the mock, and clear refusals."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from harness.children import free_port
from harness.gym import CLASS_ID, DAY, log_in_all, users
from scheduler.cli import main
from scheduler.core.domain import UserId
from scheduler.core.status import Status
from scheduler.store import NewPrebooking, open_store
from tests.scheduler.conftest import PG_URL
from tests.scheduler.real import mock_gym


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
        code = main(
            ["invoke", "--json", "--db", db, "--aimharder-url", url, "--strategy", "staggered"]
        )
        answer = json.loads(capsys.readouterr().out)
    assert code == 0
    assert answer["results"]["completed"] == 3
    assert main(["status", "--db", db]) == 0
    assert "completed" in capsys.readouterr().out
    assert main(["status", "--db", db, "--json", "--rows", "2"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["counts"] == {
        "pending": 0,
        "executing": 0,
        "completed": 3,
        "failed": 0,
        "unknown": 0,
    }
    assert [p["status"] for p in listed["prebookings"]] == ["completed", "completed"]
    with open_store(db) as store:
        assert store.counts()[Status.COMPLETED] == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
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
    good = f"a@b.c,{CLASS_ID},{DAY},1,1764486000"
    (tmp_path / "bad.csv").write_text(
        f"user,class_id,day,box,available_at\n{good}\nb@b.c,{CLASS_ID},2026-11-30,1,1764486000\n"
    )
    assert main(["add", str(tmp_path / "bad.csv"), "--db", db]) == 2
    assert "field 'day' is '2026-11-30'" in capsys.readouterr().err
    with open_store(db) as store:
        assert store.list() == []


def _one_line_refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Runs ``argv``; asserts exit 2 and a single line on stderr, which it returns."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "'{path}' cannot be read: No such file or directory"),
        ("folder.csv", "dir", "'{path}' cannot be read: Is a directory"),
        ("latin.csv", b"user\n\xe9\n", "'{path}': byte 5 is b'\\xe9'; expected UTF-8 text"),
        ("binary.json", bytes(range(256)), "byte 128 is b'\\x80'; expected UTF-8 text"),
        ("nested.json", b"[" * 100_000, "recursion limit exceeded at line 1 column"),
        ("wide.csv", "user,class_id\na,1,2\n", "has 3 values: ['2'] under no column"),
        ("huge.csv", "user\n" + "a" * 200_000 + "\n", "field larger than field limit (131072)"),
        ("prebookings.txt", "x", "format 'txt' of '{path}'; expected one of ['csv', 'json']"),
    ],
)
def test_add_refuses_an_unreadable_file_in_one_line_and_creates_nothing(
    name: str,
    content: str | bytes | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    db = tmp_path / "untouched.sqlite"
    line = _one_line_refusal(["add", str(path), "--db", str(db)], capsys)
    assert message.format(path=path) in line
    assert not db.exists()  # the file is checked before the store is opened


def test_status_shows_a_stored_time_no_calendar_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "old.sqlite")
    with open_store(db) as store:  # as an older version, which took any finite time, wrote it
        store.add(
            [
                NewPrebooking(
                    user=UserId("a@b.c"),
                    class_id=CLASS_ID,
                    day=DAY,
                    box=1,
                    available_at=1e308,
                    created_at=-1e308,
                )
            ]
        )
    assert main(["status", "--db", db]) == 0
    assert "1e+308" in capsys.readouterr().out


def test_login_with_a_wrong_password_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (athlete,) = users(1)
    db = tmp_path / "sessions.sqlite"
    with mock_gym(1) as url:
        argv = ["login", "--user", athlete, "--password", "wrong", "--aimharder-url", url]
        line = _one_line_refusal([*argv, "--db", str(db)], capsys)
    assert f"AimHarder refused the login of {athlete!r}" in line
    with open_store(str(db)) as store:
        assert store.get_session(athlete) is None


def test_login_to_an_unreachable_aimharder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    argv = ["login", "--user", "a@b.c", "--password", "x", "--aimharder-url", url]
    line = _one_line_refusal([*argv, "--db", str(tmp_path / "x.sqlite")], capsys)
    assert f"AimHarder at {url} did not answer" in line


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("unknown", 'database "harness_no_such_db" does not exist'),
        ("closed", "Connection refused"),
        ("folder", "unable to open database file"),
    ],
)
def test_an_unknown_or_unreachable_database_is_one_line(
    where: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = {
        "unknown": PG_URL.rsplit("/", 1)[0] + "/harness_no_such_db",
        "closed": f"postgresql://postgres@127.0.0.1:{free_port()}/x",
        "folder": str(tmp_path / "missing" / "x.sqlite"),
    }[where]
    line = _one_line_refusal(["status", "--db", db], capsys)
    assert message in line


def test_status_of_a_database_file_that_is_not_there_is_one_line_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "mistyped.sqlite"
    line = _one_line_refusal(["status", "--db", str(db)], capsys)
    assert f"database file {str(db)!r} does not exist" in line
    assert not db.exists()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:99999", "Port out of range 0-65535"),
        ("http://xn--.com", "decoding with 'idna' codec failed"),
    ],
    ids=["unclosed bracket", "port 99999", "undecodable host"],
)
@pytest.mark.parametrize("command", ["invoke", "login"])
def test_an_aimharder_url_the_client_cannot_parse_is_one_line_and_claims_nothing(
    command: str, url: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 22, item 11: each was a traceback, and xn--.com's left the row executing (claimed,
    # then the client failed on the URL) until its lease.
    db = str(tmp_path / "cli.sqlite")
    with open_store(db) as store:
        store.add(
            [
                NewPrebooking(
                    user=UserId("ana@x"),
                    class_id=CLASS_ID,
                    day=DAY,
                    box=1,
                    available_at=time.time() - 1,
                    created_at=time.time() - 60,
                )
            ]
        )
    who = ["--user", "ana@x", "--password", "pw"] if command == "login" else []
    line = _one_line_refusal([command, *who, "--db", db, "--aimharder-url", url], capsys)
    assert f"aimharder_url={url!r}: {problem}" in line
    assert "expected an http:// or https:// URL with a host and a port" in line
    with open_store(db) as store:
        assert store.counts()[Status.PENDING] == 1


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(
    "user", ["a\x00b@x", "\x1b[2J\x1b[31mroot@x", "ana@x\nfailed  bo@x"], ids=["NUL", "ESC", "LF"]
)
def test_a_user_with_control_characters_is_refused_on_every_store(
    store: str,
    user: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # issue 22, item 14: NUL stored on SQLite and refused by PostgreSQL (a traceback), escape
    # sequences and newlines stored and printed raw by ``status``.
    db = request.getfixturevalue(f"{store}_url")
    row = {"user": user, "class_id": CLASS_ID, "day": DAY, "box": 1, "available_at": 1764486000}
    (tmp_path / "new.json").write_text(json.dumps([row]))
    line = _one_line_refusal(["add", str(tmp_path / "new.json"), "--db", db], capsys)
    assert "without outer spaces or control characters" in line
    assert "\x1b" not in line and "\x00" not in line
    with open_store(db) as store_:
        assert store_.list() == []


def test_status_escapes_control_characters_stored_before_they_were_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "old.sqlite"
    with open_store(str(db)) as store:
        store.add(
            [
                NewPrebooking(
                    user=UserId("ana@x"),
                    class_id=CLASS_ID,
                    day=DAY,
                    box=1,
                    available_at=1764486000.0,
                    created_at=1764400000.0,
                )
            ]
        )
    with sqlite3.connect(db) as raw:  # as an older version stored it
        raw.execute("UPDATE prebookings SET user_id = ?", ("\x1b[31mana@x\nforged",))
    assert main(["status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[31mana@x\\nforged" in out
