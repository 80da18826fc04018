"""The listing as kappys1 reads it: its schema, and the class's state it derives from a row.

The rules, from kappys1/aim-harder-webbot (the seed's own project), restated here:
- ``modules/booking/api/models/booking.api.ts`` ``BookingApiSchema``: the types of each field;
- ``modules/booking/api/mappers/booking.mapper.ts`` ``mapBookingStatus``: disabled when
  ``enabled == 0``; booked when ``bookState == 1``; else full when ``limitc - ocupation <= 0``
  (``waitlist`` when ``waitlist > 0``, else ``full``); else available. The user's reservation
  (``userBookingId``) is ``idres``;
- ``modules/booking/utils/booking.utils.ts``: ``canUserBook`` = available or waitlist, included
  in the plan, and no ``idres``; ``canUserCancel`` = booked, or waitlist with an ``idres``
  (``booking.business.ts`` refuses "Ya tienes una reserva para esta clase" on an ``idres``).
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.mock_aimharder.support import DAY, PASSWORD, a_class, config_with, email, served, users

NUMBER = (int, float)
NULLABLE_TEXT = (str, type(None))
SCHEMA: dict[str, tuple[type, ...]] = {
    "id": NUMBER, "zoomid": NULLABLE_TEXT, "zoomJoinUrl": NULLABLE_TEXT,
    "zoomJoinPw": NULLABLE_TEXT, "onlineclass": NUMBER, "idres": (*NUMBER, type(None)),
    "spotres": NULLABLE_TEXT, "time": (str,), "timeid": (str,), "classId": NUMBER,
    "className": (str,), "classDesc": (str,), "boxName": (str,), "boxDir": (str,),
    "boxPic": NULLABLE_TEXT, "coachName": NULLABLE_TEXT, "coachPic": NULLABLE_TEXT,
    "enabled": NUMBER, "bookState": (*NUMBER, type(None)), "limit": (*NUMBER, str),
    "limitc": (*NUMBER, str), "ocupation": NUMBER, "checkAthletesNum": NUMBER,
    "waitlist": NUMBER, "cancelledId": (*NUMBER, str, type(None)), "color": (str,),
    "classLength": NUMBER, "resadmin": NUMBER, "included": NUMBER,
}  # fmt: skip


def kappys1_state(row: dict[str, Any]) -> tuple[str, bool, bool]:
    """``(status, canUserBook, canUserCancel)`` by kappys1's rules (module docstring)."""
    if row["enabled"] == 0:
        status = "disabled"
    elif row["bookState"] == 1:
        status = "booked"
    elif max(0, float(row["limitc"]) - row["ocupation"]) == 0:
        status = "waitlist" if row["waitlist"] > 0 else "full"
    else:
        status = "available"
    can_book = status in ("available", "waitlist") and row["included"] == 1 and not row["idres"]
    can_cancel = status == "booked" or (status == "waitlist" and row["idres"] is not None)
    return status, can_book, can_cancel


async def _login(client: httpx.AsyncClient, n: int) -> None:
    form = {"login": "Iniciar sesión", "loginiframe": "0", "mail": email(n), "pw": PASSWORD}
    client.cookies.clear()
    await client.post("/", data=form | {"loginfingerprint": "f" * 50})


async def _row(client: httpx.AsyncClient, class_id: int) -> dict[str, Any]:
    listing = (await client.get("/api/bookings", params={"day": DAY, "box": "10122"})).json()
    rows: list[dict[str, Any]] = listing["bookings"]
    return next(row for row in rows if row["id"] == class_id)


async def _book(client: httpx.AsyncClient, class_id: int) -> dict[str, Any]:
    form = {"day": DAY, "familyId": "", "id": str(class_id), "insist": "0"}
    answer: dict[str, Any] = (await client.post("/api/book", data=form)).json()
    return answer


async def test_every_row_has_the_types_of_kappys1s_schema() -> None:
    classes = [a_class(1), a_class(2, capacity=1, waitlist=1, enabled=False)]
    async with served(config_with(users=users(1), classes=classes)) as client:
        await _login(client, 0)
        await _book(client, 1)
        rows = (await client.get("/api/bookings", params={"day": DAY})).json()["bookings"]
    for row in rows:
        wrong = {k: row.get(k) for k, kinds in SCHEMA.items() if not isinstance(row.get(k), kinds)}
        assert wrong == {}, f"class {row['id']}: {wrong}"


async def test_a_booked_class_reads_booked_and_after_a_cancel_bookable_again() -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        await _login(client, 0)
        before = kappys1_state(await _row(client, 1))
        reservation = (await _book(client, 1))["id"]
        booked = kappys1_state(await _row(client, 1))
        await client.post("/api/cancelBook", data={"id": reservation, "late": "0", "familyId": ""})
        cancelled = kappys1_state(await _row(client, 1))
        again = await _book(client, 1)
    assert [before, booked, cancelled] == [
        ("available", True, False),
        ("booked", False, True),
        ("available", True, False),
    ]
    assert again["bookState"] == 1


async def test_a_waitlisted_member_reads_waitlist_and_may_cancel_but_not_book_again() -> None:
    classes = [a_class(capacity=1, waitlist=2)]
    async with served(config_with(users=users(2), classes=classes)) as client:
        await _login(client, 0)
        await _book(client, 1)
        await _login(client, 1)
        answer = await _book(client, 1)
        waiting = kappys1_state(await _row(client, 1))
    assert answer["bookState"] == 0
    assert waiting == ("waitlist", False, True)


async def test_a_full_class_without_a_waitlist_reads_full_for_another_member() -> None:
    async with served(config_with(users=users(2), classes=[a_class(capacity=1)])) as client:
        await _login(client, 0)
        await _book(client, 1)
        await _login(client, 1)
        state = kappys1_state(await _row(client, 1))
        answer = await _book(client, 1)
    assert state == ("full", False, False)
    assert (answer["bookState"], answer["errorMssgLang"]) == (-1, "CLASE_COMPLETA")
