"""Bodies the mock must survive: nested without end, larger than any form, malformed multipart.
Each gets a 4xx that names what was expected and stays small, never a 500; and the journal is
read a page at a time, with a cap on the page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from harness.journal import journal_entries
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.server.admin import JOURNAL_PAGE_MAX
from mock_aimharder.server.app import create_app
from mock_aimharder.server.bodies import MAX_BODY
from mock_aimharder.server.serving import serve

CONFIG = MockConfig(
    users=[UserAccount(email=f"u{i}@example.com", password="pw") for i in range(3)],
    classes=[ClassSpec(id=1, box=1, day="20261130", time="07:00", capacity=100)],
)
DEEP = b"[" * 100_000 + b"]" * 100_000
BOUNDARY = "----harness"


@pytest.fixture
def mock_url() -> Iterator[str]:
    with serve(create_app(CONFIG, seed=3)) as url:
        yield url


def _json(body: bytes) -> dict[str, object]:
    return {"content": body, "headers": {"content-type": "application/json"}}


def _multipart(
    body: bytes, content_type: str = f"multipart/form-data; boundary={BOUNDARY}"
) -> dict[str, object]:
    return {"content": body, "headers": {"content-type": content_type}}


HOSTILE = [
    ("POST", "/api/login", _json(DEEP), 422, "expected a JSON object with username and password"),
    ("POST", "/_admin/classes", _json(DEEP), 422, "recursion limit exceeded"),
    ("PUT", "/_admin/config", _json(DEEP), 422, "expected a JSON document"),
    ("POST", "/_admin/users", _json(b'{"users": ' + DEEP + b"}"), 422, "recursion limit"),
    ("POST", "/api/book", _multipart(b"garbage", "multipart/form-data"), 422, "with a boundary"),
    (
        "POST",
        "/api/book",
        _multipart(f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n".encode()),
        422,
        "malformed multipart",
    ),
    (
        "POST",
        "/api/book",
        _multipart(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
            f"x\r\n--{BOUNDARY}--\r\n".encode()
        ),
        422,
        "no files",
    ),
    (
        "POST",
        "/api/book",
        _multipart(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="id"\r\n\r\n'.encode()
            + b"1" * 200_000
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        ),
        422,
        "malformed multipart",
    ),
    ("POST", "/api/book", {"data": {"id": "x" * 10_000_000, "day": "20261130"}}, 413, "at most"),
    ("POST", "/api/book", {"data": {"id": "x" * 1_000_000, "day": "20261130"}}, 422, "characters"),
    ("POST", "/_admin/classes", _json(b" " * (MAX_BODY + 1)), 413, f"at most {MAX_BODY} bytes"),
]


@pytest.mark.parametrize(("method", "path", "request_args", "status", "message"), HOSTILE)
def test_a_hostile_body_gets_a_small_clear_refusal_and_the_mock_serves_on(
    mock_url: str,
    *,
    method: str,
    path: str,
    request_args: dict[str, object],
    status: int,
    message: str,
) -> None:
    with httpx.Client(base_url=mock_url, timeout=30) as client:
        response = client.request(method, path, **request_args)  # type: ignore[arg-type]
        assert response.status_code == status, response.text[:300]
        assert message in response.json()["error"]["message"]
        assert len(response.content) < 2000  # the answer never grows with the request
        assert client.get("/_admin/config").json()["users"][0]["email"] == "u0@example.com"


def test_the_journal_comes_in_pages_with_a_capped_limit(mock_url: str) -> None:
    with httpx.Client(base_url=mock_url, timeout=30) as client:
        for user in ("u0", "u1", "u2"):
            login = {"username": f"{user}@example.com", "password": "pw"}
            assert client.post("/api/login", json=login).status_code == 200  # sets the cookie
            for _ in range(2):  # the second is "already booked": two entries each
                booked = client.post("/api/book", data={"id": "1", "day": "20261130"})
                assert booked.status_code == 200
            client.cookies.clear()
        first = client.get("/_admin/journal", params={"limit": 4}).json()
        rest = client.get("/_admin/journal", params={"since": 4, "limit": 4}).json()
        too_many = client.get("/_admin/journal", params={"limit": JOURNAL_PAGE_MAX + 1})
    assert [e["seq"] for e in first["entries"]] == [1, 2, 3, 4]
    assert (first["more"], first["last_seq"]) == (True, 6)
    assert [e["seq"] for e in rest["entries"]] == [5, 6]
    assert rest["more"] is False
    assert too_many.status_code == 422
    assert f"a whole number from 1 to {JOURNAL_PAGE_MAX}" in too_many.json()["error"]["message"]
    assert [e["seq"] for e in journal_entries(mock_url)] == [1, 2, 3, 4, 5, 6]
    assert [e["seq"] for e in journal_entries(mock_url, since=5)] == [6]
