"""Arrival stamps: delays run from when a request reached the server, not from its handler.

Timing bounds: each test waits 0.1-0.2 s on purpose and allows 60 ms of scheduling slack on
the side where a busy machine can only make things later; the other side is exact.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable

import httpx
from starlette.types import Receive, Scope, Send

from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.faults import FaultSpec
from mock_aimharder.model.journal import Stamp
from mock_aimharder.model.latency import EndpointLatency, seeded_streams
from mock_aimharder.server.arrival import arrived_at
from mock_aimharder.server.pipeline import EndpointPipeline
from mock_aimharder.server.serving import serve

SLACK = 0.06


async def _echo_arrival(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = repr(arrived_at(scope)).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_serve_stamps_each_request_with_its_arrival_on_the_monotonic_clock() -> None:
    with serve(_echo_arrival) as url, httpx.Client(base_url=url) as client:
        stamps = []
        for _ in range(3):
            before = time.monotonic()
            answer = client.get("/")
            stamps.append((before, float(answer.text), time.monotonic()))
    assert all(before <= stamp <= after for before, stamp, after in stamps)
    assert len({stamp for _, stamp, _ in stamps}) == 3  # one stamp per request, keep-alive too


def _pipeline(**latency: float | int) -> EndpointPipeline:
    return EndpointPipeline(
        latency=EndpointLatency.model_validate(latency),
        faults=FaultSpec(),
        streams=seeded_streams(0)[Endpoint.BOOK],
    )


def _work(log: list[Stamp]) -> Callable[[Stamp, Stamp], None]:
    def work(_received: Stamp, processed: Stamp) -> None:
        log.append(processed)

    return work


async def test_the_inbound_delay_runs_from_the_arrival_stamp() -> None:
    pipeline = _pipeline(inbound=0.2)
    started = time.monotonic()
    await pipeline.run(_work([]), arrived=started - 0.15)
    stamped = time.monotonic() - started
    started = time.monotonic()
    await pipeline.run(_work([]))
    unstamped = time.monotonic() - started
    assert 0.05 - 1e-3 <= stamped <= 0.05 + SLACK
    assert 0.2 - 1e-3 <= unstamped <= 0.2 + SLACK


async def test_service_runs_from_reaching_the_server_when_the_slot_is_free() -> None:
    pipeline = _pipeline(inbound=0.05, service=0.2, capacity=1)
    log: list[Stamp] = []
    arrived = time.monotonic() - 0.1
    await pipeline.run(_work(log), arrived=arrived)
    assert 0.25 - 1e-3 <= log[0].monotonic - arrived <= 0.25 + SLACK


async def test_a_queued_request_starts_its_service_when_it_gets_the_slot() -> None:
    pipeline = _pipeline(service=0.1, capacity=1)
    log: list[Stamp] = []
    long_ago = time.monotonic() - 1.0  # both deadlines are long past at arrival
    await asyncio.gather(*(pipeline.run(_work(log), arrived=long_ago) for _ in range(3)))
    gaps = [later.monotonic - earlier.monotonic for earlier, later in itertools.pairwise(log)]
    assert len(gaps) == 2
    assert all(0.1 - 1e-3 <= gap <= 0.1 + SLACK for gap in gaps)


async def test_a_late_handler_journals_the_request_as_received_when_it_reached_the_server() -> None:
    pipeline = _pipeline(inbound=0.05, service=0.1)
    stamps: list[tuple[Stamp, Stamp]] = []
    arrived = time.monotonic() - 0.5  # the handler runs long after the request reached us

    def work(received: Stamp, processed: Stamp) -> None:
        stamps.append((received, processed))

    await pipeline.run(work, arrived=arrived)
    (received, processed), now = stamps[0], time.time()
    assert received.monotonic == arrived + 0.05
    assert now - 0.55 - SLACK <= received.wall <= now - 0.45
    assert processed.monotonic - received.monotonic >= 0.1
