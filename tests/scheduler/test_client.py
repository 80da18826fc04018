"""What the AimHarder client puts on the wire: each user's own session, and nothing of another's.

One client books for every user of an invocation. Its answers come from a small server on
127.0.0.1 that notes each request as it arrived, so each is seen exactly as sent: through the
scheduler's own connections (``scheduler.connections``), and through an ``httpx.AsyncClient``
(``sim.real`` logs its users in through one).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from scheduler.client import AimHarderClient, cookie_header
from scheduler.connections import Connections
from scheduler.core.domain import BookingResult, Prebooking, PrebookingId, Session, UserId
from scheduler.core.errors import HttpStatusError, LoginRefused

EXCHANGES = ("scheduler.connections",)


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the server received it."""

    method: str
    target: str  # path and query
    cookies: list[str]  # every Cookie header
    content_type: str | None
    body: bytes


Answer = Callable[[Seen], web.Response]


@asynccontextmanager
async def served(answer: Answer) -> AsyncIterator[tuple[str, list[Seen]]]:
    """A server on 127.0.0.1 answering every request with ``answer``: its URL, and what it saw."""
    seen: list[Seen] = []

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        heard = Seen(
            method=request.method,
            target=request.path_qs,
            cookies=request.headers.getall("Cookie", []),
            content_type=request.headers.get("Content-Type"),
            body=await request.read(),
        )
        seen.append(heard)
        return answer(heard)

    runner = web.ServerRunner(web.Server(handle))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        # By name: a cookie jar keeps no cookie set by a bare IP address, named hosts it does.
        yield f"http://localhost:{port}", seen
    finally:
        await runner.cleanup()


def run_served(
    exchange: str, answer: Answer, use: Callable[[AimHarderClient], Awaitable[Any]]
) -> tuple[Any, list[Seen]]:
    """What ``use`` returns from a client through ``exchange`` to a server answering with
    ``answer``, and every request that server saw."""

    async def run() -> tuple[Any, list[Seen]]:
        async with served(answer) as (url, seen), Connections(url) as connections:
            return await use(AimHarderClient(connections, base_url=url + "/")), seen

    return asyncio.run(run())


def _json(body: dict[str, Any], status: int = 200, **headers: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def _prebooking(user: str) -> Prebooking:
    return Prebooking(
        id=PrebookingId(f"pb-{user}"),
        user=UserId(user),
        class_id=4242,
        day="20261130",
        box=7,
        available_at=0.0,
        created_at=0.0,
    )


def _session(user: str, **cookies: str) -> Session:
    return Session(user=UserId(user), cookies=cookies)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_cookie_set_in_one_users_answer_never_travels_with_another_users_booking(
    exchange: str,
) -> None:
    """AimHarder may refresh a session in any answer: the refreshed cookie belongs to the user
    it answered, and a later booking for someone else carries that someone's cookies only."""

    def answer(seen: Seen) -> web.Response:
        body: dict[str, Any] = {"bookState": 1}
        if urlsplit(seen.target).path == "/api/bookings":
            body = {"bookings": []}
        response = _json(body)
        response.headers.add("Set-Cookie", "amhrdrauth=ANNS-REFRESHED; Path=/")
        response.headers.add("Set-Cookie", "PHPSESSID=anns-php; Path=/")
        return response

    async def use(client: AimHarderClient) -> None:
        await client.book(_prebooking("ann"), _session("ann", amhrdrauth="ANN"), timeout=5)
        await client.book(_prebooking("bob"), _session("bob", amhrdrauth="BOB"), timeout=5)
        await client.place(_prebooking("bob"), _session("bob", amhrdrauth="BOB"), timeout=5)

    _, seen = run_served(exchange, answer, use)
    assert [request.cookies for request in seen] == [
        ["amhrdrauth=ANN"],
        ["amhrdrauth=BOB"],
        ["amhrdrauth=BOB"],
    ]


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_booking_sends_the_form_the_query_and_every_cookie_of_its_session(
    exchange: str,
) -> None:
    async def use(client: AimHarderClient) -> BookingResult:
        session = _session("ann", amhrdrauth="A1", PHPSESSID="p")
        return await client.book(_prebooking("ann"), session, timeout=5)

    result, seen = run_served(exchange, lambda _: _json({"bookState": 1, "id": "r1"}), use)
    assert result == BookingResult(book_state=1, reservation_id="r1")
    (request,) = seen
    assert (request.method, request.target) == ("POST", "/api/book?box=7")
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.cookies == ["amhrdrauth=A1; PHPSESSID=p"]
    assert parse_qs(request.body.decode(), keep_blank_values=True) == {
        "id": ["4242"],
        "day": ["20261130"],
        "insist": ["0"],
        "familyId": [""],
    }


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_the_listing_asks_for_the_day_and_box_with_the_users_session(exchange: str) -> None:
    async def use(client: AimHarderClient) -> int | None:
        return await client.place(_prebooking("ann"), _session("ann", amhrdrauth="A1"), timeout=5)

    listing = {"bookings": [{"id": 4242, "bookState": 1}]}
    state, seen = run_served(exchange, lambda _: _json(listing), use)
    assert state == 1
    (request,) = seen
    target = urlsplit(request.target)
    assert (request.method, target.path) == ("GET", "/api/bookings")
    assert parse_qs(target.query, keep_blank_values=True) == {
        "day": ["20261130"],
        "box": ["7"],
        "familyId": [""],
    }
    assert request.cookies == ["amhrdrauth=A1"]


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_login_posts_json_and_its_session_is_the_cookies_the_answer_sets(exchange: str) -> None:
    def answer(seen: Seen) -> web.Response:
        response = _json({"data": {"auth": {"authOK": True}}})
        response.headers.add("Set-Cookie", "amhrdrauth=A1; Path=/; HttpOnly")
        response.headers.add("Set-Cookie", "PHPSESSID=p; Path=/")
        response.headers.add("Set-Cookie", "cleared=; Path=/")
        return response

    async def use(client: AimHarderClient) -> Session:
        return await client.login(UserId("ann@example.com"), "pw")

    session, seen = run_served(exchange, answer, use)
    assert session == Session(
        user=UserId("ann@example.com"), cookies={"amhrdrauth": "A1", "PHPSESSID": "p"}
    )
    (request,) = seen
    assert (request.method, request.target, request.content_type) == (
        "POST",
        "/api/login",
        "application/json",
    )
    assert json.loads(request.body)["username"] == "ann@example.com"
    assert request.cookies == []


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_a_login_answered_without_the_session_cookie_is_refused(exchange: str) -> None:
    async def use(client: AimHarderClient) -> Session:
        return await client.login(UserId("ann@example.com"), "pw")

    with pytest.raises(LoginRefused, match="set no amhrdrauth"):
        run_served(exchange, lambda _: _json({"data": {"auth": {"authOK": True}}}), use)


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_an_answer_other_than_200_is_an_http_status_error_with_its_retry_after(
    exchange: str,
) -> None:
    async def use(client: AimHarderClient) -> BookingResult:
        return await client.book(_prebooking("ann"), _session("ann", amhrdrauth="A1"), timeout=5)

    busy = web.Response(status=429, text="slow down", headers={"Retry-After": "3"})
    with pytest.raises(HttpStatusError) as caught:
        run_served(exchange, lambda _: busy, use)
    assert (caught.value.status, caught.value.retry_after) == (429, 3.0)
    assert "'slow down'" in str(caught.value)


def test_the_cookie_header_joins_a_sessions_cookies_as_a_browser_does() -> None:
    assert cookie_header({"amhrdrauth": "a=b", "PHPSESSID": "x"}) == "amhrdrauth=a=b; PHPSESSID=x"
    assert cookie_header({}) == ""
