"""Short bounded load runs, end to end: ``python -m loadtests run``'s ``main`` (``run_loadtest``).

Each starts the mock, two scheduler processes on one database and locust headless for 6 s,
then checks the journal against the store; the exit code and ``summary.json`` say how it went.
The runs are spread over three files (this one, ``test_lossy_runs.py``,
``test_judged_runs.py``) so that two workers can share them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.loadtests.conftest import PREBOOKINGS, RunLoadtest, assert_passed

pytestmark = pytest.mark.long(40)  # seconds: see tests/conftest.py


def test_a_short_run_on_sqlite_books_every_prebooking_exactly_once(
    run_loadtest: RunLoadtest, tmp_path: Path
) -> None:
    html = tmp_path / "locust.html"
    run = run_loadtest("--json", "--html", str(html))
    assert_passed(run)
    assert json.loads(run.stdout) == run.summary  # standard output is the summary alone
    for phase in ("starting the mock", "seeding", "running locust", "checking"):
        assert phase in run.output
    page = html.read_text(encoding="utf-8")
    assert "<html" in page[:1000].lower()
    # One page: the harness's verdict first, then locust's own report (its data and charts).
    verdict, locust = page.split('<div id="root">')
    assert '<section id="harness-verdict"' in verdict
    assert f"all {PREBOOKINGS} ready prebookings booked once" in verdict
    assert "window.templateArgs" in locust


@pytest.mark.postgres
def test_a_short_run_on_postgresql_books_every_prebooking_exactly_once(
    run_loadtest: RunLoadtest, postgres_url: str
) -> None:
    run = run_loadtest("--db", postgres_url, "--strategy", "parallel")
    assert_passed(run)
    assert run.summary["store"].startswith("postgresql")


def test_a_distributed_run_with_a_master_and_two_workers_passes(
    run_loadtest: RunLoadtest,
) -> None:
    run = run_loadtest("--workers", "2")
    assert_passed(run)
    assert run.summary["plan"]["workers"] == 2
