"""Store calls gathered into batches: which batch goes first, and how one batch is performed.

Shared by both drivers (the asyncio one's ``scheduler.gathering`` on the store's threads, the
SimPy model's ``sim.model.database`` after a modelled delay), so the model's store is driven by
the same
rule as the real one. Calls of one kind that wait together go as one: claims in one statement
(``Store.claim_many``: the same lease and claimer rules as one claim) with the claimed users'
sessions read on the same trip (``Store.get_sessions``), sessions in one query, results in one
transaction (``Store.record_results``). Each call still gets its own answer, or its own failure.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, TypeAlias

from scheduler.core.domain import (
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Seconds,
    Session,
    UserId,
)
from scheduler.core.effects import Claim, FindReady, GetSession, MarkResult
from scheduler.core.errors import CorruptRowError, StoreError

from .perform import StoreEffect, perform
from .protocol import Store

__all__ = ["PRIORITY", "Answers", "Sessions", "own", "perform_batch"]

# Who goes first when the store frees: what a send waits for, then the rest. Claims and session
# reads go before results: a send never waits for a result to be written.
PRIORITY: tuple[type[StoreEffect], ...] = (Claim, GetSession, FindReady, MarkResult)
# Per call of a batch, in order: its value, or the exception it gets.
Answers: TypeAlias = list[Any]
# The sessions of the users just claimed for (None: the user has none), read with the claims.
Sessions: TypeAlias = dict[UserId, Session | CorruptRowError | None]


def perform_batch(
    store: Store, effects: Sequence[StoreEffect], *, ran_at: Instant | None = None
) -> tuple[Answers, Sessions]:
    """Run one batch (all of one kind): per call its value or exception, and the sessions read
    for the claims' users. ``ran_at``: the driver's clock as the batch runs (None: the latest
    instant a claim of the batch was asked at)."""
    first = effects[0]
    if isinstance(first, Claim):
        return _claims(store, [e for e in effects if isinstance(e, Claim)], ran_at)
    if isinstance(first, GetSession):
        found = store.get_sessions([e.user for e in effects if isinstance(e, GetSession)])
        return [found.get(e.user) for e in effects if isinstance(e, GetSession)], {}
    if isinstance(first, MarkResult) and len(effects) > 1:
        marks = [e for e in effects if isinstance(e, MarkResult)]
        return list(store.record_results(marks)), {}
    return [_alone(store, effect) for effect in effects], {}


def own(failure: BaseException, shared_by: int) -> BaseException:
    """A copy of ``failure`` for each call it answers: the driver stamps each with its time."""
    if shared_by == 1:
        return failure
    try:
        return copy.copy(failure)
    except TypeError:  # an exception whose constructor takes other arguments than its message
        return failure


def _alone(store: Store, effect: StoreEffect) -> Any:
    try:
        return perform(store, effect)
    except Exception as exc:  # this call's own failure; the others of the batch go on
        return exc


def _claims(
    store: Store, claims: Sequence[Claim], ran_at: Instant | None
) -> tuple[Answers, Sessions]:
    """One ``claim_many`` per claimer and lease (one invocation has one of each), at ``ran_at``
    or else the latest instant of the batch: every claim in it was asked by then, and is
    performed later still. Then, in the same trip, one query for the sessions of what was
    claimed: each claimed prebooking's next call is for its user's session."""
    groups: dict[tuple[InstanceId, Seconds | None], list[Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.instance_id, claim.lease), []).append(claim)
    taken: dict[tuple[InstanceId, PrebookingId], Any] = {}
    for (instance_id, lease), group in groups.items():
        now = max(claim.now for claim in group) if ran_at is None else ran_at
        ids = [claim.prebooking_id for claim in group]
        claimed = store.claim_many(ids, instance_id, now, lease=lease)
        taken.update(((instance_id, i), claimed.get(i)) for i in ids)
    answers = [taken[(claim.instance_id, claim.prebooking_id)] for claim in claims]
    users = list(dict.fromkeys(p.user for p in answers if isinstance(p, Prebooking)))
    try:
        found = store.get_sessions(users) if users else {}
    except StoreError:  # the claims stand; each session is asked for on its own
        return answers, {}
    return answers, {user: found.get(user) for user in users}
