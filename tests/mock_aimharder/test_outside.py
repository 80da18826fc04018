"""Outside demand on the real server: outsiders queue for the same slots as ours, in order."""

from __future__ import annotations

import asyncio
import time

from mock_aimharder.model.outside import outside_email
from tests.mock_aimharder import support as mock
from tests.mock_aimharder.support import StartMock

LATER = "20300115"  # a class day after every opening these tests set (now and on)


async def test_outsiders_and_ours_take_places_in_the_order_they_reached_the_server(
    start_mock: StartMock,
) -> None:
    # One booking slot, 0.2 s each. Outsider 0 reaches the server at the opening, ours at
    # +0.07 s, outsider 1 at +0.15 s: ours waits behind outsider 0 and goes before outsider 1,
    # which finds the class (two places) full.
    opens_at = time.time() + 0.6
    outside = {
        "burst": 2,
        "burst_spread": 0.0,
        "latency": {"kind": "empirical", "samples": [0.0, 0.15], "cycle": True},
    }
    config = mock.config_with(
        users=mock.users(1),
        classes=[mock.a_class(capacity=2, day=LATER, opens_at=opens_at, outside=outside)],
        latency={"book": {"service": 0.2, "capacity": 1}},
    )
    url = start_mock(config)
    async with mock.jarless_client(url) as client:
        cookie = await mock.login(client, mock.email(0))
        await asyncio.sleep(opens_at + 0.07 - time.time())
        answer = await mock.book(client, cookie, day=LATER)
        await asyncio.sleep(opens_at + 0.8 - time.time())
        entries = await mock.journal(client)
    assert answer["bookState"] == 1
    assert [(e["user"], e["outside"], e["book_state"]) for e in entries] == [
        (outside_email(1, 0), True, 1),
        (mock.email(0), False, 1),
        (outside_email(1, 1), True, -1),
    ]
    received = [float(str(e["received_wall"])) for e in entries]
    assert received == sorted(received)


async def test_outsiders_whose_instant_passed_before_the_server_knew_the_class_never_book(
    start_mock: StartMock,
) -> None:
    config = mock.config_with(
        users=mock.users(1),
        classes=[
            mock.a_class(
                day=LATER, opens_at=time.time() - 5.0, outside={"burst": 3, "burst_spread": 1.0}
            )
        ],
    )
    url = start_mock(config)
    async with mock.jarless_client(url) as client:
        await asyncio.sleep(0.1)
        assert await mock.journal(client) == []


async def test_a_class_added_at_run_time_gets_its_outsiders(start_mock: StartMock) -> None:
    url = start_mock(mock.config_with(users=mock.users(1)))
    opens_at = time.time() + 0.3
    spec = mock.a_class(7, day=LATER, opens_at=opens_at, outside={"burst": 2, "burst_spread": 0.1})
    async with mock.jarless_client(url) as client:
        added = await client.post("/_admin/classes", json=spec.model_dump(mode="json"))
        added.raise_for_status()
        await asyncio.sleep(opens_at + 0.3 - time.time())
        entries = await mock.journal(client)
    assert [(e["user"], e["book_state"]) for e in entries] == [
        (outside_email(7, 0), 1),
        (outside_email(7, 1), 1),
    ]
