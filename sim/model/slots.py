"""A limited number of slots (a database's connections, a server's workers), taken in order.

What ``simpy.Resource`` models, without its cost where it models nothing: a free slot is taken
at once (the Resource's request is an event even then, processed later at the same instant) and
giving one back is not an event either. Who waits, waits in arrival order, and a slot given back
passes straight to the first of them, as with the Resource.
"""

from __future__ import annotations

from collections import deque

import simpy

__all__ = ["Slots"]


class Slots:
    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self._env = env
        self._free = capacity
        self._waiting: deque[simpy.Event] = deque()

    def take(self) -> simpy.Event | None:
        """None when a slot was free, now taken; else the event of its turn (yield it)."""
        if self._free and not self._waiting:
            self._free -= 1
            return None
        turn = self._env.event()
        self._waiting.append(turn)
        return turn

    def give_back(self, turn: simpy.Event | None) -> None:
        """End a ``take``: the slot goes to the next in line; a turn that never came (its
        process was killed while waiting) leaves the line instead."""
        if turn is not None and not turn.triggered:
            self._waiting.remove(turn)
        elif self._waiting:
            self._waiting.popleft().succeed()
        else:
            self._free += 1
