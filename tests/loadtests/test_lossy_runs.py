"""Load runs whose booking answers are lost on the way back (``--lost-answers``): the
schedulers settle them from AimHarder's listing and record none of them wrongly.

The schedulers' lease is 9 s (as in ``test_late_runs.py``), not their default 15 s: after the
load the run waits for the invocations in flight and then out the last lease before its last
cron call, and a held answer outlives both either way (30 s against a 4 s deadline and a 9 s
lease, where it was 8 s and 15 s), so the case is the same, about 7 s sooner."""

from __future__ import annotations

import pytest

from tests.loadtests.conftest import RunLoadtest, assert_passed

pytestmark = pytest.mark.long(35)  # seconds: see tests/conftest.py


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
    lossy += ["--lease", "9s"]
    run = run_loadtest("--db", url, "--strategy", "parallel", *lossy)
    assert_passed(run)
    check = run.summary["check"]
    assert check["misrecorded"] == 0 and check["violations"]["booked twice"] == 0
    assert check["heard"]["book no answer"] > 0, check["heard"]  # the fault did fire
    assert check["heard"]["listing answered"] > 0  # and the listing settled them
