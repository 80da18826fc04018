"""The mock as rudeayelo/aimharder-mcp reads it on the ``.es`` hosts, by its strict schemas
(restated as pydantic models in ``tests/mock_aimharder/rudeayelo_schemas.py``), on the mock's
default configuration."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.mock_aimharder.rudeayelo_schemas import (
    Identity,
    Listing,
    Login,
    Upcoming,
    booking_status,
    cancel_confirmed,
    denied,
    offered_for_booking,
    row_state,
)
from tests.mock_aimharder.support import PASSWORD, a_class, config_with, email, served, users

FUTURE_DAY = "20300928"  # a Saturday: next bookings lists classes still to come
GYM = "noubarriscrosstraining"
BOXES = [{"id": 10122, "subdomain": GYM, "name": "Nou Barris Cross Training"}]
BOX_API = f"https://{GYM}.aimharder.es/api"


async def _login(client: httpx.AsyncClient, n: int = 0) -> httpx.Response:
    body = {"username": email(n), "password": PASSWORD, "iniframe": 0, "fingerprint": "0a" * 25}
    client.cookies.clear()
    return await client.post("https://login.aimharder.es/api/login", json=body)


async def _rows(client: httpx.AsyncClient, day: str = FUTURE_DAY) -> list[dict[str, Any]]:
    """The day's rows, after the whole day passed the strict envelope and row schemas."""
    body = (await client.get(f"{BOX_API}/bookings", params={"box": "10122", "day": day})).json()
    Listing.model_validate(body)
    rows: list[dict[str, Any]] = body["bookings"]
    return rows


async def _book(client: httpx.AsyncClient, class_id: int = 1) -> object:
    """rudeayelo's booking request: form ``id`` and ``day`` only (no ``insist``)."""
    data = {"id": str(class_id), "day": FUTURE_DAY}
    answer: object = (await client.post(f"{BOX_API}/book", data=data)).json()
    return answer


async def test_the_login_cookie_reaches_whoami_and_whoami_names_an_es_gym() -> None:
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        login = await _login(client)
        whoami = Identity.model_validate(
            (await client.get("https://aimharder.es/api/whoami")).json()
        )
    cookie = login.headers["set-cookie"].lower()
    assert "domain=aimharder.es" in cookie and "httponly" in cookie and "secure" not in cookie
    account_id = Login.model_validate(login.json()).data.userData.id
    [account] = whoami.data
    assert account.id == account_id
    assert [(r.role, r.boid, r.centre_url) for r in account.roles] == [
        ("client", 10122, f"{GYM}.aimharder.es")
    ]


async def test_whoami_without_a_session_names_nobody_which_reads_as_expired() -> None:
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        whoami = await client.get("https://aimharder.es/api/whoami")
    assert whoami.status_code == 200 and Identity.model_validate(whoami.json()).data == []


async def test_book_cancel_and_book_again_pass_every_schema_and_reconcile() -> None:
    config = config_with(users=users(1), boxes=BOXES, classes=[a_class(day=FUTURE_DAY)])
    async with served(config, host="aimharder.es") as client:
        await _login(client)
        [before] = await _rows(client)
        answer = await _book(client)
        [booked] = await _rows(client)
        upcoming = Upcoming.model_validate(
            (await client.get(f"{BOX_API}/nextBookings?box=10122")).json()
        )
        data = {"id": booked["idres"], "late": "0"}
        cancel = (await client.post(f"{BOX_API}/cancelBook", data=data)).json()
        [after] = await _rows(client)
        again = await _book(client)
        [rebooked] = await _rows(client)
    assert offered_for_booking(before)
    assert booking_status(answer, row_state(booked)) == "confirmed"
    assert [(c.day, c.time, c.bookState) for c in upcoming.nextClasses] == [
        ("Sábado, 28 de Septiembre de 2030", "18:00 - 19:00", 1)
    ]
    assert cancel == {"cancelState": 1}
    assert cancel_confirmed(after, booked["idres"]) and offered_for_booking(after)
    assert booking_status(again, row_state(rebooked)) == "confirmed"


async def test_a_full_class_is_rejected_and_stays_unbooked_on_the_default_configuration() -> None:
    classes = [a_class(day=FUTURE_DAY, capacity=1, waitlist=3)]
    async with served(
        config_with(users=users(2), boxes=BOXES, classes=classes), host="aimharder.es"
    ) as client:
        await _login(client, 0)
        await _book(client)
        await _login(client, 1)
        answer = await _book(client)
        [row] = await _rows(client)
    assert booking_status(answer, row_state(row)) == "rejected"


async def test_a_waitlist_place_reads_waitlisted_in_the_listing_and_next_bookings() -> None:
    classes = [a_class(day=FUTURE_DAY, capacity=1, waitlist=3)]
    async with served(
        config_with(users=users(2), boxes=BOXES, classes=classes), host="aimharder.es"
    ) as client:
        await _login(client, 0)
        await _book(client)
        await _login(client, 1)
        data = {"id": "1", "day": FUTURE_DAY, "insist": "1"}
        answer = (await client.post(f"{BOX_API}/book", data=data)).json()
        [row] = await _rows(client)
        upcoming = Upcoming.model_validate(
            (await client.get(f"{BOX_API}/nextBookings?box=10122")).json()
        )
    assert booking_status(answer, row_state(row)) == "waitlisted"
    assert [c.bookState for c in upcoming.nextClasses] == [0]


async def test_a_day_without_classes_is_a_complete_empty_day() -> None:
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        await _login(client)
        body = (await client.get(f"{BOX_API}/bookings?box=10122&day=20300929")).json()
    assert Listing.model_validate(body).bookings == [] and body["resmsgs"] == []


async def test_refusals_read_as_denials() -> None:
    classes = [a_class(1, day=FUTURE_DAY, capacity=0), a_class(2, day=FUTURE_DAY, enabled=False)]
    async with served(
        config_with(users=users(1), boxes=BOXES, classes=classes), host="aimharder.es"
    ) as client:
        await _login(client)
        answers = [await _book(client, c) for c in (1, 2, 99)]
    assert [denied(answer) for answer in answers] == [True, True, True]


@pytest.mark.parametrize(
    "body",
    [
        {"bookings": [], "page": 2},
        {"bookings": [], "resmsgs": ["aviso"]},
        {"bookings": [{"id": 1, "classId": 1, "className": " ", "time": "18:00 - 19:00"}]},
        {"bookings": [{"id": True, "classId": 1, "className": "X", "time": "18:00 - 19:00"}]},
        {"bookings": [{"id": 1, "classId": 1, "className": "X", "time": "18:00-19:00"}]},
    ],
)
def test_the_listing_schema_refuses_what_rudeayelo_refuses(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Listing.model_validate(body)


def test_a_next_booking_with_the_wrong_weekday_is_refused() -> None:
    row = {"id": 1, "day": "Lunes, 28 de Septiembre de 2030", "time": "18:00 - 19:00"}
    with pytest.raises(ValidationError):
        Upcoming.model_validate({"nextClasses": [row], "history": []})


async def test_a_dead_session_reads_as_expired_on_whoami_and_a_new_login_restores_it() -> None:
    """rudeayelo reads whoami before every query; no account there means log in again."""
    async with served(config_with(users=users(1), boxes=BOXES), host="aimharder.es") as client:
        await _login(client)
        spent = {"Cookie": f"amhrdrauth={client.cookies['amhrdrauth']}"}
        await client.get("https://aimharder.es/logout")
        dead = await client.get("https://aimharder.es/api/whoami", headers=spent)
        await _login(client)
        alive = await client.get("https://aimharder.es/api/whoami")
    assert (dead.status_code, Identity.model_validate(dead.json()).data) == (200, [])
    assert len(Identity.model_validate(alive.json()).data) == 1
