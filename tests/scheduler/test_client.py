"""What the AimHarder client puts on the wire: each user's own session, and nothing of another's.

One ``httpx.AsyncClient`` books for every user of an invocation; the answers come from
``httpx.MockTransport``, so each request is seen exactly as sent.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import httpx

from scheduler.client import AimHarderClient, cookie_header
from scheduler.core.domain import BookingResult, Prebooking, PrebookingId, Session, UserId

BASE = "http://aimharder.test"


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


def _booked(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"bookState": 1, "id": "r1"})


def test_a_cookie_set_in_one_users_answer_never_travels_with_another_users_booking() -> None:
    """AimHarder may refresh a session in any answer: the refreshed cookie belongs to the user
    it answered, and a later booking for someone else carries that someone's cookies only."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        refreshed = [
            ("set-cookie", "amhrdrauth=ANNS-REFRESHED; Path=/"),
            ("set-cookie", "PHPSESSID=anns-php; Path=/"),
        ]
        body: dict[str, object] = {"bookState": 1}
        if request.url.path == "/api/bookings":
            body = {"bookings": []}
        return httpx.Response(200, json=body, headers=refreshed)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            client = AimHarderClient(http, base_url=BASE)
            await client.book(_prebooking("ann"), _session("ann", amhrdrauth="ANN"), timeout=5)
            await client.book(_prebooking("bob"), _session("bob", amhrdrauth="BOB"), timeout=5)
            await client.place(_prebooking("bob"), _session("bob", amhrdrauth="BOB"), timeout=5)

    asyncio.run(run())
    assert [r.headers.get_list("cookie") for r in seen] == [
        ["amhrdrauth=ANN"],
        ["amhrdrauth=BOB"],
        ["amhrdrauth=BOB"],
    ]


def test_a_booking_sends_the_form_the_query_and_every_cookie_of_its_session() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _booked(request)

    async def run() -> BookingResult:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            client = AimHarderClient(http, base_url=BASE + "/")
            session = _session("ann", amhrdrauth="A1", PHPSESSID="p")
            return await client.book(_prebooking("ann"), session, timeout=5)

    result = asyncio.run(run())
    assert result == BookingResult(book_state=1, reservation_id="r1")
    (request,) = seen
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/api/book?box=7")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["cookie"] == "amhrdrauth=A1; PHPSESSID=p"
    assert parse_qs(request.content.decode(), keep_blank_values=True) == {
        "id": ["4242"],
        "day": ["20261130"],
        "insist": ["0"],
        "familyId": [""],
    }


def test_the_listing_asks_for_the_day_and_box_with_the_users_session() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"bookings": [{"id": 4242, "bookState": 1}]})

    async def run() -> int | None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            client = AimHarderClient(http, base_url=BASE)
            return await client.place(
                _prebooking("ann"), _session("ann", amhrdrauth="A1"), timeout=5
            )

    assert asyncio.run(run()) == 1
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/api/bookings"
    assert dict(request.url.params) == {"day": "20261130", "box": "7", "familyId": ""}
    assert request.headers["cookie"] == "amhrdrauth=A1"


def test_the_cookie_header_joins_a_sessions_cookies_as_a_browser_does() -> None:
    assert cookie_header({"amhrdrauth": "a=b", "PHPSESSID": "x"}) == "amhrdrauth=a=b; PHPSESSID=x"
    assert cookie_header({}) == ""
