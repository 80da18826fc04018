"""The admin API: classes and users at run time, reset, and reading the journal in parts."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.faults import FaultSpec
from mock_aimharder.server.app import create_app
from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import DAY, StartMock, config_with


async def test_classes_posted_at_run_time_are_bookable_and_replace_by_id(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(2)))
    async with mock.jarless_client(url) as client:
        added = await client.post("/_admin/classes", json=mock.a_class(5, capacity=1).model_dump())
        cookies = [await mock.login(client, mock.email(n)) for n in range(2)]
        first = await mock.book(client, cookies[0], class_id=5)
        grown = await client.post(
            "/_admin/classes", json={"classes": [mock.a_class(5, capacity=2).model_dump()]}
        )
        second = await mock.book(client, cookies[1], class_id=5)
        state = (await client.get("/_admin/classes")).json()["classes"]
    assert [c["id"] for c in added.json()["classes"]] == [5]
    assert grown.json()["classes"][0]["capacity"] == 2
    assert (first["bookState"], second["bookState"]) == (1, 1)
    assert state[0]["holders"] == [mock.email(0), mock.email(1)]


async def test_an_invalid_class_is_422_naming_the_field_and_adds_nothing(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with())
    bad = [
        mock.a_class(1).model_dump(),
        {"id": 2, "day": "20250115", "time": "18:00", "capacity": -3},
    ]
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.post("/_admin/classes", json=bad)
        config = (await client.get("/_admin/config")).json()
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["field"] == "classes.1.capacity"
    assert config["classes"] == []


async def test_hundreds_of_users_can_be_added_and_log_in(start_mock: StartMock) -> None:
    url = start_mock(mock.config_with(users=mock.users(1)))
    new = [{"email": f"bulk{n}@example.test", "password": "pw"} for n in range(300)]
    async with mock.jarless_client(url) as client:
        added = await client.post("/_admin/users", json={"users": new})
        cookie = await mock.login(client, "bulk299@example.test", "pw")
    ids = [u["id"] for u in added.json()["users"]]
    assert len(ids) == len(set(ids)) == 301
    assert ids[-1] == 100301 and cookie.startswith("100301|")


async def test_reset_clears_bookings_sessions_and_journal_and_keeps_the_config(
    start_mock: StartMock,
) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class(capacity=1)]))
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        await mock.book(client, cookie)
        reset = await client.post("/_admin/reset")
        stale = await mock.book(client, cookie)
        journal = (await client.get("/_admin/journal")).json()
        again = await mock.book(client, await mock.login(client, mock.email(0)))
    assert reset.json() == {"reset": True}
    assert stale == {"logout": 1}
    assert journal == {"entries": [], "last_seq": 0, "more": False}
    assert again["bookState"] == 1


async def test_the_journal_since_seq_returns_only_the_newer_entries(start_mock: StartMock) -> None:
    url = start_mock(mock.config_with(users=mock.users(3), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        for n in range(3):
            await mock.book(client, await mock.login(client, mock.email(n)))
        newer = (await client.get("/_admin/journal", params={"since": 1})).json()
        none = (await client.get("/_admin/journal", params={"since": 3})).json()
    assert [e["seq"] for e in newer["entries"]] == [2, 3]
    assert [e["user"] for e in newer["entries"]] == [mock.email(1), mock.email(2)]
    assert newer["last_seq"] == 3
    assert none["entries"] == []


async def test_a_journal_entry_has_every_documented_field(start_mock: StartMock) -> None:
    url = start_mock(mock.config_with(users=mock.users(1), classes=[mock.a_class()]))
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)))
        (entry,) = (await client.get("/_admin/journal")).json()["entries"]
    assert entry["received_monotonic"] <= entry["processed_monotonic"]
    assert entry["received_wall"] <= entry["processed_wall"]
    assert {k: v for k, v in entry.items() if "monotonic" not in k and "wall" not in k} == {
        "seq": 1,
        "kind": "book",
        "user": mock.email(0),
        "user_id": 100001,
        "class_id": 1,
        "day": "20250115",
        "book_state": 1,
        "cancel_state": None,
        "reservation_id": answer["id"],
        "outside": False,
    }


FLAKY = config_with(faults={Endpoint.BOOKINGS: FaultSpec(error_500=0.5)})  # seeded draws to see


async def _statuses(app: FastAPI, *, reset: bytes | None = None, count: int = 40) -> list[int]:
    """The statuses of ``count`` listings in a row (each a fault draw), after ``reset`` (the
    body of a ``POST /_admin/reset``) when given."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        if reset is not None:
            answer = await client.post("/_admin/reset", content=reset)
            assert answer.json() == {"reset": True}
        listings = [await client.get("/api/bookings", params={"day": DAY}) for _ in range(count)]
    return [r.status_code for r in listings]


async def test_a_reset_with_a_seed_draws_from_then_on_as_a_server_started_with_it() -> None:
    fresh = await _statuses(create_app(FLAKY, seed=7))
    reseeded_app = create_app(FLAKY, seed=0)
    reseeded = await _statuses(reseeded_app, reset=b'{"seed": 7}')
    assert reseeded == fresh
    assert await _statuses(create_app(FLAKY, seed=0)) != fresh  # the seed does show
    # A reset without a body keeps the seed in force: the same draws again.
    assert await _statuses(reseeded_app, reset=b"") == fresh


async def test_a_reset_refuses_a_body_that_is_not_one_seed_and_changes_nothing() -> None:
    app = create_app(FLAKY, seed=3)
    before = await _statuses(app, reset=b"")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        refused = [
            await client.post("/_admin/reset", json=body)
            for body in ({"seed": -1}, {"seed": "7"}, {"seed": True}, {"seed": 7, "x": 1}, [7])
        ]
    assert [r.status_code for r in refused] == [422] * 5
    error = refused[0].json()["error"]
    assert (error["field"], error["value"]) == ("body", "{'seed': -1}")
    assert error["expected"] == '{"seed": N}, N a whole number from 0 to 4294967295'
    assert await _statuses(app, reset=b"") == before
