"""One stopped claimer does not stop the fleet (issue 22, item 4): a PostgreSQL row held by a
transaction that does not end (a process stopped in the middle of its claim) is skipped by
other claims, which take the rest at once; the old claim waited for the lock."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from scheduler.store import SqlStore

from .test_store_contract import T0, A, new

pytestmark = pytest.mark.long(5)  # seconds: see tests/conftest.py

LEASE = 15.0
AT_ONCE = 2.0  # seconds: the old claim waited the statement timeout (30 s) for the lock


def test_claims_skip_a_row_a_stopped_transaction_holds_and_take_the_others(
    postgres_url: str,
) -> None:
    store = SqlStore(postgres_url)
    try:
        first, second = store.add([new(1), new(2)])
        engine = create_engine(store._url)
        with engine.connect() as stopped:
            stopped.begin()
            stopped.execute(
                text("SELECT id FROM prebookings WHERE id = :id FOR UPDATE"), {"id": first.id}
            )
            began = time.monotonic()
            taken = store.claim_many([first.id, second.id], A, T0, lease=LEASE)
            alone = store.claim(first.id, A, T0, lease=LEASE)
            waited = time.monotonic() - began
            stopped.rollback()
        engine.dispose()
        assert (sorted(taken), alone) == ([second.id], None)
        assert waited < AT_ONCE, f"claims waited {waited:.1f} s on a held row"
        assert store.claim(first.id, A, T0, lease=LEASE) is not None  # once it is let go
    finally:
        store.close()
