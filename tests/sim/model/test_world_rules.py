"""The simulated AimHarder follows the mock's own rules where they decide who gets a place.

``SimWorld`` books through the mock model's ``Gym``, so a member without credits, or past the
box's daily limit, is refused in the simulation exactly as the mock server refuses them.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from mock_aimharder.model.accounts import Account
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.model.gym import Gym
from scheduler.core.domain import BookingResult, Prebooking, PrebookingId, Session, UserId
from scheduler.core.effects import Book
from scheduler.store import MemoryStore
from sim.model.streams import Streams
from sim.model.world import SimWorld
from sim.scenario import Scenario

DAY = "20261130"


def _world(env: simpy.Environment, config: MockConfig) -> SimWorld:
    gym = Gym(config)
    accounts = {user.email: Account.of(user) for user in config.users}
    return SimWorld(
        env, Scenario(), store=MemoryStore(), gym=gym, accounts=accounts, streams=Streams(0, 1, 0)
    )


def _book(user: str, class_id: int, day: str = DAY) -> Book:
    prebooking = Prebooking(
        id=PrebookingId(f"{user}-{class_id}"),
        user=UserId(user),
        class_id=class_id,
        day=day,
        box=1,
        available_at=0.0,
        created_at=0.0,
    )
    session = Session(user=UserId(user), cookies={"amhrdrauth": "sim"})
    return Book(prebooking=prebooking, session=session, timeout=30.0)


def _run_in_order(world: SimWorld, books: list[Book]) -> list[BookingResult]:
    results: list[BookingResult] = []

    def one_after_another() -> Generator[simpy.Event, Any, None]:
        for effect in books:
            results.append((yield from world.perform(effect)))

    world.env.process(one_after_another())
    world.env.run()
    return results


def _classes(*specs: tuple[int, str, int]) -> list[ClassSpec]:
    return [
        ClassSpec(id=cid, box=1, day=day, time="07:00", capacity=cap) for cid, day, cap in specs
    ]


def test_a_member_without_credits_is_refused_and_leaves_the_place_to_the_next() -> None:
    users = [
        UserAccount(email="broke@sim.example", password="x", id=1, credits=0),
        UserAccount(email="paid@sim.example", password="x", id=2),
    ]
    env = simpy.Environment()
    world = _world(env, MockConfig(users=users, classes=_classes((1, DAY, 1))))
    results = _run_in_order(world, [_book("broke@sim.example", 1), _book("paid@sim.example", 1)])
    assert [(r.book_state, r.message_lang) for r in results] == [(-2, "SIN_CREDITOS"), (1, None)]
    assert world.gym.classes()[0].holders() == [2]


def test_the_daily_limit_refuses_a_second_class_the_same_day_in_the_simulation() -> None:
    users = [UserAccount(email="ana@sim.example", password="x", id=1)]
    classes = _classes((1, DAY, 5), (2, DAY, 5), (3, "20261201", 5))
    env = simpy.Environment()
    world = _world(env, MockConfig(users=users, classes=classes, daily_limit=1))
    books = [_book("ana@sim.example", 1), _book("ana@sim.example", 2)]
    results = _run_in_order(world, [*books, _book("ana@sim.example", 3, day="20261201")])
    assert [r.book_state for r in results] == [1, -8, 1]
