"""The mock server and the model answer a fixed sequence of bookings alike, outsiders included.

One class, one seed: the outside stream is the model's (``Gym.outside_schedule``), sent by the
mock server's crowd in real time and by ``SimWorld`` in simulated time; our three members book at
chosen instants (one too early, the others between outside arrivals, at least 60 ms from any,
so loopback's few milliseconds cannot reorder them). Both journals must tell the same story:
who was processed in which order, ours or outside, and what each was answered.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import simpy

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.gym import Gym
from mock_aimharder.model.journal import JournalEntry
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve
from scheduler.core.domain import Prebooking, PrebookingId, Session, UserId
from scheduler.core.effects import Book
from scheduler.store import MemoryStore
from sim.model.streams import Streams
from sim.model.world import SimWorld
from sim.scenario import Scenario
from tests.mock_aimharder.support import a_class, book, email, jarless_client, login, users

SEED = 11
OUTSIDE = {
    "burst": 4,
    "burst_spread": 0.8,
    "latency": {"kind": "uniform", "low": 0.0, "high": 0.2},
    "rate": 2.0,
    "tail": 1.2,
}
MARGIN = 0.06  # seconds between any of ours and any outsider
LATER = "20300115"  # the class's day: after every opening the test sets


def _config(opens_at: float) -> MockConfig:
    spec = a_class(capacity=4, day=LATER, opens_at=opens_at, outside=OUTSIDE)
    return MockConfig(users=users(3), classes=[spec])


def _our_offsets() -> list[float]:
    """Too early, then the two widest gaps between outside arrivals (from the opening)."""
    schedule = Gym(_config(0.0)).outside_schedule(
        seed=SEED, service=_config(0.0).latency_of(Endpoint.BOOK).service
    )
    arrivals = [0.0] + [at for at, _, _ in schedule]
    gaps = sorted(itertools.pairwise(arrivals), key=lambda g: g[0] - g[1])[:2]
    assert all(b - a >= 2 * MARGIN for a, b in gaps), gaps  # the seed leaves room
    return [-0.3, *sorted((a + b) / 2 for a, b in gaps)]


def _story(entries: list[JournalEntry]) -> list[tuple[str, bool, int | None]]:
    return [(e.user, e.outside, e.book_state) for e in entries]


def _model(offsets: list[float]) -> list[tuple[str, bool, int | None]]:
    opens_at = 100.0
    config = _config(opens_at)
    env, gym = simpy.Environment(), Gym(config)
    scenario = Scenario.from_data({"aimharder": {"book": {"inbound": 0.0, "outbound": 0.0}}})
    accounts = {u.email: Account.of(u) for u in config.users}
    world = SimWorld(
        env,
        scenario,
        store=MemoryStore(),
        gym=gym,
        accounts=accounts,
        streams=Streams(seed=0, load=1, replication=0),
        outside_seed=SEED,
    )

    def ours(n: int, at: float) -> Any:
        yield env.timeout(at)
        prebooking = Prebooking(
            id=PrebookingId(f"p{n}"),
            user=UserId(email(n)),
            class_id=1,
            day=LATER,
            box=config.classes[0].box,
            available_at=opens_at,
            created_at=0.0,
        )
        session = Session(user=prebooking.user)
        yield from world.perform(Book(prebooking=prebooking, session=session, timeout=5.0))

    for n, offset in enumerate(offsets):
        env.process(ours(n, opens_at + offset))
    env.run(until=opens_at + 5.0)
    return _story(gym.journal.since(0))


async def _mock(offsets: list[float]) -> list[tuple[str, bool, int | None]]:
    opens_at = time.time() + 1.0
    app = create_app(_config(opens_at), seed=SEED)
    with serve(app) as url:
        async with jarless_client(url) as client:
            cookies = [await login(client, email(n)) for n in range(3)]

            async def ours(n: int, offset: float) -> None:
                await asyncio.sleep(opens_at + offset - time.time())
                await book(client, cookies[n], day=LATER)

            await asyncio.gather(*(ours(n, offset) for n, offset in enumerate(offsets)))
            await asyncio.sleep(opens_at + 1.5 - time.time())  # the tail's last arrival
    return _story(app.state.runtime.gym.journal.since(0))


async def test_mock_and_model_give_the_same_answers_to_the_same_sequence() -> None:
    offsets = _our_offsets()
    model = _model(offsets)
    assert sum(outside for _, outside, _ in model) >= 4  # the burst at least
    assert (email(0), False, -12) in model  # too early
    assert await _mock(offsets) == model
