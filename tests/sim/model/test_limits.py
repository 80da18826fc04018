"""The platform's limit drives the guard in the model: a what-if on the limit changes the runs."""

from __future__ import annotations

import pytest

from sim.model.replication import run_replication
from sim.scenario import Scenario, ScenarioError


def with_limit(limit: float, **policy: float) -> Scenario:
    return Scenario.from_data(
        {
            "platform": {"max_duration": limit},
            "policy": policy,
            "experiment": {"limits": [limit]},
        }
    )


def test_the_budget_is_the_platform_limit_unless_the_policy_table_sets_it() -> None:
    assert with_limit(60.0).policy_for("sequential").budget == 60.0
    assert with_limit(60.0, budget=30.0).policy_for("parallel").budget == 30.0


def test_a_scenario_whose_budget_outlasts_the_limit_is_refused_naming_both() -> None:
    with pytest.raises(ScenarioError) as refused:
        with_limit(10.0, budget=60.0)
    assert "budget=60.0 outlasts the platform limit max_duration=10.0" in str(refused.value)
    # a budget set apart must fit every limit the trigger section sweeps
    sweep = {"policy": {"budget": 30.0}, "experiment": {"limits": [10.0, 60.0]}}
    with pytest.raises(ScenarioError, match=r"budget=30\.0 outlasts .* max_duration=10\.0"):
        Scenario.from_data({"platform": {"max_duration": 60.0}, **sweep})


def test_sequential_takes_more_per_invocation_at_sixty_seconds_than_at_ten() -> None:
    # 30 per class at 0.3-0.6 s each: the 10 s guard stops sending at 7 s (about 12 sent);
    # at 60 s one invocation has room for all 30.
    def most_per_invocation(limit: float) -> int:
        result = run_replication(with_limit(limit), "sequential", 30, 0)
        done = [i.report.completed + i.report.failed for i in result.invocations if i.report]
        return max(done)

    at_ten, at_sixty = most_per_invocation(10.0), most_per_invocation(60.0)
    assert at_ten < 20
    assert at_sixty == 30
