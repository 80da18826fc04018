"""The real prebooking scheduler: a core with no I/O and the drivers that run it.

The package exports the core, which is what a driver needs: the flows, the effects it must
perform and the reply it sends back, the policy and its presets, and the report. Drivers, the
store, the HTTP client and the endpoint live in their own modules and are imported from there.
"""

from scheduler.effects import (
    Book,
    Claim,
    Effect,
    FindReady,
    Finished,
    Flow,
    GetSession,
    MarkResult,
    Reply,
    Sleep,
    Spawn,
    WaitAny,
)
from scheduler.flows import execute_one, run_invocation
from scheduler.outcome import Disposition, InvocationReport, Outcome
from scheduler.policy import Policy, PolicyError
from scheduler.strategies import PRESETS, PolicyConfig, strategy, strategy_names

__all__ = [
    "PRESETS",
    "Book",
    "Claim",
    "Disposition",
    "Effect",
    "FindReady",
    "Finished",
    "Flow",
    "GetSession",
    "InvocationReport",
    "MarkResult",
    "Outcome",
    "Policy",
    "PolicyConfig",
    "PolicyError",
    "Reply",
    "Sleep",
    "Spawn",
    "WaitAny",
    "execute_one",
    "run_invocation",
    "strategy",
    "strategy_names",
]
