"""A run's plan refuses bad values before anything starts; the spike's user counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests.errors import PlanError
from loadtests.locustfiles import CRON_PATH
from loadtests.plan import RunPlan
from loadtests.shape import spike_users
from scheduler.app import CRON_PATH as SCHEDULER_CRON_PATH
from scheduler.core.strategies import strategy, strategy_names
from scheduler.settings import DEFAULT_MAX_DURATION


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("users", 0, "users=0; expected a number from 1 to 2000"),
        ("run_time", float("inf"), "run_time=inf; expected a number from 3 to 900"),
        ("schedulers", 17, "schedulers=17; expected a number from 1 to 16"),
        ("strategy", "fifo", "strategy='fifo'; expected one of auto, batched, "),
        ("shape", "ramp", "shape='ramp'; expected one of spike, steady"),
        ("users", 3, "users=3; expected more than the 3 fixed users"),
        ("lease", 5.9, "lease=5.9; expected a number from 6 to 60"),
        ("lease", float("nan"), "lease=nan; expected a number from 6 to 60"),
    ],
)
def test_a_bad_value_is_refused_naming_it(field: str, value: object, expected: str) -> None:
    with pytest.raises(PlanError) as caught:
        RunPlan(out=Path("out"), **{field: value})  # type: ignore[arg-type]
    assert str(caught.value).startswith(expected)


def test_a_late_landing_no_later_than_the_lease_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        RunPlan(
            out=Path("out"), late_landings=0.2, mock_visitors=0, late_landing_delay=20.0, lease=20.0
        )
    assert str(caught.value).startswith("late_landing_delay=20.0 with lease=20.0; expected a delay")
    kept = RunPlan(
        out=Path("out"), late_landings=0.2, mock_visitors=0, late_landing_delay=15.0, lease=9.0
    )
    assert kept.lease == 9.0


@pytest.mark.parametrize("lease", [6.0, 9.0, 15.0, 21.5, 60.0])
def test_the_lease_splits_into_a_budget_and_a_slack_the_schedulers_accept(lease: float) -> None:
    plan = RunPlan(out=Path("out"), lease=lease)
    for name in strategy_names():
        policy = strategy(
            name,
            max_duration=DEFAULT_MAX_DURATION,
            budget=plan.budget,
            lease_slack=plan.lease_slack,
        )
        assert policy.lease == lease
    assert plan.budget == min(DEFAULT_MAX_DURATION, lease * 2 / 3)


def test_the_default_lease_is_the_schedulers_own() -> None:
    plan = RunPlan(out=Path("out"))
    default = strategy("auto", max_duration=DEFAULT_MAX_DURATION)
    assert (plan.budget, plan.lease_slack, plan.lease) == (10.0, 5.0, default.lease)
    assert default.budget == 10.0 and default.lease_slack == 5.0


def test_the_locust_files_call_the_schedulers_cron_path() -> None:
    assert CRON_PATH == SCHEDULER_CRON_PATH


def test_the_spike_is_low_then_peaks_around_the_window_then_stops() -> None:
    wanted = [
        spike_users(t, peak=40, floor=3, spike_at=5.0, hold=3.0, end=12.0)
        for t in (0.0, 3.9, 4.0, 5.0, 7.9, 8.0, 11.9, 12.0)
    ]
    assert wanted == [10, 10, 40, 40, 40, 10, 10, None]


def test_the_spike_never_drops_below_its_floor_nor_exceeds_its_peak() -> None:
    assert spike_users(0.0, peak=8, floor=4, spike_at=5.0, hold=1.0, end=9.0) == 4
    assert spike_users(0.0, peak=3, floor=4, spike_at=5.0, hold=1.0, end=9.0) == 3
