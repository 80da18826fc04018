"""The store's side of the scheduler's effects: one place that maps each store effect onto the
``Store`` protocol, for every driver (asyncio through a thread, SimPy after a modelled delay).

A claim may be stamped with the driver's clock when the store call runs (``ran_at``: SimPy's,
after the modelled database delay) rather than the instant the flow asked for it, since
``claimed_at`` says when the row was taken and the lease counts from it. The SQL store in an
invocation stamps its claims itself, after any lock wait (``SqlStore.claim``).
"""

from __future__ import annotations

from typing import Any, TypeAlias, assert_never

from scheduler.core.domain import Instant
from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult

from .protocol import Store

__all__ = ["StoreEffect", "perform"]

StoreEffect: TypeAlias = FindReady | Claim | GetSession | MarkResult


def perform(store: Store, effect: StoreEffect, *, ran_at: Instant | None = None) -> Any:
    """Do ``effect`` on ``store`` and return what the flow expects back (``effects``).

    ``ran_at``: the driver's clock as the call runs (None: the effect's own instant).
    """
    match effect:
        case FindReady(now=now, limit=limit, lease=lease):
            return tuple(store.find_ready(now, limit, lease=lease))
        case Claim(prebooking_id=prebooking_id, instance_id=instance_id, lease=lease):
            at = effect.now if ran_at is None else ran_at
            return store.claim(prebooking_id, instance_id, at, lease=lease)
        case GetSession(user=user):
            return store.get_session(user)
        case MarkResult():
            return store.record_result(
                effect.prebooking_id,
                effect.instance_id,
                event=effect.event,
                executed_at=effect.executed_at,
                result=effect.result,
                error=effect.error,
                attempts=effect.attempts,
                unanswered_at=effect.unanswered_at,
            )
        case _:
            assert_never(effect)
