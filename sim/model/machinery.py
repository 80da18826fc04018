"""The scheduler's own machinery in SimPy time: start-up, thread hand-offs, sends over a pool.

What a real invocation spends besides the database and AimHarder (``ClientModel``, measured
by ``sim.validation.calibration``): its start-up before the first query, the flow's turn on the
event loop
before each effect, each store call's wait for its thread, each request's way from the flow to
the server, and each answer's way back. The event loop runs one thing at a time: the flows'
turns and the reading of answers wait for each other on it, which is what delays a parallel
invocation's claims and sends when ten flows are ready at once. A request with no idle
connection joins the current connection round (or opens one): the round ends ``connect``
after it began plus ``connect_each`` per connection that joined, and all its requests leave
together, in order; that is how a real burst of sends reaches the server bunched. An answered
request leaves its connection idle for the next send. One pool per world: right for one
invocation at a time (the validation), shared by invocations that overlap. A delay that is a
fixed 0 is not waited at all, so a scenario without a ``[client]`` table runs exactly as
before.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from mock_aimharder.model.distributions import Distribution, Fixed
from sim.model.streams import Streams
from sim.scenario import ClientModel

__all__ = ["Client", "instant"]


def instant(distribution: Distribution) -> bool:
    """A fixed 0: such a delay is not waited at all (no SimPy event)."""
    return isinstance(distribution, Fixed) and distribution.value == 0


@dataclass(slots=True)
class _Round:
    ends: float
    opened: simpy.Event


class Client:
    def __init__(self, env: simpy.Environment, model: ClientModel, streams: Streams) -> None:
        self.env = env
        self._model = model
        self._startup = streams.sampler("client.startup", model.startup)
        self._turn = streams.keyed("client.turn", model.turn)
        self._handoff = streams.keyed("client.handoff", model.handoff)
        self._send = streams.keyed("client.send", model.send)
        self._connect = streams.sampler("client.connect", model.connect)
        self._connect_each = streams.sampler("client.connect_each", model.connect_each)
        self._receive = streams.keyed("client.receive", model.receive)
        self._loop = simpy.Resource(env, capacity=1)  # the one event loop reading answers
        # Which delays are waited at all, asked once: every store call and request asks.
        self._waits_startup = not instant(model.startup)
        self._waits_turn = not instant(model.turn)
        self._waits_handoff = not instant(model.handoff)
        self._waits_send = not instant(model.send)
        self._waits_receive = not instant(model.receive)
        self._joins_rounds = not (instant(model.connect) and instant(model.connect_each))
        self._round: _Round | None = None
        self._idle = 0  # open connections waiting for a request

    @property
    def fixed_request_time(self) -> bool:
        """Whether sending and receiving take no time (no connection rounds, no loop queue)."""
        model = self._model
        return all(
            instant(d) for d in (model.send, model.receive, model.connect, model.connect_each)
        )

    def start(self) -> Generator[simpy.Event, Any, None]:
        if self._waits_startup:
            yield self.env.timeout(self._startup.sample())

    def turn(self, key: str) -> Generator[simpy.Event, Any, None]:
        """The flow's step on the event loop, which runs one flow at a time."""
        if self._waits_turn:
            with self._loop.request() as turn:
                yield turn
                yield self.env.timeout(self._turn(key).sample())

    def handoff(self, key: str) -> Generator[simpy.Event, Any, None]:
        if self._waits_handoff:
            yield self.env.timeout(self._handoff(key).sample())

    def send(self, key: str) -> Generator[simpy.Event, Any, None]:
        """Until the request reaches the server's parser."""
        if self._idle:
            self._idle -= 1
        elif self._joins_rounds:
            yield self._join_round()
        if self._waits_send:
            yield self.env.timeout(self._send(key).sample())

    def receive(self, key: str) -> Generator[simpy.Event, Any, None]:
        """From the server's answer to the flow having it; the connection is idle again."""
        if self._waits_receive:
            with self._loop.request() as turn:
                yield turn
                yield self.env.timeout(self._receive(key).sample())
        self._idle += 1

    def _join_round(self) -> simpy.Event:
        if self._round is None:
            self._round = _Round(
                ends=self.env.now + self._connect.sample(), opened=self.env.event()
            )
            self.env.process(self._close(self._round))
        else:
            self._round.ends += self._connect_each.sample()
        return self._round.opened

    def _close(self, round_: _Round) -> Generator[simpy.Event, Any, None]:
        while self.env.now < round_.ends:
            yield self.env.timeout(round_.ends - self.env.now)
        self._round = None
        round_.opened.succeed()
