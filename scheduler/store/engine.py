"""Engines for the store: SQLite tuned for several processes on one file, PostgreSQL by URL.

SQLite. Every connection gets, through a ``connect`` listener:

- ``journal_mode = WAL``: readers never block the writer nor the writer the readers;
- ``busy_timeout`` (5 s, or what is left of an invocation, set before each transaction): a
  writer waits for the write lock instead of failing at once, and never past the limit;
- ``synchronous = NORMAL``: in WAL mode a commit survives a process crash (a kill at
  ``maxDuration``); only a power cut may lose the last commits, never corrupt the file.

The sqlite3 driver's own transaction handling is switched off and a ``begin`` listener issues
``BEGIN IMMEDIATE`` for writes (plain ``BEGIN`` for reads), as SQLAlchemy's SQLite notes
recommend: a write transaction takes the write lock before it reads anything, so it waits under
``busy_timeout`` instead of failing with ``SQLITE_BUSY`` when upgrading from a read, and DDL is
transactional, so two processes creating the tables at once take turns.

PostgreSQL. Each transaction starts with ``lock_timeout`` and ``statement_timeout`` (``SET
LOCAL``, so a pooled connection keeps none of it) at ``STATEMENT_TIMEOUT_S``, or at what is left
of an invocation (``scheduler.store.cut``): no lock wait and no statement outlives the limit.

Limits of sharing one SQLite file: every process must be on the same host (WAL uses shared
memory beside the file, so no network file systems); writes are serialised (one at a time), so
a write that waits longer than ``busy_timeout`` fails with a ``StoreError`` "database is
locked"; the file, its ``-wal`` and ``-shm`` siblings must stay together. For several hosts or
many concurrent writers use PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL

from scheduler.core.errors import ConfigurationError

from .schema import (
    add_missing_columns,
    columns_are_current,
    metadata,
    status_check_is_current,
    widen_status_check,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "CONNECT_TIMEOUT_S",
    "MIN_SQLITE",
    "STATEMENT_TIMEOUT_S",
    "ensure_schema",
    "make_engine",
    "transaction",
]

BUSY_TIMEOUT_S = 5.0
STATEMENT_TIMEOUT_S = 30.0  # PostgreSQL, outside an invocation (add, status): generous, finite
CONNECT_TIMEOUT_S = 10  # libpq waits forever for a silent host without it
MIN_SQLITE = (3, 35, 0)  # the first SQLite with UPDATE ... RETURNING, which the claim needs
_WRITE = "harness_write"  # execution option: this transaction will write
_WAIT = "harness_wait"  # execution option: the longest it may wait for a lock (seconds)
# pg_advisory_xact_lock key serialising table creation; any constant works if all agree on it.
_SCHEMA_LOCK_KEY = 0x70726562  # "preb"


def make_engine(url: URL) -> Engine:
    """An engine for a normalised URL (``urls.normalize_url``); no connection is made yet."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    query_timeout: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        query_timeout["connect_timeout"] = CONNECT_TIMEOUT_S
    # hide_parameters: a failed statement's message must not carry cookies.
    return create_engine(url, connect_args=query_timeout, hide_parameters=True)


def _sqlite_engine(url: URL) -> Engine:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise ConfigurationError(
            f"SQLite is {sqlite3.sqlite_version}; expected >= "
            f"{'.'.join(map(str, MIN_SQLITE))} (the claim needs UPDATE ... RETURNING)"
        )
    engine = create_engine(url, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" listener below decides
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _write_ahead_log(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        # Before BEGIN: BEGIN IMMEDIATE is where a writer waits for the lock.
        wait = options.get(_WAIT, BUSY_TIMEOUT_S)
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {_milliseconds(wait)}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE, False) else "BEGIN")

    return engine


def _write_ahead_log(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode. Switching a new database needs a lock SQLite does not wait
    for (the busy timeout does not apply): connections opening a new file at once get "database
    is locked" (about one in a hundred of eight at once, measured). They try again, with growing
    pauses, for as long as a lock is waited for elsewhere; once one has switched, the others
    find WAL and have nothing to do."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.05)


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))  # 0 would mean "no limit" to PostgreSQL


@contextmanager
def transaction(
    engine: Engine,
    *,
    write: bool,
    wait: float | None = None,
    committing: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> Iterator[Connection]:
    """One transaction, committed on success and rolled back on any exception.

    ``wait``: the longest any lock wait or statement may take (None: the defaults above).
    ``committing``: held around the commit; raising there rolls the transaction back.
    """
    with engine.connect() as connection:
        options: dict[str, Any] = {_WRITE: write}
        if wait is not None:
            options[_WAIT] = wait
        connection.execution_options(**options)
        with connection.begin() as tx:
            if engine.dialect.name == "postgresql":
                limit = str(_milliseconds(STATEMENT_TIMEOUT_S if wait is None else wait))
                connection.execute(
                    text(
                        "SELECT set_config('lock_timeout', :limit, true), "
                        "set_config('statement_timeout', :limit, true)"
                    ),
                    {"limit": limit},
                )
            yield connection
            with committing():
                tx.commit()


def ensure_schema(
    engine: Engine,
    *,
    wait: float | None = None,
    committing: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> None:
    """Create the tables and indexes that are missing; safe when many processes start at once.

    A read looks first, taking no lock: a process starting on a current database (every
    invocation of the CLI) must not wait on a writer to learn that nothing is to be done.
    Otherwise ``create_all`` checks then creates, which races between processes. On PostgreSQL
    the creators queue on a transaction-scoped advisory lock (released at commit), so the
    second one sees the first one's tables; on SQLite the write transaction's ``BEGIN
    IMMEDIATE`` does the same. ``wait`` and ``committing`` as for ``transaction``.
    """
    with transaction(engine, write=False, wait=wait) as connection:
        tables = set(inspect(connection).get_table_names())
        if (
            tables >= set(metadata.tables)
            and status_check_is_current(connection)
            and columns_are_current(connection)
        ):
            return
    with transaction(engine, write=True, wait=wait, committing=committing) as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
            )
        metadata.create_all(connection, checkfirst=True)
        add_missing_columns(connection)
        widen_status_check(connection)
