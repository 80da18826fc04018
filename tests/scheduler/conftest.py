"""Store fixtures: a fresh store of each kind, and a throw-away PostgreSQL database per run.

For the scheduler's own integration tests too:

    sqlite_url      a SQLite file in the test's temporary directory
    postgres_url    an empty PostgreSQL schema in this run's own database (pg_url: same)
    store_url       parametrized over both (sql_url: same)
    store           a fresh store of each kind: memory, SQLite, PostgreSQL

PostgreSQL tests never skip: when the server cannot be reached the fixture fails the test with
the URL it tried (CI starts PostgreSQL before the run). Each test session
creates its own database ``harness_<random>`` through the server's ``test`` database and drops
it at the end, so that parallel runs by other people on the same server never see each other;
each test gets a fresh schema in it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from scheduler.store import MemoryStore, SqlStore, Store, display_url, normalize_url

PG_URL = os.environ.get("HARNESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

StoreFactory = Callable[[], Store]


def _admin_url() -> URL:
    return normalize_url(PG_URL)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[URL]:
    """A new PostgreSQL database for this test session, dropped at its end."""
    admin_url = _admin_url()
    name = f"harness_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", hide_parameters=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is needed and unreachable at {display_url(admin_url)} "
            f"(set HARNESS_TEST_PG_URL): {str(exc).splitlines()[0]}",
            pytrace=False,
        )
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schemas(pg_database: URL) -> Iterator[Engine]:
    """The session's connections to its database that create and drop the tests' schemas:
    kept open, since a new connection costs PostgreSQL a process (tens of milliseconds, twice
    a test)."""
    engine = create_engine(pg_database, isolation_level="AUTOCOMMIT", hide_parameters=True)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url(pg_database: URL, pg_schemas: Engine) -> Iterator[str]:
    """The URL of an empty PostgreSQL schema of its own, in the session's database.

    A schema per test rather than a database per test: the same isolation (the store's tables
    are found through ``search_path``) at a few milliseconds instead of a quarter second.
    """
    schema = f"t_{secrets.token_hex(6)}"
    with pg_schemas.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = pg_database.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with pg_schemas.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """``postgres_url`` under its first name, kept for the tests that use it."""
    return postgres_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own temporary directory."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


STORE_KINDS = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]
SQL_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _url_for(kind: str, request: pytest.FixtureRequest) -> str:
    fixture = {"sqlite": "sqlite_url", "postgres": "postgres_url"}[kind]
    url = request.getfixturevalue(fixture)
    assert isinstance(url, str)
    return url


@pytest.fixture(params=SQL_KINDS)
def store_url(request: pytest.FixtureRequest) -> str:
    """A database URL for each SQL backend: a SQLite temp file, a fresh PostgreSQL schema."""
    return _url_for(request.param, request)


@pytest.fixture
def sql_url(store_url: str) -> str:
    """``store_url`` under its first name, kept for the tests that use it."""
    return store_url


@pytest.fixture(params=STORE_KINDS)
def store_factory(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """Opens stores of one kind on one database; all are closed after the test."""
    kind = request.param
    url = None if kind == "memory" else _url_for(kind, request)
    shared = MemoryStore()
    opened: list[Store] = []

    def open_one() -> Store:
        store: Store = shared if url is None else SqlStore(url)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> Store:
    """A fresh, empty store of each kind: memory, SQLite file, PostgreSQL."""
    return store_factory()
