"""The listing and the booking answers as kappys1 reads them (its schemas and its rules, restated
in ``tests/mock_aimharder/kappys1_schemas.py``), on the mock's default configuration."""

from __future__ import annotations

from typing import Any

import httpx

from tests.mock_aimharder.kappys1_schemas import (
    BookAnswer,
    CancelAnswer,
    Listing,
    book_result,
    row_state,
)
from tests.mock_aimharder.support import DAY, PASSWORD, a_class, config_with, email, served, users


async def _login(client: httpx.AsyncClient, n: int) -> None:
    """kappys1's form login, posted to the login host's root."""
    form = {"login": "Iniciar sesión", "loginiframe": "0", "mail": email(n), "pw": PASSWORD}
    client.cookies.clear()
    await client.post("/", data=form | {"loginfingerprint": "f" * 50})


async def _row(client: httpx.AsyncClient, class_id: int, day: str = DAY) -> dict[str, Any]:
    body = (await client.get("/api/bookings", params={"day": day, "box": "10122"})).json()
    Listing.model_validate(body)
    rows: list[dict[str, Any]] = body["bookings"]
    return next(row for row in rows if row["id"] == class_id)


async def _book(
    client: httpx.AsyncClient, class_id: int, *, insist: int = 0, day: str = DAY
) -> dict[str, Any]:
    form = {"day": day, "familyId": "", "id": str(class_id), "insist": str(insist)}
    answer: dict[str, Any] = (await client.post("/api/book", data=form)).json()
    BookAnswer.model_validate(answer)
    return answer


async def _cancel(client: httpx.AsyncClient, reservation: object) -> dict[str, Any]:
    form = {"id": str(reservation), "late": "0", "familyId": ""}
    answer: dict[str, Any] = (await client.post("/api/cancelBook", data=form)).json()
    CancelAnswer.model_validate(answer)
    return answer


async def test_every_row_passes_kappys1s_listing_schema() -> None:
    classes = [a_class(1), a_class(2, capacity=1, waitlist=1, enabled=False)]
    async with served(config_with(users=users(1), classes=classes)) as client:
        await _login(client, 0)
        await _book(client, 1)
        body = (await client.get("/api/bookings", params={"day": DAY})).json()
    assert [row.id for row in Listing.model_validate(body).bookings] == [1, 2]


async def test_a_booked_class_reads_booked_and_after_a_cancel_bookable_again() -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        await _login(client, 0)
        before = row_state(await _row(client, 1))
        booked_answer = await _book(client, 1)
        booked = row_state(await _row(client, 1))
        cancel = await _cancel(client, booked_answer["id"])
        cancelled = row_state(await _row(client, 1))
        again = await _book(client, 1)
    assert [before, booked, cancelled] == [
        ("available", True, False),
        ("booked", False, True),
        ("available", True, False),
    ]
    assert (book_result(booked_answer), cancel, book_result(again)) == (
        (True, "booked", None), {"cancelState": 1}, (True, "booked", None),
    )  # fmt: skip


async def test_a_full_class_fails_with_insist_0_and_leaves_nothing_booked() -> None:
    classes = [a_class(capacity=1, waitlist=2)]
    async with served(config_with(users=users(2), classes=classes)) as client:
        await _login(client, 0)
        await _book(client, 1)
        await _login(client, 1)
        answer = await _book(client, 1)
        after = row_state(await _row(client, 1))
    assert book_result(answer) == (False, "booking_failed", None)
    assert answer["errorMssg"] == "La clase está completa"
    assert after == ("waitlist", True, False)


async def test_insist_1_puts_the_member_on_the_waitlist_which_kappys1_lets_it_cancel() -> None:
    classes = [a_class(capacity=1, waitlist=2)]
    async with served(config_with(users=users(2), classes=classes)) as client:
        await _login(client, 0)
        await _book(client, 1)
        await _login(client, 1)
        answer = await _book(client, 1, insist=1)
        waiting = row_state(await _row(client, 1))
    assert (answer["bookState"], answer["id"].isdigit()) == (0, True)
    assert waiting == ("waitlist", False, True)


async def test_a_full_class_without_a_waitlist_reads_full_for_another_member() -> None:
    async with served(config_with(users=users(2), classes=[a_class(capacity=1)])) as client:
        await _login(client, 0)
        await _book(client, 1)
        await _login(client, 1)
        state = row_state(await _row(client, 1))
        answer = await _book(client, 1, insist=1)
    assert state == ("full", False, False)
    assert (book_result(answer), answer["errorMssgLang"]) == (
        (False, "booking_failed", None), "CLASE_COMPLETA",
    )  # fmt: skip


async def test_a_duplicate_reads_as_already_booked_and_too_early_gives_the_days_ahead() -> None:
    far_day = "20300928"
    classes = [a_class(1), a_class(2, day=far_day)]
    config = config_with(users=users(1), classes=classes, booking_window=4)
    async with served(config) as client:
        await _login(client, 0)
        await _book(client, 1)
        duplicate = await _book(client, 1)
        early = await _book(client, 2, day=far_day)
    assert book_result(duplicate) == (True, "already_booked_manually", None)
    assert book_result(early) == (False, "early_booking", 4)
