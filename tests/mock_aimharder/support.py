"""Shared helpers for the mock's tests: accounts, classes, and a client that keeps no cookies.

Many users share one client in these tests, so the client's cookie jar must not pick up one
user's session and send it for another: each request carries its user's cookie explicitly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.server.app import create_app

__all__ = [
    "DAY",
    "PASSWORD",
    "StartMock",
    "a_class",
    "book",
    "config_with",
    "email",
    "jarless_client",
    "journal",
    "login",
    "served",
    "users",
]

StartMock = Callable[..., str]
"""The ``start_mock`` fixture: ``start_mock(config, seed=0) -> base URL``."""

DAY = "20250115"
PASSWORD = "secret"


def email(n: int) -> str:
    """The n-th test member's e-mail."""
    return f"user{n:03d}@example.test"


def users(count: int) -> list[UserAccount]:
    """``count`` members, all with ``PASSWORD``."""
    return [UserAccount(email=email(n), password=PASSWORD) for n in range(count)]


def a_class(class_id: int = 1, **fields: Any) -> ClassSpec:
    """A class on ``DAY`` at 18:00 (capacity 20, no waitlist, open) unless told otherwise."""
    base: dict[str, Any] = {"id": class_id, "day": DAY, "time": "18:00"}
    return ClassSpec.model_validate(base | fields)


def config_with(**fields: Any) -> MockConfig:
    """A validated configuration from keyword fields."""
    return MockConfig.model_validate(fields)


@asynccontextmanager
async def served(config: MockConfig, host: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar, talking to a fresh mock in process as ``http://{host}``.

    In process (httpx's ASGI transport) host names are free, so a test can address the mock as
    ``login.aimharder.es`` and see a cookie travel to ``mybox.aimharder.es``."""
    transport = httpx.ASGITransport(app=create_app(config))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
        yield client


class _RefuseAll(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


# Seconds an idle connection stays in the client's pool: well under uvicorn's keep-alive (5 s),
# so the client drops it before the server closes it. At httpx's own 5 s, on a loaded machine, a
# request went out on a connection the mock had just closed ("Server disconnected without
# sending a response": the journal read after a burst of 200 bookings, in CI).
KEEP_ALIVE_S = 2.0


def jarless_client(base_url: str, *, connections: int = 100, **kwargs: Any) -> httpx.AsyncClient:
    """An async client that never stores cookies (each call passes its user's)."""
    limits = httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=KEEP_ALIVE_S,
    )
    jar = CookieJar(policy=_RefuseAll())
    return httpx.AsyncClient(base_url=base_url, cookies=jar, limits=limits, **kwargs)


async def login(client: httpx.AsyncClient, user: str, password: str = PASSWORD) -> str:
    """JSON login; the ``amhrdrauth`` value it set."""
    body = {"username": user, "password": password, "fingerprint": "f" * 50, "iniframe": 0}
    response = await client.post("/api/login", json=body)
    response.raise_for_status()
    cookie = response.cookies.get("amhrdrauth")
    assert cookie, f"login of {user} set no amhrdrauth: {response.text}"
    return cookie


async def book(
    client: httpx.AsyncClient, cookie: str, class_id: int = 1, day: str = DAY, **form: str
) -> dict[str, Any]:
    """``POST /api/book`` as the member with ``cookie``; the JSON answer."""
    data = {"id": str(class_id), "day": day, "insist": "0", "familyId": ""} | form
    response = await client.post("/api/book", data=data, headers={"Cookie": f"amhrdrauth={cookie}"})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


async def journal(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every entry of ``GET /_admin/journal``."""
    entries: list[dict[str, Any]] = (await client.get("/_admin/journal")).json()["entries"]
    return entries
