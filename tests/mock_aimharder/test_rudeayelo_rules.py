"""The mock as rudeayelo/aimharder-mcp reads it on the ``.es`` hosts, by its strict schemas.

The rules, from rudeayelo/aimharder-mcp, restated here:
- login (``src/client.ts`` ``#authenticate``): ``data.userData.id`` and ``data.auth.authOK ===
  true``, and an ``amhrdrauth`` cookie its jar sends to ``https://aimharder.es/api/whoami``;
- whoami (``identitySchema``, ``#discoverGyms``): ``data`` holds at most one account; none means
  the session expired (it logs in again); each role's ``centre_url`` is ``<slug>.aimharder.es``;
- the listing (``src/classes.ts`` ``dailySchema``): only the keys ``bookings``, ``clasesDisp``,
  ``day``, ``timetable``, ``seminars`` and an empty ``resmsgs``; each row ``id``, ``classId``
  positive ints, ``className`` not blank, ``time`` "HH:MM - HH:MM", ``ocupation`` and ``limit``
  counts; then (``src/booking-preparation.ts``) ``enabled``, ``resadmin`` ints, ``bookState`` and
  ``cancelledId`` int or null, ``hidden`` absent or an int, ``idres`` a positive int or null.
  A row is *offered* for booking when enabled, not admin, not hidden, not cancelled and
  unbooked; after a cancel answered 1 the cancel is *confirmed* when the row shows the same
  reservation cancelled, or the same class unbooked with no ``idres``;
- the booking answer (``executeBookingCreation``): an object; a denial is a negative
  ``bookState`` or an ``errorMssg``/``errorMssgLang``;
- next bookings (``src/bookings.ts``): exactly ``nextClasses`` and ``history``; each row a
  positive ``id``, ``day`` "<Weekday>, D de <Mes> de YYYY" naming the right weekday, ``time``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx

from tests.mock_aimharder.support import PASSWORD, a_class, config_with, email, served, users

FUTURE_DAY = "20300928"  # a Saturday: next bookings lists classes still to come
GYM = "noubarriscrosstraining"
BOXES = [{"id": 10122, "subdomain": GYM, "name": "Nou Barris Cross Training"}]
TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d - (?:[01]\d|2[0-3]):[0-5]\d$")
CENTRE_URL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.aimharder\.es$")
WEEKDAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"]
MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
          "Septiembre", "Octubre", "Noviembre", "Diciembre"]  # fmt: skip
DAY_LABEL = re.compile(r"^(\w+), (\d{1,2}) de ([A-Za-z]+) de (\d{4})$")
ENVELOPE = {"bookings", "clasesDisp", "day", "timetable", "seminars", "resmsgs"}


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_int_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def daily_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows, if the body passes ``dailySchema`` and the row fields; else AssertionError."""
    assert set(body) <= ENVELOPE, f"keys outside the observed envelope: {set(body) - ENVELOPE}"
    assert body.get("resmsgs", []) == []
    for row in body["bookings"]:
        assert _is_id(row["id"]) and _is_id(row["classId"])
        assert isinstance(row["className"], str) and row["className"].strip()
        assert TIME.match(row["time"]), row["time"]
        assert all(
            _is_int_or_none(row.get(k)) and (row.get(k) or 0) >= 0 for k in ("ocupation", "limit")
        )
        assert isinstance(row["enabled"], int) and isinstance(row["resadmin"], int)
        assert _is_int_or_none(row["bookState"]) and _is_int_or_none(row["cancelledId"])
        assert "hidden" not in row or isinstance(row["hidden"], int)
        assert row["idres"] is None or _is_id(row["idres"])
    rows: list[dict[str, Any]] = body["bookings"]
    return rows


def offered_for_booking(row: dict[str, Any]) -> bool:
    return (row["enabled"], row["resadmin"], row.get("hidden", 0), row["cancelledId"],
            row["bookState"]) == (1, 0, 0, None, None)  # fmt: skip


def cancel_confirmed(row: dict[str, Any], reservation: int) -> bool:
    same_cancelled = row["idres"] == reservation and row["cancelledId"] is not None
    released = row["idres"] is None and row["cancelledId"] is None and row["bookState"] is None
    return same_cancelled or released


def denied(answer: object) -> bool:
    assert isinstance(answer, dict)
    negative = isinstance(answer.get("bookState"), int) and answer["bookState"] < 0
    return negative or "errorMssg" in answer or "errorMssgLang" in answer


async def _login(client: httpx.AsyncClient) -> httpx.Response:
    body = {"username": email(0), "password": PASSWORD, "iniframe": 0, "fingerprint": "0a" * 25}
    return await client.post("https://login.aimharder.es/api/login", json=body)


async def _listing(client: httpx.AsyncClient, day: str) -> list[dict[str, Any]]:
    url = f"https://{GYM}.aimharder.es/api/bookings"
    return daily_rows((await client.get(url, params={"box": "10122", "day": day})).json())


async def test_the_login_cookie_reaches_whoami_and_whoami_names_an_es_gym() -> None:
    config = config_with(users=users(1), boxes=BOXES)
    async with served(config, host="aimharder.es") as client:
        login = await _login(client)
        whoami = (await client.get("https://aimharder.es/api/whoami")).json()
    cookie = login.headers["set-cookie"].lower()
    assert "domain=aimharder.es" in cookie and "httponly" in cookie and "secure" not in cookie
    assert _is_id(login.json()["data"]["userData"]["id"]) and login.json()["data"]["auth"]["authOK"]
    [account] = whoami["data"]
    assert account["id"] == login.json()["data"]["userData"]["id"]
    assert [(r["role"], r["boid"], CENTRE_URL.match(r["centre_url"]) is not None)
            for r in account["roles"]] == [("client", 10122, True)]  # fmt: skip


async def test_whoami_without_a_session_names_nobody_which_reads_as_expired() -> None:
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        whoami = await client.get("https://aimharder.es/api/whoami")
    assert (whoami.status_code, whoami.json()) == (200, {"data": []})


async def test_book_cancel_and_book_again_pass_every_schema_and_reconcile() -> None:
    config = config_with(users=users(1), boxes=BOXES, classes=[a_class(day=FUTURE_DAY)])
    async with served(config, host="aimharder.es") as client:
        await _login(client)
        [before] = await _listing(client, FUTURE_DAY)
        answer = (
            await client.post(
                f"https://{GYM}.aimharder.es/api/book", data={"id": "1", "day": FUTURE_DAY}
            )
        ).json()
        [booked] = await _listing(client, FUTURE_DAY)
        upcoming = (
            await client.get(f"https://{GYM}.aimharder.es/api/nextBookings?box=10122")
        ).json()
        cancel = (
            await client.post(
                f"https://{GYM}.aimharder.es/api/cancelBook",
                data={"id": booked["idres"], "late": "0"},
            )
        ).json()
        [after] = await _listing(client, FUTURE_DAY)
    assert offered_for_booking(before) and not denied(answer)
    assert (booked["bookState"], _is_id(booked["idres"])) == (1, True)
    assert set(upcoming) == {"nextClasses", "history"}
    [next_class] = upcoming["nextClasses"]
    weekday, day, month, year = DAY_LABEL.match(next_class["day"]).groups()  # type: ignore[union-attr]
    on = date(int(year), MONTHS.index(month) + 1, int(day))
    assert (on, WEEKDAYS[on.weekday()], next_class["bookState"]) == (date(2030, 9, 28), weekday, 1)
    assert _is_id(next_class["id"]) and TIME.match(next_class["time"])
    assert cancel == {"cancelState": 1}
    assert cancel_confirmed(after, booked["idres"]) and offered_for_booking(after)


async def test_a_day_without_classes_is_a_complete_empty_day() -> None:
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        await _login(client)
        body = (
            await client.get(f"https://{GYM}.aimharder.es/api/bookings?box=10122&day=20300929")
        ).json()
    assert daily_rows(body) == [] and body["resmsgs"] == []


async def test_refusals_read_as_denials() -> None:
    classes = [a_class(1, day=FUTURE_DAY, capacity=0), a_class(2, day=FUTURE_DAY, enabled=False)]
    async with served(
        config_with(users=users(1), boxes=BOXES, classes=classes), host="aimharder.es"
    ) as client:
        await _login(client)
        answers = [
            (
                await client.post(
                    f"https://{GYM}.aimharder.es/api/book", data={"id": str(c), "day": FUTURE_DAY}
                )
            ).json()
            for c in (1, 2, 99)
        ]
    assert [denied(answer) for answer in answers] == [True, True, True]
