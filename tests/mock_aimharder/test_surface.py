"""The session's routes and the box routes' variants, as public clients call them.

Served in process (httpx's ASGI transport): host names are free there, so a cookie set for a
parent domain can be seen travelling to another host, as it must for clients whose AimHarder
URLs are rewritten to the mock.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.dates import class_start
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server.app import create_app
from tests.mock_aimharder.support import DAY, PASSWORD, a_class, config_with, email, served, users

FUTURE_DAY = "20300928"  # a Saturday: nextBookings only lists classes still to come


async def _json_login(client: httpx.AsyncClient, url: str = "/api/login") -> httpx.Response:
    body = {"username": email(0), "password": PASSWORD, "fingerprint": "ab" * 25, "iniframe": 0}
    return await client.post(url, json=body)


async def test_a_cookie_domain_makes_the_login_hosts_cookie_travel_to_the_box_host() -> None:
    config = config_with(users=users(1), classes=[a_class()], cookie_domain="aimharder.test")
    async with served(config, host="login.aimharder.test") as client:
        login = await _json_login(client)
        listing = await client.get("http://mybox.aimharder.test/api/bookings", params={"day": DAY})
    assert "domain=aimharder.test" in login.headers["set-cookie"].lower()
    assert listing.json()["bookings"][0]["id"] == 1


async def test_without_a_cookie_domain_the_cookie_stays_on_its_host() -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        await _json_login(client)
        other_host = await client.get("http://box.example.test/api/bookings", params={"day": DAY})
    assert other_host.json() == {"logout": 1}


async def test_whoami_names_the_member_and_a_role_per_box_and_login_lists_the_same_roles() -> None:
    config = config_with(
        users=users(1),
        classes=[a_class(1), a_class(2, box=3984)],
        boxes=[{"id": 10122, "subdomain": "crossfitcerdanyola300", "name": "Cerdanyola"}],
        site_domain="aimharder.es",
    )
    async with served(config) as client:
        login = await _json_login(client)
        whoami = await client.get("/api/whoami")
    roles = [
        {"role": "client", "boid": 10122, "gym": "Cerdanyola",
         "centre_url": "crossfitcerdanyola300.aimharder.es"},
        {"role": "client", "boid": 3984, "gym": "CrossFit Mock",
         "centre_url": "box3984.aimharder.es"},
    ]  # fmt: skip
    assert whoami.json() == {
        "data": [{"id": 100001, "name": "user000", "mail": email(0), "roles": roles}]
    }
    assert login.json()["data"]["userData"]["roles"] == roles


@pytest.mark.parametrize("status", [200, 401])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/bookings?day=20250115"), ("POST", "/api/book"), ("POST", "/api/cancelBook"),
     ("GET", "/api/whoami"), ("GET", "/api/nextBookings?box=10122")],
)  # fmt: skip
async def test_a_dead_session_answers_logout_or_no_identity_with_the_configured_status(
    status: int, method: str, path: str
) -> None:
    config = config_with(users=users(1), classes=[a_class()], dead_session_status=status)
    async with served(config) as client:
        response = await client.request(
            method, path, data={"id": "1", "day": DAY} if method == "POST" else None
        )
        journal = (await client.get("/_admin/journal")).json()
    # whoami's own answer to nobody, as observed live, unless every dead session is a 401
    nobody: dict[str, object] = {"logout": 1}
    if (path, status) == ("/api/whoami", 200):
        nobody = {"data": []}
    assert (response.status_code, response.json()) == (status, nobody)
    assert journal["entries"] == []


async def test_next_bookings_lists_booked_and_waitlisted_classes_with_a_weekday_label() -> None:
    classes = [
        a_class(1, day=FUTURE_DAY, time="10:00"),
        a_class(2, day=FUTURE_DAY, time="09:00", capacity=0, waitlist=2),
        a_class(3, day=FUTURE_DAY, time="11:00"),
    ]
    async with served(config_with(users=users(1), classes=classes)) as client:
        await _json_login(client)
        booked = [
            (
                await client.post(
                    "/api/book", data={"id": str(c), "day": FUTURE_DAY, "insist": "1"}
                )
            ).json()
            for c in (1, 2)
        ]
        response = await client.get("/api/nextBookings", params={"box": "10122", "familyId": ""})
    body = response.json()
    assert set(body) == {"nextClasses", "history"} and body["history"] == []
    listed = [
        (c["id"], c["day"], c["time"], c["className"], c["bookState"], str(c["idres"]))
        for c in body["nextClasses"]
    ]
    assert listed == [
        (2, "Sábado, 28 de Septiembre de 2030", "09:00 - 10:00", "CrossFit", 0, booked[1]["id"]),
        (1, "Sábado, 28 de Septiembre de 2030", "10:00 - 11:00", "CrossFit", 1, booked[0]["id"]),
    ]


async def test_box_routes_are_served_under_the_box_subdomain_and_under_its_id() -> None:
    config = config_with(
        users=users(1),
        classes=[a_class(1), a_class(2, box=3984)],
        boxes=[{"id": 10122, "subdomain": "crossfitcerdanyola300"}],
    )
    async with served(config) as client:
        await _json_login(client)
        by_name = await client.get("/crossfitcerdanyola300/api/bookings", params={"day": DAY})
        by_id = await client.get("/3984/api/bookings", params={"day": DAY})
        booked = await client.post("/box3984/api/book", data={"id": "1", "day": DAY})
        unknown = await client.get("/nosuchbox/api/bookings", params={"day": DAY})
    assert [c["id"] for c in by_name.json()["bookings"]] == [1]
    assert [c["id"] for c in by_id.json()["bookings"]] == [2]
    assert (booked.json()["bookState"], booked.json()["errorMssgLang"]) == (-12, "CLASE_NO_EXISTE")
    assert unknown.status_code == 404 and "nosuchbox" in unknown.json()["error"]["message"]


async def test_the_login_hosts_root_takes_the_form_login() -> None:
    form = {"login": "Iniciar sesión", "loginiframe": "0", "mail": email(0), "pw": PASSWORD}
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        page = await client.post("/", data=form | {"loginfingerprint": "f" * 50})
        listing = await client.get("/api/bookings", params={"day": DAY})
    assert page.status_code == 200 and 'id="loginErrors"></span>' in page.text
    assert listing.json()["bookings"][0]["id"] == 1


async def test_setrefresh_answers_the_refresh_token_and_fingerprint_kappys1_reads() -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        token = (await _json_login(client)).json()["data"]["auth"]["refreshToken"]
        client.cookies.clear()
        page = await client.get(
            "/setrefresh", params={"token": token, "fingerprint": "fp1", "redirect": "https://x/"}
        )
        listing = await client.get("/api/bookings", params={"day": DAY})
        unknown = await client.get("/setrefresh", params={"token": "nope", "fingerprint": "fp1"})
    found = re.search(r'localStorage\.setItem\("refreshToken",\s*"([^"]+)"\)', page.text)
    assert found is not None and found.group(1) == token
    assert 'localStorage.setItem("fingerprint", "fp1")' in page.text
    assert listing.json()["bookings"][0]["id"] == 1  # the cookie was installed again
    assert unknown.status_code == 200 and "refreshToken" not in unknown.text


async def test_token_update_extends_the_session_under_a_new_token() -> None:
    config = config_with(users=users(1), classes=[a_class()], session_ttl_seconds=3600)
    async with served(config) as client:
        token = (await _json_login(client)).json()["data"]["auth"]["refreshToken"]
        update = await client.post(
            "/api/tokenUpdate", data={"token": token, "ciclo": "1", "fingerprint": "fp"}
        )
        reused = await client.post("/api/tokenUpdate", data={"token": token, "ciclo": "1"})
        again = await client.post(
            "/api/tokenUpdate", data={"token": update.json()["newToken"], "ciclo": "1"}
        )
    assert set(update.json()) == {"newToken"} and update.json()["newToken"] != token
    assert "max-age=3600" in update.headers["set-cookie"].lower()
    assert reused.json() == {"logout": 1}
    assert set(again.json()) == {"newToken"}


async def test_token_update_keeps_a_session_alive_past_its_first_lifetime() -> None:
    config = config_with(users=users(1), classes=[a_class()], session_ttl_seconds=3600)
    app = create_app(config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        token = (await _json_login(client)).json()["data"]["auth"]["refreshToken"]
        accounts = app.state.runtime.gym.accounts
        session = accounts.by_token(token, now=0.0)
        first_expiry = session.expires_at
        await client.post("/api/tokenUpdate", data={"token": token, "ciclo": "1"})
        extended = accounts.session(session.cookie, now=first_expiry)
    assert extended is not None and extended.expires_at > first_expiry


@pytest.mark.parametrize("path", ["/logout", "/box10122/logout"])  # epereztg: on the box host
async def test_logout_ends_the_session_and_deletes_the_cookie(path: str) -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        cookie = (await _json_login(client)).cookies["amhrdrauth"]
        out = await client.get(path)
        after = await client.get(
            "/api/bookings", params={"day": DAY}, headers={"Cookie": f"amhrdrauth={cookie}"}
        )
    assert out.status_code == 200 and 'amhrdrauth=""' in out.headers["set-cookie"]
    assert after.json() == {"logout": 1}


@pytest.mark.parametrize("path", ["/login", "/api/login"])
async def test_repeated_wrong_logins_lock_the_account_with_demasiadas_veces(path: str) -> None:
    config = config_with(users=users(1), lockout_after=2)
    async with served(config) as client:
        answers = []
        for password in ("no", "no", PASSWORD):
            if path == "/login":
                form = {"login": "Log in", "mail": email(0), "pw": password}
                answers.append(await client.post(path, data=form))
            else:
                body = {"username": email(0), "password": password, "fingerprint": "f"}
                answers.append(await client.post(path, json=body))
    last = answers[-1]
    assert "set-cookie" not in last.headers
    if path == "/login":
        assert "incorrecto" in answers[0].text and "demasiadas veces" in last.text
        assert '<div id="loginErrors">' in last.text
    else:
        assert last.json() == {"error": {"message": "LOGIN_ERROR_DEMASIADAS_VECES"}}


async def test_family_id_is_accepted_and_ignored_everywhere() -> None:
    async with served(config_with(users=users(1), classes=[a_class(day=FUTURE_DAY)])) as client:
        await _json_login(client)
        family = {"familyId": "4242"}
        listing = await client.get("/api/bookings", params={"day": FUTURE_DAY} | family)
        booked = await client.post("/api/book", data={"id": "1", "day": FUTURE_DAY} | family)
        upcoming = await client.get("/api/nextBookings", params={"box": ""} | family)
        cancel = await client.post(
            "/api/cancelBook", data={"id": booked.json()["id"], "late": "0"} | family
        )
    assert listing.json()["bookings"][0]["id"] == 1
    assert booked.json()["bookState"] == 1
    assert [c["id"] for c in upcoming.json()["nextClasses"]] == [1]
    assert cancel.json() == {"cancelState": 1}


def _rules(**fields: Any) -> MockConfig:
    users_ = [
        {"email": email(0), "password": PASSWORD, "credits": 2, "plan": ["CrossFit", "Open Box"]}
    ]
    return MockConfig.model_validate({"users": users_} | fields)


async def test_booking_answers_carry_the_codes_clients_branch_on() -> None:
    days = {1: DAY, 2: DAY, 3: DAY, 4: "20250116", 5: "20250117"}
    classes = [a_class(c, day=d, name="Yoga" if c == 3 else "CrossFit") for c, d in days.items()]
    async with served(_rules(classes=classes, daily_limit=1)) as client:
        await _json_login(client)
        answers = {
            c: (await client.post("/api/book", data={"id": str(c), "day": d})).json()
            for c, d in days.items()
        }
    assert [answers[c]["bookState"] for c in days] == [1, -8, -2, 1, -2]
    assert answers[1]["clasesContratadas"] == "CrossFit,Open Box"
    assert answers[2]["max"] == 1
    assert [answers[c]["errorMssgLang"] for c in (3, 5)] == [
        "NO_INCLUIDA_EN_TARIFA",
        "SIN_CREDITOS",
    ]
    assert all(answers[c]["errorMssg"] for c in (2, 3, 5))


async def test_a_late_cancel_answers_cancel_state_2_until_confirmed_with_late_1() -> None:
    config = config_with(users=users(1), classes=[a_class()], late_cancel_minutes=10**4)
    async with served(config) as client:
        await _json_login(client)
        reservation = (await client.post("/api/book", data={"id": "1", "day": DAY})).json()["id"]
        asked = await client.post("/api/cancelBook", data={"id": reservation, "late": "0"})
        confirmed = await client.post("/api/cancelBook", data={"id": reservation, "late": "1"})
    assert asked.json()["cancelState"] == 2 and asked.json()["errorMssg"]
    assert confirmed.json() == {"cancelState": 1}


async def test_adding_a_class_whose_window_opens_after_it_starts_is_refused_naming_the_field() -> (
    None
):
    async with served(config_with(classes=[a_class(1)])) as client:
        late = a_class(2, opens_at=1_900_000_000.0).model_dump(mode="json")  # 2030, after 2025
        refused = await client.post("/_admin/classes", json=[late])
        catalogue = (await client.get("/_admin/classes")).json()["classes"]
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["classes.0.opens_at"]
    assert [c["id"] for c in catalogue] == [1]


@pytest.mark.parametrize(("form", "limit"), [("number", 2), ("text", "2 (1)")])
async def test_limit_is_the_capacity_or_the_text_with_how_many_wait(
    form: str, limit: int | str
) -> None:
    spec = a_class(day=FUTURE_DAY, capacity=2, waitlist=3)
    config = config_with(users=users(4), classes=[spec], listing_limit=form)
    async with served(config) as client:
        for n in range(3):
            body = {"username": email(n), "password": PASSWORD, "fingerprint": "f"}
            client.cookies.clear()
            await client.post("/api/login", json=body)
            await client.post("/api/book", data={"id": "1", "day": FUTURE_DAY, "insist": "1"})
        listed = (await client.get("/api/bookings", params={"day": FUTURE_DAY})).json()
        upcoming = (await client.get("/api/nextBookings", params={"box": ""})).json()
    assert (listed["bookings"][0]["limit"], listed["bookings"][0]["limitc"]) == (limit, 2)
    assert upcoming["nextClasses"][0]["limit"] == limit


def _fixed(wall: float) -> Any:
    def clock() -> Stamp:
        return Stamp(monotonic=0.0, wall=wall)

    return clock


@pytest.mark.parametrize(
    ("fields", "before_start", "state", "lang"),
    [
        ({"closes_minutes_before": 15}, 10 * 60, -7, "DEMASIADO_TARDE"),
        ({"horizon_days": 1}, 3 * 86_400, -4, "DEMASIADA_ANTELACION"),
        ({"window_unit": "hours", "booking_window": 36}, 40 * 3600, -12,
         "ERROR_ANTELACION_CLIENTE_HORAS"),
        ({"booking_window": 4}, 5 * 86_400, -12, "ERROR_ANTELACION_CLIENTE"),
    ],
)  # fmt: skip
async def test_the_boxs_clock_refuses_with_the_code_clients_branch_on(
    fields: dict[str, Any], before_start: float, state: int, lang: str
) -> None:
    config = config_with(users=users(1), classes=[a_class(day=FUTURE_DAY)], **fields)
    now = class_start(FUTURE_DAY, "18:00", "Europe/Madrid") - before_start
    transport = httpx.ASGITransport(app=create_app(config, clock=_fixed(now)))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await _json_login(client)
        answer = (await client.post("/api/book", data={"id": "1", "day": FUTURE_DAY})).json()
    assert (answer["bookState"], answer["errorMssgLang"]) == (state, lang)
    assert answer["errorMssg"] and answer["clasesContratadas"] == "CrossFit"


async def test_with_waitlist_when_room_a_full_class_waitlists_on_insist_0() -> None:
    config = config_with(
        users=users(2),
        classes=[a_class(capacity=1, waitlist=1)],
        full_class_policy="waitlist_when_room",
    )
    async with served(config) as client:
        states = []
        for n in range(2):
            client.cookies.clear()
            body = {"username": email(n), "password": PASSWORD, "fingerprint": "f"}
            await client.post("/api/login", json=body)
            answer = await client.post("/api/book", data={"id": "1", "day": DAY, "insist": "0"})
            states.append((answer.json()["bookState"], "id" in answer.json()))
    assert states == [(1, True), (0, True)]


@pytest.mark.parametrize(
    ("method", "path", "request_args"),
    [
        ("GET", "/setrefresh", {"params": {"fingerprint": "f"}}),
        ("GET", "/setrefresh", {"params": {"token": "\u2603" * 300, "fingerprint": "</script>"}}),
        ("POST", "/api/tokenUpdate", {"content": b"\xff\xfe", "headers": {
            "content-type": "application/x-www-form-urlencoded"}}),
        ("POST", "/api/tokenUpdate", {"data": {"ciclo": "1"}}),
        ("GET", "/api/whoami", {"headers": {"cookie": "amhrdrauth=%ZZ%"}}),
        ("GET", "/api/nextBookings", {"params": {"box": "abc"}}),
        ("GET", "/%00/api/bookings", {"params": {"day": DAY}}),
        ("GET", "/" + "x" * 5000 + "/api/bookings", {"params": {"day": DAY}}),
        ("GET", "/logout", {"headers": {"cookie": "amhrdrauth=%C3%A9%7C"}}),
        ("POST", "/api/login", {"json": {"username": email(0), "password": "contraseña"}}),
        ("POST", "/", {"data": {"mail": email(0), "pw": "\u00f1" * 100}}),
    ],
)  # fmt: skip
async def test_bad_input_to_the_session_routes_gets_a_clear_answer_never_a_500(
    method: str, path: str, request_args: dict[str, Any]
) -> None:
    async with served(config_with(users=users(1), classes=[a_class()])) as client:
        response = await client.request(method, path, **request_args)
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 422:
        assert response.json()["error"]["field"] in {"token", "body", "box"}
