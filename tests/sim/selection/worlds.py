"""Scenarios the selection's tests share."""

from __future__ import annotations

from sim.scenario import Scenario

__all__ = ["FETCH_BOUND"]

# Three classes a minute, 6 prebookings each, at most 5 fetched per invocation: 18 open each
# minute, so a backlog grows every minute and is still there when the run ends, whatever the
# strategy.
FETCH_BOUND = Scenario.from_data(
    {
        "workload": {"minutes": 2, "classes_per_minute": 3},
        "policy": {"limit": 5},
        "experiment": {
            "strategies": ["parallel", "sequential"],
            "loads": [6],
            "replications": 2,
            "drain_minutes": 1,
            "kn_max_replications": 3,
        },
    }
)
