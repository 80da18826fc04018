"""The outside crowd: sends every class's outside members' bookings at their instants.

The stream is the model's (``Gym.outside_schedule``: ``model.outside`` seeded with the server's
seed and the class id), so the simulation sends the same outsiders at the same instants. Each
request goes into the booking endpoint's pipeline as one that reached the server at its instant
(``EndpointPipeline.admit``): it queues for the same slots as ours, in arrival order, and the
booking rules and the journal are the gym's.

Requests whose instant passed before the crowd learned of them are not sent (the mock cannot go
back in time); a change of classes, seed or clock offset (``MockRuntime.changed``) re-plans what
is still ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.gym import BookingOutcome
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.outside import OutsideRequest
from mock_aimharder.server.runtime import MockRuntime

__all__ = ["OutsideCrowd", "crowd_lifespan"]

Key = tuple[float, int, int]  # (instant on the wall clock, class id, member): the sending order


class OutsideCrowd:
    """One task that sleeps until the next outside request is due and sends it."""

    def __init__(self, runtime: MockRuntime) -> None:
        self._runtime = runtime
        self._sent_up_to: Key = (runtime.clock().wall, -1, -1)
        self._requests: set[asyncio.Task[BookingOutcome]] = set()

    def _ahead(self) -> list[tuple[float, int, OutsideRequest]]:
        runtime = self._runtime
        service = runtime.config.latency_of(Endpoint.BOOK).service
        schedule = runtime.gym.outside_schedule(seed=runtime.seed, service=service)
        return [item for item in schedule if (item[0], item[1], item[2].member) > self._sent_up_to]

    async def run(self) -> None:
        """Send forever (until cancelled), planning again after every change."""
        changed = self._runtime.changed
        while True:
            changed.clear()
            for at, class_id, request in self._ahead():
                wait = at - self._runtime.clock().wall
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), wait)
                    if changed.is_set():
                        break
                self._send(at, class_id, request)
            else:
                await changed.wait()

    def _send(self, at: float, class_id: int, request: OutsideRequest) -> None:
        runtime = self._runtime
        self._sent_up_to = (at, class_id, request.member)
        now = runtime.clock()
        reached = now.monotonic + (at - now.wall)

        def work(received: Stamp, processed: Stamp) -> BookingOutcome:
            return runtime.gym.book_outside(
                class_id, request, received=received, processed=processed
            )

        pipeline = runtime.pipelines[Endpoint.BOOK]
        task = asyncio.create_task(pipeline.admit(work, reached=reached, service=request.service))
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)

    async def stop(self) -> None:
        """Cancel the requests still on their way."""
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)


@asynccontextmanager
async def crowd_lifespan(app: Any) -> AsyncIterator[None]:
    """The application's lifespan: the crowd runs while the server serves."""
    crowd = OutsideCrowd(app.state.runtime)
    task = asyncio.create_task(crowd.run(), name="outside crowd")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await crowd.stop()
