"""Booking rules over real HTTP: capacity under concurrency, duplicates, window, waitlist."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter

from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import StartMock


async def test_200_concurrent_bookings_for_20_places_book_exactly_20_and_journal_all(
    start_mock: StartMock,
) -> None:
    url = start_mock(
        mock.config_with(users=mock.users(200), classes=[mock.a_class(capacity=20, waitlist=0)])
    )
    async with mock.jarless_client(url, connections=10) as client:
        cookies = await asyncio.gather(*(mock.login(client, mock.email(n)) for n in range(200)))
    # A fresh pool for the burst: httpx's pool gets slow reusing 200 idle connections at once.
    async with mock.jarless_client(url, connections=200, timeout=30) as client:
        answers = await asyncio.gather(*(mock.book(client, cookie) for cookie in cookies))
        entries = await mock.journal(client)
        holders = (await client.get("/_admin/classes")).json()["classes"][0]["holders"]
    assert Counter(a["bookState"] for a in answers) == {1: 20, -1: 180}
    assert [e["seq"] for e in entries] == list(range(1, 201))
    assert Counter(e["book_state"] for e in entries) == {1: 20, -1: 180}
    assert len(holders) == len(set(holders)) == 20
    assert {e["user"] for e in entries if e["book_state"] == 1} == set(holders)


async def test_booking_twice_answers_nopuedesreservamismahora_and_takes_one_place(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        first, second = await mock.book(client, cookie), await mock.book(client, cookie)
        listing = await client.get(
            "/api/bookings", params={"day": mock.DAY}, headers={"Cookie": f"amhrdrauth={cookie}"}
        )
    assert first["bookState"] == 1
    assert (second["bookState"], second["errorMssgLang"], second["errorMssg"]) == (
        -12,
        "NOPUEDESRESERVAMISMAHORA",
        "No puedes hacer más de una reserva a la misma hora",
    )
    assert "id" not in second
    assert listing.json()["bookings"][0]["ocupation"] == 1


async def test_concurrent_double_booking_by_one_user_takes_one_place(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        answers = await asyncio.gather(*(mock.book(client, cookie) for _ in range(10)))
        holders = (await client.get("/_admin/classes")).json()["classes"][0]["holders"]
    assert sorted(a["bookState"] for a in answers) == [-12] * 9 + [1]
    assert holders == [mock.email(0)]


async def test_one_moment_before_the_window_is_too_early_and_one_after_books(
    start_mock: StartMock,
) -> None:
    # Time for the server to start, the login and the early send even on a loaded machine; the
    # on-time send polls for the opening, so the margin costs at most its length.
    opens_at = time.time() + 1.5
    spec = mock.a_class(day="20300119", opens_at=opens_at)
    url = start_mock(mock.config_with(users=mock.users(1), classes=[spec], timezone="UTC"))
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        early = await mock.book(client, cookie, day="20300119")
        deadline = time.monotonic() + 5
        while time.time() <= opens_at and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # polling the clock, bounded; not synchronisation
        on_time = await mock.book(client, cookie, day="20300119")
        entries = await mock.journal(client)
    assert (early["bookState"], early["errorMssgLang"]) == (-12, "ERROR_ANTELACION_CLIENTE")
    assert "No puedes reservar clases con más de" in early["errorMssg"]
    assert "días de antelación" in early["errorMssg"]
    assert on_time["bookState"] == 1
    assert entries[0]["processed_wall"] < opens_at <= entries[1]["processed_wall"]


async def test_the_too_early_message_names_the_window_in_days(start_mock: StartMock) -> None:
    # kappys1 reads N from "(\\d+) días de antelación" and subtracts N days from the class start.
    starts = dt.datetime(2030, 1, 15, 18, 0, tzinfo=dt.UTC).timestamp()
    spec = mock.a_class(day="20300115", time="18:00", opens_at=starts - 4 * 86400)
    url = start_mock(mock.config_with(users=mock.users(1), classes=[spec], timezone="UTC"))
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)), day="20300115")
    assert answer["errorMssg"] == "No puedes reservar clases con más de 4 días de antelación"


async def test_a_full_class_with_waitlist_room_answers_0_with_a_reservation_id_on_insist_1(
    start_mock: StartMock,
) -> None:
    url = start_mock(
        mock.config_with(users=mock.users(3), classes=[mock.a_class(capacity=1, waitlist=1)])
    )
    async with mock.jarless_client(url) as client:
        answers = [
            await mock.book(client, await mock.login(client, mock.email(n)), insist="1")
            for n in range(3)
        ]
    assert [a["bookState"] for a in answers] == [1, 0, -1]
    assert answers[1]["id"].isdigit()
    assert answers[2]["errorMssg"]


async def test_by_default_a_full_class_answers_minus_1_to_insist_0_and_waitlists_insist_1(
    start_mock: StartMock,
) -> None:
    config = mock.config_with(users=mock.users(3), classes=[mock.a_class(capacity=1, waitlist=5)])
    url = start_mock(config)
    async with mock.jarless_client(url) as client:
        cookies = [await mock.login(client, mock.email(n)) for n in range(3)]
        states = [
            (await mock.book(client, cookies[0]))["bookState"],
            (await mock.book(client, cookies[1]))["bookState"],
            (await mock.book(client, cookies[2], insist="1"))["bookState"],
        ]
    assert states == [1, -1, 0]


async def test_cancelling_a_spot_promotes_the_first_of_the_waitlist(
    start_mock: StartMock,
) -> None:
    url = start_mock(
        mock.config_with(users=mock.users(4), classes=[mock.a_class(capacity=1, waitlist=3)])
    )
    async with mock.jarless_client(url) as client:
        cookies = [await mock.login(client, mock.email(n)) for n in range(4)]
        answers = [await mock.book(client, cookie, insist="1") for cookie in cookies]
        cancel = await client.post(
            "/api/cancelBook",
            data={"id": answers[0]["id"]},
            headers={"Cookie": f"amhrdrauth={cookies[0]}"},
        )
        promoted = await client.get(
            "/api/bookings",
            params={"day": mock.DAY},
            headers={"Cookie": f"amhrdrauth={cookies[1]}"},
        )
        state = (await client.get("/_admin/classes")).json()["classes"][0]
    assert [a["bookState"] for a in answers] == [1, 0, 0, 0]
    assert cancel.json() == {"cancelState": 1}
    listed = promoted.json()["bookings"][0]
    assert (listed["bookState"], str(listed["idres"])) == (1, answers[1]["id"])
    assert (state["holders"], state["waiting"]) == ([mock.email(1)], [mock.email(2), mock.email(3)])
