"""The prebooking store on SQLAlchemy Core: a SQLite file by default, PostgreSQL by URL.

Each method is one short transaction, and each change of a row one guarded statement, so that
several invocations (threads, processes, hosts) can share the database without a lock of
their own: the ``WHERE`` of the claim and of the result is the lock. Tables are created on
first use. Errors from the database come out as ``StoreError`` naming the URL (password
masked) and the operation; rows that cannot be read come out as ``CorruptRowError``.
"""

from __future__ import annotations

import builtins
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Executable,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert

from scheduler.core.domain import (
    BookingResult,
    InstanceId,
    Instant,
    Prebooking,
    PrebookingId,
    Seconds,
    Session,
    UserId,
)
from scheduler.core.effects import MarkResult
from scheduler.core.errors import ConfigurationError, CorruptRowError, StoreError
from scheduler.core.rules import (
    CLAIMABLE,
    CLAIMED,
    RECLAIMABLE,
    RECONCILABLE,
    RESULT_FROM,
    lease_cutoff,
    status_after_result,
)
from scheduler.core.settling import class_over_day
from scheduler.core.status import Event, Status

from .arguments import (
    check_claim,
    check_delivery,
    check_find_ready,
    check_result,
    check_session,
)
from .cut import current_cut
from .engine import ensure_schema, make_engine, transaction
from .intake import NewPrebooking, admit_all, duplicate_id_error
from .rows import (
    cookies_to_text,
    prebooking_from_row,
    prebooking_to_row,
    result_to_text,
    session_from_row,
)
from .schema import deliveries as _deliveries
from .schema import prebookings as _prebookings
from .schema import sessions as _sessions
from .urls import (
    credentials_of,
    default_database_url,
    display_url,
    mask_credentials,
    normalize_url,
)

__all__ = ["SqlStore", "open_store"]

log = logging.getLogger("scheduler.store")
_ID_CHUNK = 500  # ids per "IN (...)": well under SQLite's limit on bound parameters


POSTGRES_CONCURRENCY = 15  # SQLAlchemy's QueuePool: 5 connections + 10 overflow


class SqlStore:
    """The ``Store`` protocol on a SQL database named by ``url`` (see ``urls`` for the forms)."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        self._url = normalize_url(url)
        self.url = display_url(self._url)  # password masked: safe to show
        self._engine = make_engine(self._url)
        self._schema_lock = threading.Lock()
        self._schema_ready = False
        self._closed = False
        # A transaction the platform's limit left running in a store thread may end after the
        # store closed: its connection then comes back to a pool nobody owns, where only the
        # garbage collector would close it (psycopg warns, PostgreSQL keeps a backend till then).
        event.listen(self._engine, "checkin", self._close_when_closed)

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"

    def _close_when_closed(self, dbapi_connection: Any, _record: Any) -> None:
        if self._closed and dbapi_connection is not None:
            dbapi_connection.close()

    @property
    def concurrency(self) -> int:
        # SQLite has one writer: concurrent calls from one process only queue on its lock, and
        # its busy handler polls with growing sleeps (1, 2, 5, 10 ms ...), so they cost more than
        # one at a time. PostgreSQL serves as many as the pool holds (5, plus 10 overflow).
        if self._url.get_backend_name() == "sqlite":
            return 1
        return POSTGRES_CONCURRENCY

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _tx(self, operation: str, *, write: bool) -> Iterator[Connection]:
        if self._closed:
            raise StoreError(f"{operation} on {self.url}: the store is closed")
        cut, named = current_cut(), f"{operation} on {self.url}"
        wait = None if cut is None else cut.left()
        if wait is not None and wait <= 0:
            raise StoreError(f"{named}: not started, the invocation was cut")

        def committing() -> AbstractContextManager[None]:
            return nullcontext() if cut is None else cut.committing(named)

        try:
            self._ensure_schema(wait, committing)
            with transaction(
                self._engine, write=write, wait=wait, committing=committing
            ) as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"{operation} on {self.url} failed: {self._reason(exc)}") from exc

    def _ensure_schema(
        self, wait: float | None, committing: Callable[[], AbstractContextManager[None]]
    ) -> None:
        if self._schema_ready:
            return
        # Another thread may be creating the tables: wait for it no longer than for a lock.
        if not self._schema_lock.acquire(timeout=-1 if wait is None else wait):
            raise StoreError(f"the tables of {self.url} were being created past the cut")
        try:
            if not self._schema_ready:
                ensure_schema(self._engine, wait=wait, committing=committing)
                self._schema_ready = True
        finally:
            self._schema_lock.release()

    def _reason(self, exc: SQLAlchemyError) -> str:
        # The driver's own message, first line only: SQLAlchemy's adds the statement.
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        for secret in credentials_of(self._url):
            reason = reason.replace(secret, "***")
        return mask_credentials(reason)

    # -- prebookings ---------------------------------------------------------------------------

    def add(self, prebookings: Iterable[NewPrebooking]) -> builtins.list[Prebooking]:
        admitted = admit_all(prebookings)
        if not admitted:
            return []
        ids = [p.id for p in admitted]
        with self._tx("add", write=True) as connection:
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = ids[start : start + _ID_CHUNK]
                taken: set[str] = set(
                    connection.scalars(
                        select(_prebookings.c.id).where(_prebookings.c.id.in_(chunk))
                    )
                )
                for prebooking_id in chunk:  # the first in the caller's order, as MemoryStore
                    if prebooking_id in taken:
                        raise duplicate_id_error(prebooking_id)
            try:
                connection.execute(insert(_prebookings), [prebooking_to_row(p) for p in admitted])
            except IntegrityError as exc:
                # Another writer inserted one of these ids between the check and the insert.
                shown = f"{ids[:5]}{'...' if len(ids) > 5 else ''}"
                raise ConfigurationError(
                    f"add on {self.url}: one of the ids {shown} was added meanwhile by another "
                    "writer; expected new ids"
                ) from exc
        return admitted

    def find_ready(
        self, now: Instant, limit: int, *, lease: Seconds | None = None
    ) -> builtins.list[Prebooking]:
        check_find_ready(now, limit, lease)
        cutoff = lease_cutoff(now, lease)
        query, values = _ready(cutoff is not None), {"p_now": now, **_claimable_values(cutoff, now)}
        # A row that cannot be read is skipped and logged, not raised: raising would fail every
        # invocation (and every user's booking) until someone repaired it by hand. The bad rows
        # stay where they are, and a claim never takes one (it reads the row back and rolls
        # back). Skipped rows do not count against ``limit``, so bad rows at the head of the
        # queue cannot starve the good ones behind them.
        with self._tx("find_ready", write=False) as connection:
            fetch = limit
            while True:
                rows = connection.execute(query, {**values, "p_fetch": fetch}).mappings().all()
                ready, corrupt = _readable(rows)
                if len(ready) >= limit or len(rows) < fetch:
                    break
                fetch = limit + len(corrupt)
        for error in corrupt:
            log.warning("find_ready on %s skipped a corrupt row: %s", self.url, error)
        return ready[:limit]

    def claim(
        self,
        prebooking_id: PrebookingId,
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> Prebooking | None:
        check_claim(prebooking_id, instance_id, now, lease)
        # One statement: the WHERE makes it atomic on both backends. Concurrent claims of a row
        # serialise on its row lock (PostgreSQL, READ COMMITTED re-checks the WHERE after the
        # wait) or on the write lock (SQLite); only the first finds it ready: the others see it
        # executing with a fresh lease. Claim and reclaim write the same status (rules.CLAIMED).
        with self._tx("claim", write=True) as connection:
            locking = (
                select(_prebookings.c.id)
                .where(_prebookings.c.id == prebooking_id)
                .with_for_update(skip_locked=True)
            )
            taken_at = self._taken_at(connection, locking, None, now)
            cutoff = lease_cutoff(taken_at, lease)
            statement = (
                update(_prebookings)
                .where(
                    _prebookings.c.id.in_(locking.scalar_subquery()),  # not waited for if held
                    _claimable_sql(cutoff is not None),
                )
                .values(status=CLAIMED.value, claimed_by=instance_id, claimed_at=taken_at)
                .returning(*_prebookings.c)
            )
            claimable = _claimable_values(cutoff, taken_at)
            row = connection.execute(statement, claimable).mappings().first()
            # Read inside the transaction: a corrupt row raises and the claim rolls back.
            return prebooking_from_row(row) if row is not None else None

    def claim_many(
        self,
        prebooking_ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: Instant,
        *,
        lease: Seconds | None = None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        for prebooking_id in prebooking_ids:
            check_claim(prebooking_id, instance_id, now, lease)
        ids = list(dict.fromkeys(prebooking_ids))
        corrupt: dict[PrebookingId, Prebooking | CorruptRowError] = {}
        while True:
            try:
                return {**self._claim_all(ids, instance_id, now, lease), **corrupt}
            except _Unreadable as unreadable:
                # The claim rolled back: the rows that cannot be read stay as they were, and
                # the others are claimed again without them (a corrupt row is a rare thing).
                for error in unreadable.errors:
                    corrupt[PrebookingId(error.row_id)] = error
                ids = [i for i in ids if i not in corrupt]

    def _claim_all(
        self,
        ids: Sequence[PrebookingId],
        instance_id: InstanceId,
        now: Instant,
        lease: Seconds | None,
    ) -> dict[PrebookingId, Prebooking | CorruptRowError]:
        cutoff = lease_cutoff(now, lease)
        locked, statement = _claim_many(cutoff is not None)
        claimable = _claimable_values(cutoff, now)
        claimed: dict[PrebookingId, Prebooking | CorruptRowError] = {}
        with self._tx("claim_many", write=True) as connection:
            for start in range(0, len(ids), _ID_CHUNK):
                values = {**claimable, "p_ids": ids[start : start + _ID_CHUNK]}
                taken_at = self._taken_at(connection, locked, values, now)
                values |= {"p_claimer": instance_id, "p_taken_at": taken_at}
                rows = connection.execute(statement, values).mappings().all()
                taken, errors = _readable(rows)
                if errors:
                    raise _Unreadable(errors)  # rolls the whole claim back
                claimed.update((p.id, p) for p in taken)
        return claimed

    @staticmethod
    def _taken_at(
        connection: Connection,
        locking: Select[Any],
        values: Mapping[str, Any] | None,
        now: Instant,
    ) -> Instant:
        """When an invocation's claim takes its rows: after the waits, on the invocation's clock.

        ``claimed_at`` is when the claim ran, and the lease counts from it. A claim may wait for
        the database (SQLite's write lock is taken at ``BEGIN IMMEDIATE``, before this; the
        PostgreSQL row locks are taken here, first, by ``locking``: a ``FOR UPDATE`` of the
        rows) well after the flow asked for it at ``now``. Outside an invocation (no cut) the
        caller's ``now`` is the time.
        """
        cut = current_cut()
        if cut is None:
            return now
        if connection.dialect.name == "postgresql":
            connection.execute(locking, values)
        return max(now, cut.now())

    def record_result(
        self,
        prebooking_id: PrebookingId,
        instance_id: InstanceId,
        *,
        event: Event,
        executed_at: Instant,
        result: BookingResult | None,
        error: str | None,
        attempts: int,
        unanswered_at: Instant | None = None,
    ) -> bool:
        mark = MarkResult(
            prebooking_id=prebooking_id,
            instance_id=instance_id,
            event=event,
            executed_at=executed_at,
            result=result,
            error=error,
            attempts=attempts,
            unanswered_at=unanswered_at,
        )
        statement = _result_statement(mark)
        with self._tx("record_result", write=True) as connection:
            return connection.execute(statement).first() is not None

    def record_results(self, marks: Sequence[MarkResult]) -> builtins.list[bool]:
        values = [_result_values(mark) for mark in marks]  # every mark checked first
        ids = sorted({mark.prebooking_id for mark in marks})
        written = [False] * len(marks)
        with self._tx("record_results", write=True) as connection:
            # The rows held, locked in id order (see ``_claim_all``), then one executemany of
            # ``record_result``'s guarded statement for the marks of their holders: one commit,
            # and no statement per row to prepare.
            holders: dict[str, str] = {}
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = {"p_ids": ids[start : start + _ID_CHUNK]}
                held = connection.execute(_HELD, chunk)
                holders.update((row.id, row.claimed_by) for row in held)
            rows = []
            for i, mark in enumerate(marks):
                holder = mark.instance_id
                if holders.pop(mark.prebooking_id, None) == holder:  # each row once
                    written[i] = True
                    rows.append({**values[i], "b_id": mark.prebooking_id, "b_holder": holder})
            if rows:
                connection.execute(_RESULT_MANY, rows)
        return written

    def begin_delivery(self, instance_id: InstanceId, now: Instant, *, hold: Seconds) -> bool:
        check_delivery(instance_id, now, hold)
        # Old notes go first, then one insert that does nothing on a conflict: of two at once,
        # the second waits for the first's row (PostgreSQL) or the write lock (SQLite), then
        # inserts nothing and returns no row.
        with self._tx("begin_delivery", write=True) as connection:
            connection.execute(delete(_deliveries).where(_deliveries.c.started_at < now - hold))
            dialect = connection.dialect.name
            insert_ = (
                sqlite.insert(_deliveries)
                if dialect == "sqlite"
                else _postgresql_insert(_deliveries)
            )
            statement = (
                insert_.values(id=instance_id, started_at=now)
                .on_conflict_do_nothing(index_elements=[_deliveries.c.id])
                .returning(_deliveries.c.id)
            )
            return connection.execute(statement).first() is not None

    def forget_delivery(self, instance_id: InstanceId) -> None:
        with self._tx("forget_delivery", write=True) as connection:
            connection.execute(delete(_deliveries).where(_deliveries.c.id == instance_id))

    def get(self, prebooking_id: PrebookingId) -> Prebooking | None:
        query = select(_prebookings).where(_prebookings.c.id == prebooking_id)
        with self._tx("get", write=False) as connection:
            row = connection.execute(query).mappings().first()
            return prebooking_from_row(row) if row is not None else None

    def list(self, status: Status | None = None) -> builtins.list[Prebooking]:
        query = select(_prebookings).order_by(_prebookings.c.created_at, _prebookings.c.id)
        if status is not None:
            query = query.where(_prebookings.c.status == Status(status).value)
        with self._tx("list", write=False) as connection:
            return [prebooking_from_row(row) for row in connection.execute(query).mappings()]

    def counts(self) -> dict[Status, int]:
        query = select(_prebookings.c.status, func.count()).group_by(_prebookings.c.status)
        totals = dict.fromkeys(Status, 0)
        with self._tx("counts", write=False) as connection:
            for row in connection.execute(query):
                status_text: Any = row[0]
                try:
                    totals[Status(status_text)] = int(row[1])
                except ValueError:
                    # Name a row so the message says where to look.
                    bad = connection.scalar(
                        select(_prebookings.c.id).where(_prebookings.c.status == status_text)
                    )
                    expected = f"one of {[s.value for s in Status]}"
                    raise CorruptRowError(str(bad), "status", status_text, expected) from None
        return totals

    # -- sessions ------------------------------------------------------------------------------

    def get_session(self, user: UserId) -> Session | None:
        query = select(_sessions).where(_sessions.c.user_id == user)
        with self._tx("get_session", write=False) as connection:
            row = connection.execute(query).mappings().first()
            return session_from_row(row) if row is not None else None

    def get_sessions(self, users: Sequence[UserId]) -> dict[UserId, Session | CorruptRowError]:
        wanted = list(dict.fromkeys(users))
        found: dict[UserId, Session | CorruptRowError] = {}
        with self._tx("get_sessions", write=False) as connection:
            for start in range(0, len(wanted), _ID_CHUNK):
                chunk = {"p_users": wanted[start : start + _ID_CHUNK]}
                for row in connection.execute(_SESSIONS_OF, chunk).mappings():
                    try:
                        session: Session | CorruptRowError = session_from_row(row)
                    except CorruptRowError as error:
                        session = error
                    found[UserId(str(row["user_id"]))] = session
        return found

    def save_session(self, session: Session, now: Instant) -> None:
        check_session(session, now)
        values: Mapping[str, Any] = {
            "user_id": session.user,
            "cookies": cookies_to_text(session.cookies),
            "saved_at": now,
        }
        statement = _upsert_session(self._engine.dialect.name, values)
        with self._tx("save_session", write=True) as connection:
            connection.execute(statement)

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _result_statement(mark: MarkResult) -> Executable:
    """``record_result``'s one guarded statement: only the claimer's executing row changes."""
    values = _result_values(mark)
    return (
        update(_prebookings)
        .where(
            _prebookings.c.id == mark.prebooking_id,
            _prebookings.c.status == RESULT_FROM.value,
            _prebookings.c.claimed_by == mark.instance_id,
        )
        .values(values)
        .returning(_prebookings.c.id)
    )


def _result_values(mark: MarkResult) -> dict[str, Any]:
    """What ``mark`` writes, by column (checked first)."""
    new_status = status_after_result(mark.prebooking_id, mark.event)
    check_result(mark.prebooking_id, mark.executed_at, mark.result, mark.error, mark.attempts)
    return {
        "status": new_status.value,
        "executed_at": mark.executed_at,
        "result": result_to_text(mark.result),
        "error": mark.error,
        "attempts": mark.attempts,
        "unanswered_at": mark.unanswered_at,
    }


# ``_result_statement`` with every value a parameter (``b_id``, ``b_holder`` and the columns of
# ``_result_values``), for an executemany.
_RESULT_MANY = (
    update(_prebookings)
    .where(
        _prebookings.c.id == bindparam("b_id"),
        _prebookings.c.status == RESULT_FROM.value,
        _prebookings.c.claimed_by == bindparam("b_holder"),
    )
    .values(
        status=bindparam("status"),
        executed_at=bindparam("executed_at"),
        result=bindparam("result"),
        error=bindparam("error"),
        attempts=bindparam("attempts"),
        unanswered_at=bindparam("unanswered_at"),
    )
)


# The statements every invocation runs (find ready, claim, sessions, results), built once. To
# build one (its clauses, then its cache key: SQLAlchemy memoizes the key on the statement)
# cost more CPU than to run it on SQLite: find_ready of one row took 1.3 ms of CPU in an
# invocation-like call against 0.76 ms prebuilt (measured here on one store). Their values are
# parameters, named ``p_...`` apart from the columns an UPDATE sets.


def _claimable_sql(leased: bool) -> ColumnElement[bool]:
    """``rules.is_claimable`` or ``rules.is_reconcilable`` as SQL: pending, or (``leased``)
    reclaimable and claimed at or before ``p_cutoff``, or failed with a request never
    answered, its class not over (its day after ``p_over_day``), claimed at or before
    ``p_cutoff``. Values: ``_claimable_values``.

    A NULL ``claimed_at`` compares unknown, so such a (corrupt) row is never taken up.
    """
    pending = _prebookings.c.status == CLAIMABLE.value
    if not leased:
        return pending
    cutoff: BindParameter[Any] = bindparam("p_cutoff")
    expired = and_(
        _prebookings.c.status.in_(sorted(s.value for s in RECLAIMABLE)),
        _prebookings.c.claimed_at <= cutoff,
    )
    reconcilable = and_(
        _prebookings.c.status == RECONCILABLE.value,
        _prebookings.c.unanswered_at.is_not(None),
        _prebookings.c.day > bindparam("p_over_day"),
        _prebookings.c.claimed_at <= cutoff,
    )
    return or_(pending, expired, reconcilable)


def _claimable_values(cutoff: Instant | None, now: Instant) -> dict[str, Any]:
    """The parameters of ``_claimable_sql(cutoff is not None)`` at ``now``."""
    if cutoff is None:
        return {}
    return {"p_cutoff": cutoff, "p_over_day": class_over_day(now)}


@functools.cache
def _ready(leased: bool) -> Select[Any]:
    """``find_ready``'s query: claimable rows available at ``p_now``, the first asked first,
    at most ``p_fetch`` of them."""
    return (
        select(_prebookings)
        .where(_claimable_sql(leased), _prebookings.c.available_at <= bindparam("p_now"))
        .order_by(_prebookings.c.created_at, _prebookings.c.id)
        .limit(bindparam("p_fetch"))
    )


@functools.cache
def _claim_many(leased: bool) -> tuple[Select[Any], Executable]:
    """``claim_many``'s two statements for ids ``p_ids``: the rows locked, then claimed for
    ``p_claimer`` at ``p_taken_at``. As ``claim``'s WHERE on many ids. The rows are locked in
    id order (PostgreSQL; SQLite has one writer), so that two claimers of overlapping sets wait
    for each other instead of deadlocking; after a wait, READ COMMITTED re-checks the WHERE,
    and a row another claimer took is left. SKIP LOCKED: a row another transaction holds is
    not waited for (issue 22: a stopped claimer's locks held every other invocation's claims
    meanwhile); the holder takes it, or the lease gives it back to a later claim."""
    locked = (
        select(_prebookings.c.id)
        .where(_prebookings.c.id.in_(bindparam("p_ids", expanding=True)), _claimable_sql(leased))
        .order_by(_prebookings.c.id)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(_prebookings)
        .where(_prebookings.c.id.in_(locked.scalar_subquery()), _claimable_sql(leased))
        .values(
            status=CLAIMED.value,
            claimed_by=bindparam("p_claimer"),
            claimed_at=bindparam("p_taken_at"),
        )
        .returning(*_prebookings.c)
    )
    return locked, statement


# ``record_results``' rows ``p_ids`` that wait for a result, with their claimer, locked in id
# order (see ``_claim_many``).
_HELD = (
    select(_prebookings.c.id, _prebookings.c.claimed_by)
    .where(
        _prebookings.c.id.in_(bindparam("p_ids", expanding=True)),
        _prebookings.c.status == RESULT_FROM.value,
    )
    .order_by(_prebookings.c.id)
    .with_for_update()
)

# ``get_sessions``' query: the sessions of the users ``p_users``.
_SESSIONS_OF = select(_sessions).where(
    _sessions.c.user_id.in_(bindparam("p_users", expanding=True))
)


class _Unreadable(StoreError):
    """Rows a claim returned that cannot be read: the claim must roll back."""

    def __init__(self, errors: builtins.list[CorruptRowError]) -> None:
        super().__init__(f"{len(errors)} unreadable row(s)")
        self.errors = errors


def _readable(
    rows: Iterable[Mapping[Any, Any]],
) -> tuple[builtins.list[Prebooking], builtins.list[CorruptRowError]]:
    """The rows that read back as prebookings, and the errors of those that do not."""
    ready: builtins.list[Prebooking] = []
    corrupt: builtins.list[CorruptRowError] = []
    for row in rows:
        try:
            ready.append(prebooking_from_row(row))
        except CorruptRowError as error:
            corrupt.append(error)
    return ready, corrupt


def _postgresql_insert(table: Table) -> PostgresqlInsert:
    """PostgreSQL's ``INSERT``, its dialect imported on first use: the dialect takes a tenth
    of a second to import (it brings its drivers' dialects along), which a process on SQLite,
    a served scheduler's or a load run's, would pay at every start for nothing."""
    from sqlalchemy.dialects import postgresql  # noqa: PLC0415 (see the docstring)

    return postgresql.insert(table)


def _upsert_session(dialect_name: str, values: Mapping[str, Any]) -> Executable:
    """``INSERT ... ON CONFLICT (user_id) DO UPDATE``: both backends spell it the same way."""
    if dialect_name == "sqlite":
        lite = sqlite.insert(_sessions).values(values)
        return lite.on_conflict_do_update(
            index_elements=[_sessions.c.user_id],
            set_={"cookies": lite.excluded.cookies, "saved_at": lite.excluded.saved_at},
        )
    pg = _postgresql_insert(_sessions).values(values)
    return pg.on_conflict_do_update(
        index_elements=[_sessions.c.user_id],
        set_={"cookies": pg.excluded.cookies, "saved_at": pg.excluded.saved_at},
    )


def open_store(url_or_path: str | os.PathLike[str] | None = None) -> SqlStore:
    """A ``SqlStore`` for a SQLite path or a database URL (``default_database_url()`` if None)."""
    return SqlStore(url_or_path if url_or_path is not None else default_database_url())
