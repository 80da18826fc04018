"""Bad requests to the mock: its admin API fuzzed from its own OpenAPI schema with
schemathesis (valid and invalid input, bounded), and hostile requests to AimHarder's paths,
which the schema does not list (they are plain Starlette routes). Never a 500 or a traceback,
and the mock still serves afterwards with its configuration intact.

Needs ``schemathesis`` (the dev extra installs it; the test fails without it, never skips).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve

if TYPE_CHECKING:
    from schemathesis.schemas import BaseSchema

CONFIG = MockConfig(
    users=[UserAccount(email="ana@example.com", password="pw")],
    classes=[ClassSpec(id=1, box=1, day="20261130", time="07:00", capacity=5)],
)
APP = create_app(CONFIG, seed=3)
POSITIVE, NEGATIVE = "positive", "negative"  # schemathesis.GenerationMode's values
# Invalid input exists only for operations that take some (a body or parameters).
CASES = [
    pytest.param(path, method.upper(), mode, id=f"{method.upper()} {path} {mode}")
    for path, item in APP.openapi()["paths"].items()
    for method, spec in item.items()
    for mode in (
        [POSITIVE, NEGATIVE] if "requestBody" in spec or spec.get("parameters") else [POSITIVE]
    )
]


@cache
def schema() -> BaseSchema:
    """The mock's schema as schemathesis reads it: loaded by the test, not with the module (every
    pytest worker collects this file; schemathesis and the loading cost each about a second)."""
    import schemathesis  # noqa: PLC0415

    return schemathesis.openapi.from_dict(APP.openapi())


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve(APP) as url:
        yield url


def no_server_error(response: httpx.Response | object) -> None:
    status = getattr(response, "status_code", 0)
    text = getattr(response, "text", "")
    assert status < 500, (status, text[:500])
    assert "Traceback" not in text


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_the_admin_api_never_answers_500_to_any_input(
    mock_url: str, path: str, method: str, mode: str
) -> None:
    import schemathesis  # noqa: PLC0415 (see ``schema``)

    generation_mode = schemathesis.GenerationMode(mode)
    strategy = schema()[path][method].as_strategy(generation_mode=generation_mode)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: object) -> None:
        no_server_error(case.call(base_url=mock_url, timeout=10))  # type: ignore[attr-defined]

    check()
    # whatever the fuzz did, the mock still serves and a known configuration restores it
    put = httpx.put(f"{mock_url}/_admin/config", json=CONFIG.model_dump(mode="json"), timeout=10)
    assert put.status_code == 200, put.text
    assert httpx.get(f"{mock_url}/_admin/journal", timeout=10).status_code == 200


HOSTILE: list[tuple[str, str, dict[str, object]]] = [
    ("POST", "/api/book", {"data": {"id": "1 OR 1=1", "day": "'; DROP TABLE x;--", "box": "-1"}}),
    ("POST", "/api/book", {"data": {"id": "9" * 400, "day": "20261130", "box": "1"}}),
    (
        "POST",
        "/api/book",
        {
            "content": b"\xff\xfe\x00garbage",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        },
    ),
    ("POST", "/api/book", {"json": {"id": [1, 2], "day": None}}),
    ("POST", "/api/book", {"data": {"id": "1"}, "headers": {"cookie": "amhrdrauth=forged"}}),
    ("POST", "/api/cancelBook", {"data": {"id": "\u0000", "late": "x"}}),
    ("GET", "/api/bookings", {"params": {"day": "9" * 50, "box": "abc", "familyId": "\u2603"}}),
    (
        "POST",
        "/api/login",
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
    ),
    ("POST", "/api/login", {"json": {"mail": "ana@example.com", "pw": ["pw"]}}),
    ("POST", "/login", {"data": {"login": "ana@example.com", "mail": "x" * 10_000}}),
    (
        "PUT",
        "/_admin/config",
        {"content": b"[1, 2", "headers": {"content-type": "application/json"}},
    ),
    ("PUT", "/_admin/config", {"json": {"users": "everyone", "faults": {"book": {"drop": 2}}}}),
]


@pytest.mark.parametrize(("method", "path", "request_args"), HOSTILE)
def test_hostile_requests_to_aimharder_paths_get_a_clear_answer(
    mock_url: str, method: str, path: str, request_args: dict[str, object]
) -> None:
    with httpx.Client(base_url=mock_url, timeout=10) as client:
        response = client.request(method, path, **request_args)  # type: ignore[arg-type]
        no_server_error(response)
        assert client.get("/_admin/config").json()["users"][0]["email"] == "ana@example.com"
