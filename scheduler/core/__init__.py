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
    exchange     the history's notes: what was sent to AimHarder, what was heard back

Nothing here imports outside this package and the standard library's pure modules (an
import-linter contract in ``pyproject.toml``); drivers (``scheduler.aio``,
``sim.model.driver``) only
interpret the effects.
"""

__all__: list[str] = []
