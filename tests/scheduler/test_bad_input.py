"""Bad input: hostile rows in the store, bad configurations, and bad requests to the
cron endpoint (fuzzed with schemathesis from its OpenAPI schema, bounded). Clear errors, never a
500 or a traceback to the caller, and no state corrupted.

Decision: ``find_ready`` skips a row it cannot read and logs it (``CorruptRowError`` names the
row, the column, the value and what was expected) instead of raising. Raising would fail every
invocation, and so every user's booking, until someone repaired the row by hand; skipping costs
only the bad row, which a claim can never take (it reads the row back and rolls back).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import create_engine, insert

from harness.gym import enqueue, journal, log_in_all, users
from mock_aimharder.server.serving import serve
from scheduler.app import CRON_PATH, OPENAPI, create_app
from scheduler.cli import main
from scheduler.core.domain import InstanceId, PrebookingId
from scheduler.core.errors import ConfigurationError, CorruptRowError
from scheduler.core.strategies import PolicyConfig, strategy
from scheduler.invoke import invoke
from scheduler.settings import Settings
from scheduler.store import MemoryStore, SqlStore, normalize_url, open_store
from scheduler.store.schema import prebookings
from tests.scheduler.real import mock_gym

NOW = time.time()
GOOD: dict[str, Any] = {
    "user_id": "eve@example.com",
    "class_id": 4242,
    "day": "20261130",
    "box": 1,
    "available_at": NOW - 60,
    "created_at": NOW - 7200,  # older than every good row: at the head of the queue
    "status": "pending",
    "attempts": 0,
    # every column in every row: one INSERT of many rows takes its columns from the first
    "claimed_by": None,
    "claimed_at": None,
    "executed_at": None,
    "result": None,
    "error": None,
}
# Each a row written by hand, another version or an attacker, and the column it breaks.
HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"id": "x'; DROP TABLE prebookings; --"}, "id"),
    ({"id": "bad-day", "day": "20261345"}, "day"),
    ({"id": "bad-user", "user_id": " "}, "user_id"),
    ({"id": "bad-class", "class_id": -5}, "class_id"),
    ({"id": "bad-result", "result": "{not json"}, "result"),
    ({"id": "bad-result2", "result": '{"book_state": "1; rm -rf /"}'}, "result"),
    ({"id": "bad-attempts", "attempts": -1}, "attempts"),
    (
        {"id": "no-holder", "status": "executing", "claimed_at": NOW - 3600, "claimed_by": None},
        "claimed_by",
    ),
]


def write_raw(url: str, rows: list[dict[str, Any]]) -> None:
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(insert(prebookings), rows)
    finally:
        engine.dispose()


@pytest.fixture
def hostile_store(sql_url: str) -> Iterator[SqlStore]:
    with open_store(sql_url) as store:
        store.counts()  # creates the tables
        write_raw(sql_url, [{**GOOD, **changes} for changes, _ in HOSTILE])
        yield store


def test_find_ready_skips_each_corrupt_row_and_logs_what_is_wrong(
    hostile_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    enqueue(hostile_store, users(2), available_at=NOW - 1)
    with caplog.at_level(logging.WARNING, logger="scheduler.store"):
        ready = hostile_store.find_ready(NOW, limit=2, lease=15.0)
    assert [p.id for p in ready] == ["pb-athlete00", "pb-athlete01"]  # not starved by them
    logged = caplog.text
    for _, column in HOSTILE:
        assert f"column {column!r}" in logged


def test_a_corrupt_row_cannot_be_claimed_and_is_left_as_it_was(hostile_store: SqlStore) -> None:
    with pytest.raises(CorruptRowError, match="column 'day' holds '20261345'"):
        hostile_store.claim(PrebookingId("bad-day"), InstanceId("i1"), NOW)
    with pytest.raises(CorruptRowError, match="column 'day'"):
        hostile_store.get(PrebookingId("bad-day"))  # still pending: the claim rolled back


def test_an_invocation_books_the_good_rows_past_the_hostile_ones(hostile_store: SqlStore) -> None:
    athletes = users(3)
    with mock_gym(3) as url:
        log_in_all(hostile_store, url, athletes)
        enqueue(hostile_store, athletes, available_at=NOW - 1)
        settings_ = Settings(database_url="unused", aimharder_url=url, policy=strategy("parallel"))
        answer = asyncio.run(invoke(settings_, hostile_store))
        booked = sorted(e["user"] for e in journal(url))
    assert answer.status == 200
    assert answer.body["results"]["completed"] == 3
    assert booked == athletes


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Settings(max_duration=-1.0), "max_duration=-1.0; expected a number of seconds"),
        (lambda: Settings(aimharder_url="file:///etc/passwd"), "expected an http:// or https://"),
        (lambda: PolicyConfig(lease_slack=float("nan")), "lease_slack=nan; expected a number"),
        (lambda: strategy("sequential", lease=3.0), "unknown policy parameter(s) ['lease']"),
        (lambda: open_store("mysql://root@127.0.0.1/x"), "unknown scheme 'mysql'"),
        (lambda: open_store("sqlite:///:memory:"), "in-memory SQLite database"),
        (lambda: MemoryStore().find_ready(float("inf"), 5), "now is inf; expected a finite"),
    ],
)
def test_bad_configurations_are_refused_naming_the_value(make: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        make()
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["invoke", "--lease-slack", "-1"], "lease_slack=-1.0; expected a number of seconds >= 0"),
        (["invoke", "--budget", "nan"], "budget=nan"),
        (["invoke", "--max-duration", "0"], "max_duration=0.0"),
    ],
)
def test_bad_flags_are_refused_without_a_traceback(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", str(tmp_path / "x.sqlite")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_cron_endpoint_never_answers_500_to_any_request() -> None:
    """Schemathesis draws the header the schema declares (any text, or none); a header is text,
    so its negative mode has nothing to draw: the hand-written cases below add the odd ones."""
    # Imported by the test, not with the module: every pytest worker collects this file, and
    # schemathesis costs each about 0.1 CPU-s to import (as in tests/mock_aimharder/test_fuzz.py).
    import schemathesis  # noqa: PLC0415

    store = MemoryStore()
    enqueue(store, users(2), available_at=NOW + 3600)  # nothing ready: the fuzz changes nothing
    before = store.list()
    settings_ = Settings(cron_secret="fuzz-secret", aimharder_url="http://127.0.0.1:9")
    app = create_app(settings_, store=store)
    operation = schemathesis.openapi.from_dict(OPENAPI)[CRON_PATH]["POST"]
    with serve(app) as url:

        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(base_url=url, timeout=10)
            assert response.status_code in (200, 401), response.text
            assert "Traceback" not in response.text
            assert "fuzz-secret" not in response.text

        check()
        with httpx.Client(base_url=url, timeout=10) as client:
            for method, headers, body in ODD_REQUESTS:
                response = client.request(method, CRON_PATH, headers=headers, content=body)
                assert response.status_code in (200, 401, 405), (headers, response.text)
                assert "Traceback" not in response.text
    assert store.list() == before


ODD_REQUESTS: list[tuple[str, dict[str, str], bytes]] = [
    ("POST", {"Authorization": ""}, b""),
    ("POST", {"Authorization": "Bearer"}, b""),
    ("POST", {"Authorization": "Basic ZnV6ejpzZWNyZXQ="}, b""),
    ("POST", {"Authorization": "Bearer " + "A" * 20_000}, b""),
    ("POST", {"Authorization": "Bearer undefined"}, b'{"force": true}'),
    ("POST", {"Content-Type": "application/json"}, b"{not json"),
    ("GET", {}, b""),
    ("DELETE", {"Authorization": "Bearer fuzz-secret"}, b""),
]
