"""The store's side of the scheduler's effects: one place that maps each store effect onto the
``Store`` protocol, for every driver (asyncio through a thread, SimPy after a modelled delay)."""

from __future__ import annotations

from typing import Any, TypeAlias, assert_never

from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult

from .protocol import Store

__all__ = ["StoreEffect", "perform"]

StoreEffect: TypeAlias = FindReady | Claim | GetSession | MarkResult


def perform(store: Store, effect: StoreEffect) -> Any:
    """Do ``effect`` on ``store`` and return what the flow expects back (``effects``)."""
    match effect:
        case FindReady(now=now, limit=limit, lease=lease):
            return tuple(store.find_ready(now, limit, lease=lease))
        case Claim(prebooking_id=prebooking_id, instance_id=instance_id, now=now, lease=lease):
            return store.claim(prebooking_id, instance_id, now, lease=lease)
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
            )
        case _:
            assert_never(effect)
