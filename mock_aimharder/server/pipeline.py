"""The path of one request through an endpoint: delay in, queue, process, delay out.

Per request, in this order (the mock's latency model, ``mock_aimharder/API.md``):

1. draw everything for it at arrival: inbound, service and outbound delays and its fault, each
   from its own seeded stream, so the n-th request to an endpoint always gets the same draws;
2. wait out the inbound delay; the request has now *reached the server* (``received``);
3. a faulted request stops here: it takes no slot, books nothing and is not journaled (500, 503
   and 429 still take the outbound delay back; a hang or a drop answers nothing), except a lost
   answer, which goes on like any request and loses its answer at the end (``Faulted``);
4. wait for a capacity slot, FIFO by the moment each request reached the server;
5. holding the slot, wait out the service time, *then* do the domain work: the booking takes
   effect (and gets its journal ``seq``) at the end of its service time, as a server commits
   after doing the work; with capacity > 1 and random service times, effect order can
   therefore differ from arrival order, as on a real multi-worker server;
6. release the slot, sleep the outbound delay, answer.

Inbound and service are deadlines, not naps: the inbound delay runs from the request's
arrival (stamped by the HTTP parser, ``arrival``; from the handler's start when
unstamped), and the service time from the later of "reached the server" and "the slot was
last freed". So the time the mock itself spends parsing a burst of requests is spent inside
the configured delays instead of being added to them; a request that had to queue for its
slot starts its service when it gets the slot, as before.

One clock: stamps and deadlines both read the injected ``Clock`` (its ``monotonic`` for
deadlines), so a test clock or a shifted one moves both together. The parser's arrival stamp is
``time.monotonic()``, the monotonic half of ``system_clock``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from mock_aimharder.model.faults import Fault, FaultDrawer, FaultSpec
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.latency import EndpointLatency, EndpointSamplers, EndpointStreams
from mock_aimharder.server.gate import FifoGate

__all__ = ["Clock", "EndpointPipeline", "Faulted", "system_clock"]

Clock = Callable[[], Stamp]
"""Reads both clocks at once."""

T = TypeVar("T")

_ANSWERING_FAULTS = frozenset({Fault.ERROR_500, Fault.ERROR_503, Fault.RATE_LIMIT_429})


def system_clock() -> Stamp:
    """``time.monotonic()`` and ``time.time()`` now."""
    return Stamp(monotonic=time.monotonic(), wall=time.time())


@dataclass(frozen=True, slots=True, kw_only=True)
class Faulted:
    """The request drew a fault; the HTTP layer acts it out (``disruption``)."""

    fault: Fault
    spec: FaultSpec


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


def _back_to(now: Stamp, monotonic: float) -> Stamp:
    """The instant ``monotonic`` on both clocks, read from ``now`` (not after it).

    A request that reached the server while the mock was still parsing others is journaled
    as received when it reached it, not when its handler got round to it.
    """
    if monotonic >= now.monotonic:
        return now
    return Stamp(monotonic=monotonic, wall=now.wall - (now.monotonic - monotonic))


class EndpointPipeline:
    """Latency, capacity and faults of one endpoint around its domain work."""

    def __init__(
        self,
        *,
        latency: EndpointLatency,
        faults: FaultSpec,
        streams: EndpointStreams,
        clock: Clock = system_clock,
    ) -> None:
        self.gate = FifoGate(latency.capacity)
        self._samplers = EndpointSamplers.build(latency, streams)
        self._faults = faults
        self._drawer = FaultDrawer(faults, streams.faults)
        self._clock = clock
        self._freed_at = -math.inf  # the clock's monotonic reading when a slot was last released

    async def run(
        self, work: Callable[[Stamp, Stamp], T], *, arrived: float | None = None
    ) -> T | Faulted:
        """Carry one request through; ``work(received, processed)`` is the domain step.

        ``arrived`` is the request's arrival stamp (the clock's ``monotonic``), if the server
        made one.
        """
        inbound = self._samplers.inbound.sample()
        service = self._samplers.service.sample()
        outbound = self._samplers.outbound.sample()
        fault = self._drawer.draw()
        reached = (self._clock().monotonic if arrived is None else arrived) + inbound
        await self._until(reached)
        received = _back_to(self._clock(), reached)
        if fault is not None and fault is not Fault.LOST_ANSWER:
            if fault in _ANSWERING_FAULTS:
                await _sleep(outbound)
            return Faulted(fault=fault, spec=self._faults)
        result = await self._process(work, received=received, reached=reached, service=service)
        if fault is Fault.LOST_ANSWER:  # processed: only the answer is lost
            return Faulted(fault=fault, spec=self._faults)
        await _sleep(outbound)
        return result

    async def admit(
        self, work: Callable[[Stamp, Stamp], T], *, reached: float, service: float
    ) -> T:
        """A request that is not ours to delay (an outside member's, ``server.outside``): it
        reaches the server at ``reached`` (the clock's ``monotonic``) with its own ``service`` time,
        then queues for a slot with the rest. It draws nothing from this endpoint's streams, so
        our requests get the same draws with or without outsiders."""
        await self._until(reached)
        received = _back_to(self._clock(), reached)
        return await self._process(work, received=received, reached=reached, service=service)

    async def _process(
        self, work: Callable[[Stamp, Stamp], T], *, received: Stamp, reached: float, service: float
    ) -> T:
        if self.gate.capacity is None:  # no queue to join: skip the gate's bookkeeping
            await self._until(reached + service)
            return work(received, self._clock())
        await self.gate.acquire()
        try:
            await self._until(max(reached, self._freed_at) + service)
            return work(received, self._clock())
        finally:
            self.gate.release()
            self._freed_at = self._clock().monotonic

    async def _until(self, deadline: float) -> None:
        """Sleep until the clock's ``monotonic`` reaches ``deadline`` (at once if it has)."""
        await _sleep(deadline - self._clock().monotonic)
