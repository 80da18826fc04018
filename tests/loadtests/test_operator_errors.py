"""``python -m loadtests run`` refuses a store it cannot use and an output that is not a folder
in one line and exit 2, before it starts any process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.children import free_port
from loadtests.cli import main
from scheduler.core.domain import UserId
from scheduler.store import NewPrebooking, open_store
from tests.loadtests.conftest import SHORT
from tests.scheduler.conftest import PG_URL


def _refusal(argv: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["run", *SHORT, *argv]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert len(lines) == 1, captured
    assert not (out / "logs").exists()  # nothing was started
    return lines[0]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("unknown", 'database "harness_no_such_db" does not exist'),
        ("closed", "Connection refused"),
        ("folder", "unable to open database file"),
        ("scheme", "unknown scheme 'mysql'"),
    ],
)
def test_a_store_it_cannot_reach_is_one_line(
    where: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = {
        "unknown": PG_URL.rsplit("/", 1)[0] + "/harness_no_such_db",
        "closed": f"postgresql://postgres@127.0.0.1:{free_port()}/x",
        "folder": str(tmp_path / "missing" / "store.sqlite"),
        "scheme": "mysql://root@127.0.0.1/x",
    }[where]
    out = tmp_path / "out"
    line = _refusal(["--db", db, "--out", str(out)], out, capsys)
    assert message in line
    assert "expected a database this run can reach" in line


@pytest.mark.postgres
def test_a_reused_database_is_refused_and_left_as_it_was(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = time.time()
    with open_store(postgres_url) as store:
        (kept,) = store.add(
            [
                NewPrebooking(
                    user=UserId("earlier@loadtest.example"),
                    class_id=5001,
                    day="20261130",
                    box=1,
                    available_at=now,
                    created_at=now - 60,
                )
            ]
        )
    out = tmp_path / "out"
    line = _refusal(["--db", postgres_url, "--out", str(out)], out, capsys)
    assert "already holds 1 prebookings; expected an empty database" in line
    assert "postgres@" in line
    with open_store(postgres_url) as store:
        assert store.list() == [kept]


@pytest.mark.parametrize(
    ("make", "message"), [("file", "File exists"), ("under-a-file", "Not a directory")]
)
def test_an_out_that_is_not_a_folder_is_one_line(
    make: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    out = blocker if make == "file" else blocker / "run"
    line = _refusal(["--out", str(out)], tmp_path, capsys)
    assert f"--out {str(out)!r}: {message}; expected a folder to write to" in line
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("html", ["folder", ""], ids=["a folder", "empty"])
def test_an_html_report_at_a_folder_is_refused_before_the_run(
    html: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The old run went through to the end and was reported "FAILED (failed requests)" with
    # none failed: locust could not write its report into a folder (issue 22, item 13).
    where = str(tmp_path) if html == "folder" else ""
    out = tmp_path / "out"
    line = _refusal(["--html", where, "--out", str(out)], out, capsys)
    assert f"--html {where!r}: a folder; expected a file for locust's HTML report" in line


def test_an_html_report_in_a_missing_folder_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, html = tmp_path / "out", tmp_path / "missing" / "report.html"
    line = _refusal(["--html", str(html), "--out", str(out)], out, capsys)
    assert f"no folder {str(html.parent)!r}; expected a file in a folder that exists" in line


def test_an_empty_out_is_refused_rather_than_writing_into_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = _refusal(["--out", ""], tmp_path, capsys)
    assert "--out ''; expected a folder's path" in line
    assert list(tmp_path.iterdir()) == []  # the old run wrote everything here


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lease", "3s"], "lease=3.0; expected a number from 6 to 60"),
        (
            ["--late-landings", "0.2", "--mock-visitors", "0", "--lease", "30s"],
            "late_landing_delay=25.0 with lease=30.0; expected a delay longer than the lease",
        ),
    ],
    ids=["short", "past the late landings"],
)
def test_a_lease_out_of_range_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert message in _refusal([*argv, "--out", str(out)], out, capsys)
