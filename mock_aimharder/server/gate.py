"""A capacity gate that admits strictly in arrival order (FIFO).

``asyncio.Semaphore`` lets a newcomer take a slot that is free at the moment it asks even when
others are queued (the "barging" its docs allow), so it does not guarantee arrival order. This
gate hands a released slot directly to the oldest waiter, which is the mock's capacity rule:
N requests at once, the rest queue in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["FifoGate"]


class FifoGate:
    """At most ``capacity`` holders at once (None: no limit); waiters are served in order."""

    def __init__(self, capacity: int | None) -> None:
        if capacity is not None and capacity < 1:
            raise ValueError(f"capacity {capacity!r}; expected an int >= 1 or None")
        self.capacity = capacity
        self._holders = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def holders(self) -> int:
        """How many hold a slot now."""
        return self._holders

    @property
    def queued(self) -> int:
        """How many wait for a slot now."""
        return len(self._waiters)

    async def acquire(self) -> None:
        """Wait for a slot; a cancelled waiter leaves the queue (or passes its slot on)."""
        if self.capacity is None:
            self._holders += 1
            return
        if self._holders < self.capacity and not self._waiters:
            self._holders += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give the slot to the oldest live waiter, or free it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on: ``_holders`` is unchanged
                return
        self._holders -= 1

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the ``async with`` body."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()
