"""What a run prints at the end: tables within 80 columns, then one PASSED or FAILED line with
its reason; a run too short for its windows says so instead of listing every overdue one."""

from __future__ import annotations

from rich.console import Console

from loadtests.check import MAX_DURATION, ViolationKind, judge, too_short
from loadtests.summary import SHOWN, RequestStats, Summary
from scheduler.core.status import Status
from tests.loadtests.test_check import LEASE, NOW, attempt, prebooking


def summary(prebookings: int, *, opened: float, booked: bool) -> Summary:
    """A run of ``prebookings`` pending ones whose windows opened ``opened`` s before the end
    (``booked``: each took its place instead)."""
    status = Status.COMPLETED if booked else Status.PENDING
    rows = [prebooking(f"a{i}", status, available_at=NOW - opened) for i in range(prebookings)]
    tried = [attempt(i, f"a{i}", 1) for i in range(prebookings)] if booked else []
    cron = RequestStats(
        name="cron without secret", count=9, failures=0, p50_ms=12.0, p95_ms=340.0,
        p99_ms=1200.0, max_ms=1500.0, rps=41.7,
    )  # fmt: skip
    return Summary(
        plan={},
        store="postgresql://postgres@127.0.0.1:5432/a_rather_long_database_name_for_a_run",
        locust_exit_code=0,
        peak_users=20,
        peak_cron_users=17,
        requests={cron.name: cron},
        verdict=judge(rows, tried, now=NOW, lease=LEASE),
        seconds=20.0,
        too_short=too_short(rows, now=NOW),
        enough_run_time=16,
    )


def printed(run: Summary) -> list[str]:
    console = Console(width=80, record=True, color_system=None)
    run.print(console)
    return console.export_text().rstrip("\n").splitlines()


def test_a_passed_run_fits_80_columns_and_ends_with_its_verdict() -> None:
    lines = printed(summary(20, opened=30.0, booked=True))
    assert all(len(line) <= 80 for line in lines), lines
    assert (
        lines[-1] == "PASSED: all 20 ready prebookings booked once, none stuck, no intruder let in"
    )


def test_overdue_ones_that_opened_near_the_end_mean_the_run_was_too_short() -> None:
    run = summary(20, opened=MAX_DURATION / 2, booked=False)
    assert run.too_short and not run.ok
    lines = printed(run)
    assert all(len(line) <= 80 for line in lines), lines
    verdict = "\n".join(lines[lines.index(next(x for x in lines if x.startswith("FAILED"))) :])
    assert verdict.startswith("FAILED: 20 overdue; the run was too short for its windows")
    assert "--run-time 16s" in verdict
    assert not [line for line in lines if line.startswith("  overdue")]


def test_overdue_ones_that_waited_a_whole_limit_are_the_schedulers_fault() -> None:
    run = summary(20, opened=MAX_DURATION * 3, booked=False)
    assert not run.too_short
    lines = printed(run)
    assert "too short" not in "\n".join(lines)
    listed = [line for line in lines if line.startswith(f"  {ViolationKind.OVERDUE.value}")]
    assert len(listed) == SHOWN
    assert f"  ... {20 - SHOWN} more overdue in summary.json" in lines
    assert lines[-1].startswith("FAILED: 20 overdue")


def test_the_reason_is_in_the_json_summary() -> None:
    run = summary(3, opened=1.0, booked=False)
    assert run.to_json()["reason"] == run.reason()
    assert run.to_json()["too_short"] is True
