"""Rows that cannot be read back raise ``CorruptRowError`` naming row, column and value.

First the conversion itself, column by column; then rows written around the store with plain
SQL, on SQLite and PostgreSQL, into the store's own table where its types allow the damage and
into a table without its constraints (as an older version or a hand-made table would be)
where they do not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from scheduler.core.domain import BookingResult, InstanceId, Prebooking, PrebookingId, UserId
from scheduler.core.errors import CorruptRowError
from scheduler.core.status import Status
from scheduler.store import SqlStore, normalize_url
from scheduler.store.rows import prebooking_from_row, prebooking_to_row, session_from_row
from scheduler.store.schema import prebookings

T0 = 1_767_225_600.0

GOOD = Prebooking(
    id=PrebookingId("bad"),
    user=UserId("ana@example.com"),
    class_id=7,
    day="20260105",
    box=3,
    available_at=T0,
    created_at=T0 - 60,
    status=Status.COMPLETED,
    claimed_by=InstanceId("inv-1"),
    claimed_at=T0,
    executed_at=T0 + 0.4,
    result=BookingResult(book_state=1, reservation_id="r9"),
    attempts=1,
)
STATUSES = "one of ['pending', 'executing', 'completed', 'failed', 'unknown']"
RESULT_FORM = 'a JSON object {"book_state": int'

# (column, stored value, words of the expected form)
BAD_VALUES: list[tuple[str, object, str]] = [
    ("status", "loaded", STATUSES),
    ("status", None, STATUSES),
    ("result", "{not json", RESULT_FORM),
    ("result", "[1, 2]", RESULT_FORM),
    ("result", '{"book_state": "1"}', RESULT_FORM),
    ("result", '{"book_state": 1, "extra": 2}', RESULT_FORM),
    ("result", '{"book_state": 1, "message": 5}', RESULT_FORM),
    ("available_at", None, "a finite number of Unix seconds"),
    ("created_at", "yesterday", "a finite number of Unix seconds"),
    ("created_at", math.inf, "a finite number of Unix seconds"),
    ("executed_at", None, "a finite number of Unix seconds"),  # required: status is completed
    ("claimed_by", None, "the claiming instance's id when status is 'completed'"),
    ("claimed_at", "noon", "a finite number of Unix seconds"),
    ("attempts", None, "an integer >= 0"),
    ("attempts", -1, "an integer >= 0"),
    ("day", "2026-01-05", "a calendar date as YYYYMMDD"),
    ("class_id", 0, "an integer from 1 to"),
    ("box", None, "an integer from 1 to"),
    ("user_id", None, "a non-empty user name"),
    ("error", 12, "text or NULL"),
]


def test_a_good_row_reads_back_as_the_prebooking_it_was_written_from() -> None:
    assert prebooking_from_row(prebooking_to_row(GOOD)) == GOOD


@pytest.mark.parametrize(("column", "value", "expected"), BAD_VALUES)
def test_a_bad_column_is_a_corrupt_row_error(column: str, value: object, expected: str) -> None:
    row = {**prebooking_to_row(GOOD), column: value}
    with pytest.raises(CorruptRowError) as caught:
        prebooking_from_row(row)
    error = caught.value
    assert (error.row_id, error.column, error.value) == ("bad", column, value)
    assert expected in error.expected
    assert str(error) == f"row 'bad': column {column!r} holds {value!r}; expected {error.expected}"


def test_a_row_without_a_usable_id_is_named_by_what_it_holds() -> None:
    with pytest.raises(CorruptRowError, match=r"row 'None': column 'id' holds None"):
        prebooking_from_row({**prebooking_to_row(GOOD), "id": None})


@pytest.mark.parametrize("cookies", ["{oops", '["a"]', '{"amhrdrauth": 5}', None])
def test_bad_session_cookies_are_a_corrupt_row_error(cookies: object) -> None:
    row = {"user_id": "ana@example.com", "cookies": cookies, "saved_at": T0}
    with pytest.raises(CorruptRowError) as caught:
        session_from_row(row)
    assert (caught.value.row_id, caught.value.column, caught.value.value) == (
        "ana@example.com",
        "cookies",
        cookies,
    )


# -- rows written around the store -------------------------------------------------------------


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = create_engine(normalize_url(store_url))
    yield engine
    engine.dispose()


def create_table_without_constraints(engine: Engine) -> None:
    """The store's columns and types, without NOT NULL or CHECK: what an older version or a
    hand-made table may hold. The store finds the table and uses it as it is."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=not c.primary_key)
        for c in prebookings.columns
    ]
    Table("prebookings", MetaData(), *columns).create(engine)


def insert_raw(engine: Engine, **sql_literals: str) -> None:
    """Insert the row of GOOD with some columns replaced by raw SQL literals."""
    values = {name: ":" + name for name in prebooking_to_row(GOOD)} | sql_literals
    params = {k: v for k, v in prebooking_to_row(GOOD).items() if k not in sql_literals}
    names = ", ".join(values)
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO prebookings ({names}) VALUES ({', '.join(values.values())})"),
            params,
        )


ReadCall = Callable[[SqlStore], object]
READS = [
    pytest.param(lambda store: store.get(PrebookingId("bad")), id="get"),
    pytest.param(lambda store: store.list(), id="list"),
]
# (column, SQL literal, the value the error names)
RAW_DAMAGE = [
    pytest.param(("status", "'loaded'", "loaded"), id="status-loaded"),
    pytest.param(("available_at", "NULL", None), id="available_at-null"),
    pytest.param(("attempts", "NULL", None), id="attempts-null"),
    pytest.param(("result", "'{not json'", "{not json"), id="result-not-json"),
    pytest.param(("user_id", "NULL", None), id="user_id-null"),
]


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("damage", RAW_DAMAGE)
def test_reading_a_bad_row_written_with_sql_names_row_column_and_value(
    engine: Engine, store_url: str, damage: tuple[str, str, object], read: ReadCall
) -> None:
    column, literal, value = damage
    create_table_without_constraints(engine)
    insert_raw(engine, **{column: literal})
    with SqlStore(store_url) as store, pytest.raises(CorruptRowError) as caught:
        read(store)
    assert (caught.value.row_id, caught.value.column, caught.value.value) == ("bad", column, value)


def test_counts_name_a_row_with_an_unknown_status(engine: Engine, store_url: str) -> None:
    create_table_without_constraints(engine)
    insert_raw(engine, status="'loaded'")
    with SqlStore(store_url) as store, pytest.raises(CorruptRowError) as caught:
        store.counts()
    assert str(caught.value) == f"row 'bad': column 'status' holds 'loaded'; expected {STATUSES}"


def test_malformed_result_json_in_the_store_s_own_table(engine: Engine, store_url: str) -> None:
    with SqlStore(store_url) as store:
        store.list()  # creates the tables
        insert_raw(engine, result="'{\"book_state\": 1'")
        with pytest.raises(CorruptRowError) as caught:
            store.get(PrebookingId("bad"))
    assert str(caught.value).startswith(
        "row 'bad': column 'result' holds '{\"book_state\": 1'; expected a JSON object"
    )


def test_a_time_that_is_not_a_number_in_the_store_s_own_table(
    engine: Engine, store_url: str
) -> None:
    # SQLite keeps text in a REAL column; PostgreSQL takes only numbers, but 'NaN' is one.
    with SqlStore(store_url) as store:
        store.list()
        insert_raw(engine, created_at="'NaN'")
        with pytest.raises(CorruptRowError) as caught:
            store.list()
    value: Any = caught.value.value
    assert (caught.value.row_id, caught.value.column) == ("bad", "created_at")
    assert value == "NaN" or math.isnan(value)
    assert caught.value.expected == "a finite number of Unix seconds"


def test_the_store_s_own_table_refuses_an_unknown_status(engine: Engine, store_url: str) -> None:
    with SqlStore(store_url) as store:
        store.list()
        with pytest.raises(IntegrityError):
            insert_raw(engine, status="'loaded'")
        assert store.list() == []


def test_claiming_a_corrupt_row_raises_and_leaves_it_pending(
    engine: Engine, store_url: str
) -> None:
    with SqlStore(store_url) as store:
        store.list()
        insert_raw(engine, status="'pending'", day="'20261305'")
        with pytest.raises(CorruptRowError, match=r"column 'day' holds '20261305'"):
            store.claim(PrebookingId("bad"), InstanceId("inv-2"), T0)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT status, claimed_by FROM prebookings")).one()
    assert tuple(row) == ("pending", "inv-1")
