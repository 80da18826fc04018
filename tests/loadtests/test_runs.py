"""Short bounded load runs, end to end: ``python -m loadtests run`` as a subprocess.

Each starts the mock, two scheduler processes on one database and locust headless for 6 s,
then checks the journal against the store; the exit code and ``summary.json`` say how it went.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from loadtests.gym import FIRST_CLASS
from scheduler.core.domain import BookingResult, InstanceId, PrebookingId, UserId
from scheduler.core.status import Event
from scheduler.store import NewPrebooking, open_store
from tests.loadtests.conftest import LoadRun, RunLoadtest

PREBOOKINGS = 20
SEED_POLL = 0.05  # seconds between looks at the store while a run seeds it
SEED_POLLS = 1200  # a minute at most: starting the mock and two schedulers takes seconds


def assert_passed(run: LoadRun) -> None:
    check = run.summary["check"]
    assert run.returncode == 0, run.output
    assert check["ok"], check["details"]
    assert (check["prebookings"], check["ready"], check["booked_once"]) == (PREBOOKINGS,) * 3
    assert check["statuses"]["completed"] == PREBOOKINGS
    assert run.summary["locust_exit_code"] == 0
    cron = run.summary["requests"]["cron"]
    assert cron["count"] > 0
    assert cron["failures"] == 0
    intruder = run.summary["requests"]["cron without secret"]
    assert intruder["count"] > 0
    assert intruder["failures"] == 0  # every call refused with 401


def test_a_short_run_on_sqlite_books_every_prebooking_exactly_once(
    run_loadtest: RunLoadtest, tmp_path: Path
) -> None:
    html = tmp_path / "locust.html"
    run = run_loadtest("--json", "--html", str(html))
    assert_passed(run)
    assert json.loads(run.stdout) == run.summary  # standard output is the summary alone
    for phase in ("starting the mock", "seeding", "running locust", "checking"):
        assert phase in run.output
    assert "<html" in html.read_text()[:1000].lower()


@pytest.mark.postgres
def test_a_short_run_on_postgresql_books_every_prebooking_exactly_once(
    run_loadtest: RunLoadtest, postgres_url: str
) -> None:
    run = run_loadtest("--db", postgres_url, "--strategy", "parallel")
    assert_passed(run)
    assert run.summary["store"].startswith("postgresql")


@pytest.mark.parametrize(
    ("store", "hold"),
    [("sqlite", "0"), pytest.param("postgres", "30", marks=pytest.mark.postgres)],
    ids=["sqlite, dropped at once", "postgresql, held past every timeout"],
)
def test_a_run_losing_a_fifth_of_the_booking_answers_misrecords_nothing(
    run_loadtest: RunLoadtest, request: pytest.FixtureRequest, store: str, hold: str
) -> None:
    url = request.getfixturevalue(f"{store}_url")
    lossy = ["--lost-answers", "0.2", "--lost-answer-hold", hold, "--mock-visitors", "0"]
    run = run_loadtest("--db", url, "--strategy", "parallel", *lossy)
    assert_passed(run)
    check = run.summary["check"]
    assert check["misrecorded"] == 0 and check["violations"]["booked twice"] == 0
    assert check["heard"]["book no answer"] > 0, check["heard"]  # the fault did fire
    assert check["heard"]["listing answered"] > 0  # and the listing settled them


def test_a_completed_prebooking_the_journal_never_saw_fails_the_run(
    run_loadtest: RunLoadtest, sqlite_url: str
) -> None:
    def forge_a_phantom() -> None:
        """Once the run has seeded its store (a run refuses a store that is not empty), write
        a prebooking completed by no one the mock ever saw."""
        with open_store(sqlite_url) as store:
            for _ in range(SEED_POLLS):
                if len(store.list()) >= PREBOOKINGS:
                    break
                time.sleep(SEED_POLL)
            now = time.time()
            store.add(
                [
                    NewPrebooking(
                        id=PrebookingId("phantom"),
                        user=UserId("ghost@loadtest.example"),
                        class_id=FIRST_CLASS,
                        day="20261130",
                        box=1,
                        available_at=now - 60,
                        created_at=now - 3600,
                    )
                ]
            )
            store.claim(PrebookingId("phantom"), InstanceId("forger"), now)
            store.record_result(
                PrebookingId("phantom"),
                InstanceId("forger"),
                event=Event.COMPLETE,
                executed_at=now,
                result=BookingResult(book_state=1, reservation_id="1"),
                error=None,
                attempts=1,
            )

    run = run_loadtest("--db", sqlite_url, "--shape", "steady", during=forge_a_phantom)
    check = run.summary["check"]
    assert run.returncode == 1
    assert check["violations"] == {
        "double": 0,
        "overdue": 0,
        "stuck": 0,
        "phantom": 1,
        "unbooked": 0,
        "stray": 0,
        "unauthorized": 0,
        "booked twice": 0,
        "misrecorded": 0,
        "lost": 0,
    }
    assert check["misrecorded"] == 1  # the phantom
    assert check["details"][0]["subject"] == "phantom"
    assert check["booked_once"] == PREBOOKINGS  # the real ones still passed
    assert "FAILED" in run.output


def test_a_distributed_run_with_a_master_and_two_workers_passes(
    run_loadtest: RunLoadtest,
) -> None:
    run = run_loadtest("--workers", "2")
    assert_passed(run)
    assert run.summary["plan"]["workers"] == 2


def test_outside_members_take_places_and_ours_still_book_once_and_nothing_is_lost(
    run_loadtest: RunLoadtest,
) -> None:
    run = run_loadtest("--outside-members", "3", "--users", "15", "--strategy", "auto")
    check = run.summary["check"]
    assert run.returncode == 0, run.output
    assert check["ok"], check["details"]
    assert check["violations"]["double"] == check["violations"]["overdue"] == 0
    assert check["ready"] == PREBOOKINGS
    assert run.summary["requests"]["outside book"]["count"] > 0
    assert run.summary["requests"]["outside book"]["failures"] == 0
    # every place of the prebooked classes went to someone: ours or theirs
    assert check["booked_once"] + check["outside_placed"] >= PREBOOKINGS
    assert check["places_won"] == check["booked_once"] / PREBOOKINGS
    assert "outside" in run.output  # the summary table shows them
