"""Slots: free ones taken at once, the rest in arrival order, a killed waiter out of line."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.slots import Slots


def user(
    env: simpy.Environment, slots: Slots, name: str, hold: float, log: list[tuple[str, float]]
) -> Generator[simpy.Event, Any, None]:
    turn = slots.take()
    try:
        if turn is not None:
            yield turn
        log.append((name, env.now))
        yield env.timeout(hold)
    finally:
        slots.give_back(turn)


def test_two_slots_serve_five_users_in_arrival_order_and_a_killed_waiter_leaves_the_line() -> None:
    env = simpy.Environment()
    slots = Slots(env, 2)
    log: list[tuple[str, float]] = []
    processes = {name: env.process(user(env, slots, name, 1.0, log)) for name in "abcde"}

    def kill_c() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(0.5)  # c is still waiting for a slot
        processes["c"].interrupt()

    def c_dies_quietly(event: simpy.Event) -> None:
        event.defused = True

    processes["c"].callbacks.append(c_dies_quietly)
    env.process(kill_c())
    env.run()
    assert log == [("a", 0.0), ("b", 0.0), ("d", 1.0), ("e", 1.0)]
    assert slots.take() is None and slots.take() is None  # both free again
    assert slots.take() is not None
