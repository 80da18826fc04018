"""Support for real runs: the mock AimHarder on loopback, users logged in through it, a store
of prebookings for them, and the journal read back."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text

from harness.children import mock_process
from harness.journal import journal_entries
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve
from scheduler.client import AimHarderClient
from scheduler.connections import Connections
from scheduler.core.domain import PrebookingId, UserId
from scheduler.store import NewPrebooking, SqlStore, Store

__all__ = [
    "CLASS_ID",
    "DAY",
    "SEED",
    "enqueue",
    "gym_config",
    "journal",
    "locked",
    "log_in_all",
    "mock_gym",
    "users",
]

CLASS_ID = 4242
DAY = "20261130"
PASSWORD = "pw"
SEED = 7  # of the mock's draws


def users(count: int) -> list[UserId]:
    return [UserId(f"athlete{i:02d}@example.com") for i in range(count)]


def gym_config(
    athletes: int,
    *,
    capacity: int = 100,
    opens_at: float | None = None,
    day: str = DAY,
    **config: Any,
) -> MockConfig:
    """A mock AimHarder with ``athletes`` accounts and one class, whose window is open, or
    opens at ``opens_at`` (wall-clock seconds) when given."""
    return MockConfig(
        users=[UserAccount(email=u, password=PASSWORD) for u in users(athletes)],
        classes=[
            ClassSpec(
                id=CLASS_ID, box=1, day=day, time="07:00", capacity=capacity, opens_at=opens_at
            )
        ],
        **config,
    )


@contextmanager
def mock_gym(athletes: int, *, own_process: bool = False, **config: Any) -> Iterator[str]:
    """The mock of ``gym_config(athletes, **config)``; yields its base URL.

    ``own_process`` runs it as ``python -m mock_aimharder`` instead of in a thread of this
    process, so that its work does not share this interpreter's lock (for measurements).
    """
    mock = gym_config(athletes, **config)
    if not own_process:
        with serve(create_app(mock, seed=SEED)) as url:
            yield url
        return
    with mock_process(mock, seed=SEED) as url:
        yield url


def log_in_all(store: Store, base_url: str, athletes: list[UserId]) -> None:
    """Real logins through the mock's JSON login; the cookies go to the store."""

    async def run() -> None:
        async with Connections(base_url) as connections:
            client = AimHarderClient(connections, base_url=base_url)
            sessions = await asyncio.gather(*(client.login(u, PASSWORD) for u in athletes))
        for session in sessions:
            store.save_session(session, time.time())

    asyncio.run(run())


def enqueue(
    store: Store, athletes: list[UserId], *, available_at: float, day: str = DAY
) -> list[PrebookingId]:
    """One prebooking each, asked for in the order given (a second apart)."""
    added = store.add(
        NewPrebooking(
            id=PrebookingId(f"pb-{user.split('@')[0]}"),
            user=user,
            class_id=CLASS_ID,
            day=day,
            box=1,
            available_at=available_at,
            created_at=available_at - 3600 + i,
        )
        for i, user in enumerate(athletes)
    )
    return [p.id for p in added]


def journal(base_url: str) -> list[dict[str, Any]]:
    """The mock's record of booking attempts in the order it processed them."""
    return [e for e in journal_entries(base_url) if e["kind"] == "book"]


@contextmanager
def locked(url: str, *, seconds: float | None = None) -> Iterator[None]:
    """Another connection keeps the prebookings from being written: PostgreSQL's table lock
    (``EXCLUSIVE``: reads go on, writes wait), SQLite's write lock (``BEGIN IMMEDIATE``).

    Held until the block ends, or for ``seconds`` from the start if given (then the block may
    end first; the lock is released on time all the same, and waited for on the way out).
    """
    engine = create_engine(SqlStore(url)._url)
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.begin()
                connection.execute(text("LOCK TABLE prebookings IN EXCLUSIVE MODE"))
            taken.set()
            release.wait(seconds)
            connection.rollback()

    holder = threading.Thread(target=hold, name="test-lock-holder")
    holder.start()
    try:
        if not taken.wait(10):
            raise RuntimeError(f"could not lock the prebookings of {url}")
        yield
    finally:
        if seconds is None:
            release.set()
        holder.join()
        engine.dispose()
