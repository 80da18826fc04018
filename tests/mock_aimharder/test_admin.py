"""The admin API: classes and users at run time, reset, and reading the journal in parts."""

from __future__ import annotations

import httpx

from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import StartMock


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
