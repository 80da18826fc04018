"""The contract public AimHarder clients rely on: paths, field names, codes, the cookie."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import StartMock

LISTED_CLASS_FIELDS = {
    "id", "time", "timeid", "classId", "className", "classLength", "boxName", "coachName",
    "enabled", "bookState", "idres", "cancelledId", "ocupation", "limit", "limitc", "waitlist",
    "resadmin",
}  # fmt: skip


async def test_json_login_sets_a_host_only_amhrdrauth_cookie_and_answers_auth_ok(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1)))
    async with httpx.AsyncClient(base_url=url) as client:
        body = {"username": mock.email(0), "password": mock.PASSWORD, "fingerprint": "a1" * 25}
        response = await client.post("/api/login", json=body)
    set_cookie = response.headers["set-cookie"]
    assert response.status_code == 200
    assert set_cookie.startswith("amhrdrauth=100001|")
    assert "domain" not in set_cookie.lower()
    assert response.json()["data"]["auth"]["authOK"] is True
    assert response.json()["data"]["userData"]["id"] == 100001
    assert response.json()["data"]["auth"]["refreshToken"]


async def test_json_login_refusal_has_error_message_no_cookie_and_the_configured_status(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), login_failure_status=401))
    async with httpx.AsyncClient(base_url=url) as client:
        body = {"username": mock.email(0), "password": "wrong", "fingerprint": "x", "iniframe": 0}
        response = await client.post("/api/login", json=body)
    assert (response.status_code, response.json()) == (
        401,
        {"error": {"message": "LOGIN_ERROR_LOGIN"}},
    )
    assert "set-cookie" not in response.headers


async def test_form_login_answers_html_and_its_cookie_is_sent_back_by_a_cookie_jar(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    form = {
        "login": "Iniciar sesión",
        "loginiframe": "0",
        "mail": mock.email(0),
        "pw": mock.PASSWORD,
    }
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/login", data=form | {"loginfingerprint": "f" * 50})
        listing = await client.get("/api/bookings", params={"day": mock.DAY, "box": "", "_": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="loginErrors"></span>' in response.text
    assert "token=" in response.text and "window.location.href=" in response.text
    assert listing.json()["bookings"][0]["id"] == 1


async def test_form_login_refusal_shows_login_errors_with_incorrecto_and_sets_no_cookie(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1)))
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/login", data={"login": "Log in", "mail": mock.email(0), "pw": "no"}
        )
    assert response.status_code == 200
    assert '<div id="loginErrors">' in response.text and "incorrecto" in response.text
    assert "set-cookie" not in response.headers


async def test_listing_has_the_top_level_keys_and_class_fields_clients_parse(
    start_mock: StartMock,
) -> None:
    url = start_mock(
        mock.config_with(
            users=mock.users(1),
            classes=[mock.a_class(7, time="09:30", length_minutes=90, waitlist=3)],
        )
    )
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        response = await client.get(
            "/api/bookings",
            params={"day": mock.DAY, "familyId": "", "box": "10122", "family_id": "ignored"},
            headers={"Cookie": f"amhrdrauth={cookie}"},
        )
    body = response.json()
    assert set(body) == {"clasesDisp", "timetable", "day", "bookings", "seminars"}
    assert body["day"] == "15 de Enero de 2025"
    assert body["timetable"] == [{"id": "0930_90", "time": "09:30 - 11:00"}]
    (listed,) = body["bookings"]
    assert set(listed) >= LISTED_CLASS_FIELDS
    assert (listed["time"], listed["timeid"], listed["limit"], listed["waitlist"]) == (
        "09:30 - 11:00", "0930_90", 20, 3,
    )  # fmt: skip
    assert (listed["bookState"], listed["idres"], listed["ocupation"], listed["enabled"]) == (
        None, None, 0, 1,
    )  # fmt: skip


async def test_listing_shows_this_users_book_state_and_reservation_id(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(2), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        mine, other = (
            await mock.login(client, mock.email(0)),
            await mock.login(client, mock.email(1)),
        )
        answer = await mock.book(client, mine)
        seen = {}
        for who, cookie in (("me", mine), ("other", other)):
            response = await client.get(
                "/api/bookings",
                params={"day": mock.DAY},
                headers={"Cookie": f"amhrdrauth={cookie}"},
            )
            seen[who] = response.json()["bookings"][0]
    assert (seen["me"]["bookState"], str(seen["me"]["idres"])) == (1, answer["id"])
    assert (seen["other"]["bookState"], seen["other"]["idres"]) == (None, None)
    assert seen["other"]["ocupation"] == 1


async def test_booking_answers_book_state_1_with_a_string_id_and_clases_contratadas(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)))
    assert answer["bookState"] == 1
    assert isinstance(answer["id"], str) and answer["id"].isdigit()
    assert answer["clasesContratadas"] == "CrossFit"
    assert "errorMssg" not in answer and "errorMssgLang" not in answer


@pytest.mark.parametrize("path", ["/api/bookings", "/api/book", "/api/cancelBook"])
@pytest.mark.parametrize("cookie", [None, "100001|1|forged"])
async def test_box_routes_without_a_live_session_answer_logout_and_book_nothing(
    start_mock: StartMock, path: str, cookie: str | None
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    headers = {"Cookie": f"amhrdrauth={cookie}"} if cookie else {}
    async with mock.jarless_client(url) as client:
        if path == "/api/bookings":
            response = await client.get(path, params={"day": mock.DAY}, headers=headers)
        else:
            response = await client.post(path, data={"id": "1", "day": mock.DAY}, headers=headers)
        journal = (await client.get("/_admin/journal")).json()
    assert (response.status_code, response.json()) == (200, {"logout": 1})
    assert journal["entries"] == []


async def test_an_expired_session_answers_logout(start_mock: StartMock) -> None:
    url = start_mock(
        mock.config_with(users=mock.users(1), classes=[mock.a_class()], session_ttl_seconds=1e-6)
    )
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)))
    assert answer == {"logout": 1}


@pytest.mark.parametrize(
    ("spec", "lang"),
    [({"enabled": False}, "CLASE_NO_DISPONIBLE"), ({"day": "20250116"}, "CLASE_NO_EXISTE")],
)
async def test_booking_a_disabled_or_unknown_class_is_a_refusal_not_a_server_error(
    start_mock: StartMock, spec: dict[str, Any], lang: str
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class(**spec)]))
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)))
    assert answer["bookState"] == -12
    assert answer["errorMssgLang"] == lang
    assert answer["errorMssg"]


async def test_booking_with_a_box_that_is_not_the_classes_is_an_unknown_class(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class(box=3984)]))
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)), box="10122")
    assert (answer["bookState"], answer["errorMssgLang"]) == (-12, "CLASE_NO_EXISTE")


@pytest.mark.parametrize(("cancelled_listing", "marked"), [("cleared", False), ("marked", True)])
async def test_cancelling_returns_cancel_state_1_and_clears_or_marks_the_listed_reservation(
    start_mock: StartMock, cancelled_listing: str, marked: bool
) -> None:
    config = mock.config_with(
        users=mock.users(1), classes=[mock.a_class()], cancelled_listing=cancelled_listing
    )
    url = start_mock(config)
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        headers = {"Cookie": f"amhrdrauth={cookie}"}
        reservation = (await mock.book(client, cookie))["id"]
        cancel = await client.post(
            "/api/cancelBook",
            data={"id": reservation, "late": "0", "familyId": ""},
            headers=headers,
        )
        listing = await client.get("/api/bookings", params={"day": mock.DAY}, headers=headers)
    listed = listing.json()["bookings"][0]
    kept = int(reservation) if marked else None
    assert cancel.json() == {"cancelState": 1}
    assert (listed["bookState"], listed["idres"], listed["cancelledId"]) == (None, kept, kept)
    assert listed["ocupation"] == 0


async def test_cancelling_an_unknown_or_someone_elses_reservation_is_cancel_state_3(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(2), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        owner, intruder = (
            await mock.login(client, mock.email(0)),
            await mock.login(client, mock.email(1)),
        )
        reservation = (await mock.book(client, owner))["id"]
        answers = [
            (
                await client.post(
                    "/api/cancelBook",
                    data={"id": rid},
                    headers={"Cookie": f"amhrdrauth={intruder}"},
                )
            ).json()
            for rid in (reservation, "999")
        ]
    assert [a["cancelState"] for a in answers] == [3, 3]
    assert all(a["errorMssg"] for a in answers)


async def test_admin_routes_answer_404_when_admin_is_disabled(start_mock: StartMock) -> None:
    url = start_mock(mock.config_with(admin_enabled=False))
    async with httpx.AsyncClient(base_url=url) as client:
        statuses = [
            (await client.get("/_admin/journal")).status_code,
            (await client.get("/_admin/config")).status_code,
            (await client.post("/_admin/reset")).status_code,
        ]
    assert statuses == [404, 404, 404]
