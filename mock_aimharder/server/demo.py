"""``python -m mock_aimharder.server.demo``: a booking window opening on the mock, in a few seconds.

Starts the mock on a free loopback port with one class of capacity 2 whose window opens a
moment after start-up, logs three members in, books once too early, then all three right after
the opening (two get a spot, the third is refused), prints the server's journal, and stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve

__all__ = ["demo_config", "main"]

OPENS_AFTER = 1.0
"""Seconds from start-up to the window opening: long enough to be "too early" first."""

NAMES = ("ana", "bo", "cy")
PASSWORD = "pw"  # noqa: S105 - demo accounts on a loopback mock

_STATES = {1: "booked", 0: "waitlisted", -1: "full", -12: "not allowed"}


def demo_config(*, opens_at: float) -> MockConfig:
    """One class (capacity 2, no waitlist) whose window opens at ``opens_at``, 4 days before
    it starts (kappys1's capture shows a 4-day window), and three members."""
    starts = dt.datetime.fromtimestamp(opens_at + 4 * 86_400, tz=dt.UTC)
    members = [UserAccount(email=f"{name}@example.test", password=PASSWORD) for name in NAMES]
    spec = ClassSpec(
        id=1, day=f"{starts:%Y%m%d}", time=f"{starts:%H:%M}", capacity=2, opens_at=opens_at
    )
    return MockConfig(users=members, classes=[spec], timezone="UTC")


async def _login(client: httpx.AsyncClient, email: str) -> str:
    body = {"username": email, "password": PASSWORD, "fingerprint": "demo", "iniframe": 0}
    response = await client.post("/api/login", json=body)
    return str(response.cookies["amhrdrauth"])


async def _book(client: httpx.AsyncClient, cookie: str, day: str) -> dict[str, Any]:
    response = await client.post(
        "/api/book",
        data={"id": "1", "day": day, "insist": "0", "familyId": ""},
        headers={"Cookie": f"amhrdrauth={cookie}"},
    )
    answer: dict[str, Any] = response.json()
    return answer


async def _scenario(url: str, config: MockConfig, console: Console) -> list[dict[str, Any]]:
    day, opens_at = config.classes[0].day, config.classes[0].opens_at or 0.0
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        cookies = {user.email: await _login(client, user.email) for user in config.users}
        console.print(f"logged in: {', '.join(cookies)}")
        early = await _book(client, cookies[config.users[0].email], day)
        state, message = early["bookState"], early["errorMssg"]
        console.print(f"{NAMES[0]} books too early -> bookState {state}: {message}")
        deadline = time.monotonic() + OPENS_AFTER + 5
        while time.time() < opens_at and time.monotonic() < deadline:
            await asyncio.sleep(0.005)  # polling the clock up to the opening, bounded
        answers = await asyncio.gather(*(_book(client, c, day) for c in cookies.values()))
        for email, answer in zip(cookies, answers, strict=True):
            state = answer["bookState"]
            console.print(f"{email} at the opening -> bookState {state} ({_STATES.get(state)})")
        entries: list[dict[str, Any]] = (await client.get("/_admin/journal")).json()["entries"]
    return entries


def _journal_table(entries: list[dict[str, Any]], opens_at: float) -> Table:
    table = Table(
        title="The journal: attempts in processing order", caption="at: seconds from the opening"
    )
    for column in ("seq", "user", "class", "bookState", "reservation", "at (s)"):
        table.add_column(column, justify="left" if column == "user" else "right", no_wrap=True)
    for entry in entries:
        table.add_row(
            str(entry["seq"]),
            entry["user"].split("@")[0],
            str(entry["class_id"]),
            f"{entry['book_state']} {_STATES.get(entry['book_state'], '?')}",
            entry["reservation_id"] or "-",
            f"{entry['processed_wall'] - opens_at:+.3f}",
        )
    return table


def main() -> None:
    """Run the demo and print what happened."""
    console = Console(soft_wrap=True)
    opens_at = time.time() + OPENS_AFTER
    config = demo_config(opens_at=opens_at)
    with serve(create_app(config, seed=0)) as url:
        console.print(f"mock AimHarder on {url}; the class's window opens in {OPENS_AFTER:g} s")
        entries = asyncio.run(_scenario(url, config, console))
    console.print(_journal_table(entries, opens_at))
    console.print("server stopped.")


if __name__ == "__main__":
    main()
