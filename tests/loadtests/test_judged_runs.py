"""Load runs the check must judge by what happened, not by the exit of the schedulers: a
prebooking recorded completed that AimHarder never booked fails the run; members from outside
taking places fail nothing as long as ours are booked once."""

from __future__ import annotations

import time

import pytest

from loadtests.gym import FIRST_CLASS
from scheduler.core.domain import BookingResult, InstanceId, PrebookingId, UserId
from scheduler.core.status import Event
from scheduler.store import NewPrebooking, open_store
from tests.loadtests.conftest import PREBOOKINGS, RunLoadtest

pytestmark = pytest.mark.long(30)  # seconds: see tests/conftest.py

SEED_POLL = 0.05  # seconds between looks at the store while a run seeds it
SEED_POLLS = 1200  # a minute at most: starting the mock and two schedulers takes seconds


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
