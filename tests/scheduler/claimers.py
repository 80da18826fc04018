"""What one claimer of ``test_store_concurrency`` does, in a module of its own: the claimer
processes' fork server imports it before forking them, and this one imports only the store, not
pytest and the tests' fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.core.domain import InstanceId
from scheduler.store import SqlStore, Store

__all__ = ["BATCH", "MAX_ROUNDS", "T0", "claim_until_empty", "claimer_process"]

T0 = 1_767_225_600.0
BATCH = 20  # find_ready's limit: every claimer sees the same first rows and races for them
MAX_ROUNDS = 1000  # 10 x the 100 rows: each round claims at least one; this only stops a bug


def claim_until_empty(store: Store, instance: InstanceId, start: Callable[[], Any]) -> list[str]:
    """What one claimer claims: loop find_ready + claim until nothing is ready."""
    start()
    claimed: list[str] = []
    for _ in range(MAX_ROUNDS):
        ready = store.find_ready(T0, limit=BATCH)
        if not ready:
            return claimed
        claimed.extend(p.id for p in ready if store.claim(p.id, instance, T0) is not None)
    raise AssertionError(f"{instance} still found ready rows after {MAX_ROUNDS} rounds")


def claimer_process(url: str, instance: str, barrier: Any, results: Any) -> None:
    """Runs in a process of its own: its own store on the shared database."""
    try:
        with SqlStore(url) as store:
            claimed = claim_until_empty(store, InstanceId(instance), barrier.wait)
        results.put((instance, claimed, None))
    except BaseException as exc:  # report it: a child's traceback is otherwise lost
        results.put((instance, [], f"{type(exc).__name__}: {exc}"))
