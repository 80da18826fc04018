"""Injected faults: each kind at its configured rate, what the client sees, and recovery.

Rate tolerance: for n requests at probability p the count is binomial; the test accepts the
central 99.99 % interval (``scipy.stats.binom.interval``), about 4 standard deviations, so a
correct server fails it about once in 10,000 seeds (and this seed is fixed).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.faults import FaultSpec
from tests.mock_aimharder.support import (
    DAY,
    StartMock,
    a_class,
    config_with,
    email,
    jarless_client,
    login,
    users,
)

REQUESTS = 400


def _within_binomial(count: int, n: int, p: float) -> bool:
    # Imported here, not with the module: every pytest worker collects this file (scipy.stats
    # costs each about a second).
    from scipy import stats  # noqa: PLC0415

    low, high = stats.binom.interval(0.9999, n, p)
    return bool(low <= count <= high)


async def _outcome(client: httpx.AsyncClient) -> str:
    try:
        response = await client.get("/api/bookings", params={"day": DAY})
    except httpx.TransportError:
        return "transport error"
    return str(response.status_code)


async def test_each_fault_kind_appears_at_its_rate_and_the_server_keeps_serving(
    start_mock: StartMock,
) -> None:
    spec = FaultSpec(error_500=0.1, error_503=0.1, rate_limit_429=0.1, drop=0.1, retry_after=2.5)
    url = start_mock(config_with(faults={Endpoint.BOOKINGS: spec}), seed=3)
    async with jarless_client(url, connections=20) as client:
        gate = asyncio.Semaphore(20)

        async def one() -> str:
            async with gate:
                return await _outcome(client)

        seen = Counter(await asyncio.gather(*(one() for _ in range(REQUESTS))))
        retry_after = None
        for _ in range(200):  # p(429) = 0.1: no 429 in 200 tries has probability 7e-10
            try:
                limited = await client.get("/api/bookings", params={"day": DAY})
            except httpx.TransportError:  # a drop (also p = 0.1) is not the answer looked for
                continue
            if limited.status_code == 429:
                retry_after = limited.headers["retry-after"]
                break
    async with jarless_client(url) as client:
        await client.put("/_admin/config", json={})
        after = [await _outcome(client) for _ in range(20)]
    assert set(seen) == {"200", "500", "503", "429", "transport error"}
    for kind in ("500", "503", "429", "transport error"):
        assert _within_binomial(seen[kind], REQUESTS, 0.1), (kind, seen)
    assert retry_after == "2.5"
    assert after == ["200"] * 20


async def test_a_faulted_booking_books_nothing_and_is_not_journaled(
    start_mock: StartMock,
) -> None:
    faults = {Endpoint.BOOK: FaultSpec(error_500=0.5)}
    classes = [a_class(capacity=40)]
    url = start_mock(config_with(users=users(40), classes=classes, faults=faults), seed=5)
    async with jarless_client(url) as client:
        cookies = [await login(client, email(n)) for n in range(40)]
        statuses = []
        for cookie in cookies:
            response = await client.post(
                "/api/book",
                data={"id": "1", "day": DAY},
                headers={"Cookie": f"amhrdrauth={cookie}"},
            )
            statuses.append(response.status_code)
        entries = (await client.get("/_admin/journal")).json()["entries"]
        holders = (await client.get("/_admin/classes")).json()["classes"][0]["holders"]
    answered = statuses.count(200)
    assert 0 < answered < 40
    assert len(entries) == len(holders) == answered
    assert [e["seq"] for e in entries] == list(range(1, answered + 1))


async def test_a_hang_outlasts_the_client_timeout_and_the_server_keeps_serving(
    start_mock: StartMock,
) -> None:
    faults = {Endpoint.BOOKINGS: FaultSpec(hang=1.0, hang_seconds=30)}
    url = start_mock(config_with(faults=faults))
    async with jarless_client(url, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/api/bookings", params={"day": DAY})
        await client.put("/_admin/config", json={})
        after = await client.get("/api/bookings", params={"day": DAY})
    assert after.json() == {"logout": 1}


async def test_a_hang_of_hang_seconds_ends_in_a_closed_connection(start_mock: StartMock) -> None:
    faults = {Endpoint.BOOKINGS: FaultSpec(hang=1.0, hang_seconds=0.1)}
    url = start_mock(config_with(faults=faults))
    async with jarless_client(url, timeout=5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/api/bookings", params={"day": DAY})


async def test_hangs_at_a_rate_time_out_at_that_rate(start_mock: StartMock) -> None:
    faults = {Endpoint.BOOKINGS: FaultSpec(hang=0.25, hang_seconds=30)}
    url = start_mock(config_with(faults=faults), seed=9)
    # A hung request never answers within 30 s; the others answer in well under a second on a
    # quiet machine. 3 s leaves room for a busy one (a 1 s timeout let answers queued behind 100
    # requests on an oversubscribed machine time out too, counted as hangs).
    async with jarless_client(url, connections=100, timeout=3.0) as client:
        outcomes = await asyncio.gather(
            *(client.get("/api/bookings", params={"day": DAY}) for _ in range(100)),
            return_exceptions=True,
        )
    timeouts = sum(isinstance(o, httpx.TimeoutException) for o in outcomes)
    assert all(isinstance(o, httpx.Response | httpx.TimeoutException) for o in outcomes)
    assert _within_binomial(timeouts, 100, 0.25), timeouts


async def test_a_drop_is_a_transport_error_for_the_client(start_mock: StartMock) -> None:
    url = start_mock(config_with(faults={Endpoint.LOGIN: FaultSpec(drop=1.0)}))
    async with jarless_client(url) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            await client.post("/api/login", json={"username": "a", "password": "b"})
