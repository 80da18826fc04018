"""The scheduler's core: every decision about prebookings, with no I/O and no clock.

    domain       prebookings, sessions, booking results, the units (Seconds, Instant)
    status       the statuses and the table of legal moves between them
    rules        the store's status rules (claimable, lease), shared by every store
    errors       the scheduler's error tree
    effects      what a flow asks a driver to do, and the replies it gets back
    strategies   one PolicyConfig, the named presets
    policy       what starts now, when to wake next
    retry        which failures are worth another attempt, and when
    verdict      what an AimHarder answer means
    outcome      what became of each prebooking; the invocation's report
    flows        one invocation as a generator of effects
    booking      one prebooking: claim, settle what is unknown, book, record

Nothing here imports outside this package and the standard library's pure modules (an
import-linter contract in ``pyproject.toml``); drivers (``scheduler.aio``, ``sim.driver``) only
interpret the effects.
"""

from scheduler.core.effects import (
    Book,
    Claim,
    Effect,
    FindReady,
    Finished,
    Flow,
    GetSession,
    MarkResult,
    ReadPlace,
    Reply,
    Sleep,
    Spawn,
    WaitAny,
)
from scheduler.core.flows import execute_one, run_invocation
from scheduler.core.outcome import Disposition, InvocationReport, Outcome
from scheduler.core.policy import Policy, PolicyError
from scheduler.core.strategies import (
    PRESETS,
    PolicyConfig,
    check_within_limit,
    strategy,
    strategy_names,
)

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
    "ReadPlace",
    "Reply",
    "Sleep",
    "Spawn",
    "WaitAny",
    "check_within_limit",
    "execute_one",
    "run_invocation",
    "strategy",
    "strategy_names",
]
