"""A real gym for real runs: the mock AimHarder's configuration with athletes and one class,
every athlete logged in through it (their cookies in the scheduler's store), one prebooking
each, and the mock's journal of bookings read back.

What the tests, the benchmarks and the simulation's real runs (``sim.validation.real``) start
alike; the load tests' gym (``loadtests.gym``) logs its athletes in here too. Unlike the rest of
``harness`` it uses the real scheduler's client and store: it is the one module here that runs
the parts, not only judges them. Where the mock runs (a process of its own,
``harness.children.mock_process``, or a thread of the tests) is the caller's choice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import Any

from harness.journal import journal_entries
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from scheduler.client import AimHarderClient
from scheduler.connections import Connections
from scheduler.core.domain import PrebookingId, UserId
from scheduler.store import NewPrebooking, Store

__all__ = [
    "CLASS_ID",
    "DAY",
    "PASSWORD",
    "SEED",
    "enqueue",
    "gym_config",
    "journal",
    "log_in_all",
    "users",
]

CLASS_ID = 4242
DAY = "20261130"
PASSWORD = "pw"  # noqa: S105 (the mock's athletes, on loopback only)
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


def log_in_all(
    store: Store, base_url: str, athletes: Iterable[UserId], *, password: str = PASSWORD
) -> None:
    """Real logins through the mock's JSON login, all at once; the cookies go to the store."""

    async def run() -> None:
        async with Connections(base_url) as connections:
            client = AimHarderClient(connections, base_url=base_url)
            sessions = await asyncio.gather(*(client.login(u, password) for u in athletes))
        for session in sessions:
            store.save_session(session, time.time())

    asyncio.run(run())


def enqueue(
    store: Store,
    athletes: list[UserId],
    *,
    available_at: float,
    day: str = DAY,
    created_at: Sequence[float] | None = None,
    tag: str = "",
) -> list[PrebookingId]:
    """One prebooking each, asked for at ``created_at`` (one per athlete), or else in the
    order given, a second apart, an hour before ``available_at``; ``tag`` in each id (a store
    that takes a second round of the same athletes needs new ids)."""
    asked = created_at or [available_at - 3600 + i for i in range(len(athletes))]
    if len(asked) != len(athletes):
        raise ValueError(f"{len(asked)} request times for {len(athletes)} athletes")
    added = store.add(
        NewPrebooking(
            id=PrebookingId(f"pb-{tag}{user.split('@')[0]}"),
            user=user,
            class_id=CLASS_ID,
            day=day,
            box=1,
            available_at=available_at,
            created_at=when,
        )
        for user, when in zip(athletes, asked, strict=True)
    )
    return [p.id for p in added]


def journal(base_url: str) -> list[dict[str, Any]]:
    """The mock's record of booking attempts in the order it processed them."""
    return [e for e in journal_entries(base_url) if e["kind"] == "book"]
