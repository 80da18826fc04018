"""The store's tables, in SQLAlchemy Core, the same on SQLite and PostgreSQL.

Modelled on the seed's ``prebookings`` table (mock_aimharder/API.md, "Its table") with three
changes:

- Times are ``DOUBLE PRECISION`` Unix seconds, not ``TIMESTAMPTZ``. A domain ``Instant`` is a
  float of seconds (the SimPy clock starts near 0), and a float round-trips exactly through an
  IEEE 754 double on both backends, while ``TIMESTAMPTZ`` keeps microseconds only and SQLite has
  no timestamp type at all (it would store text that compares differently). So what was written
  reads back ``==``, and ``available_at <= :now`` means the same everywhere.
- ``status`` is text with a CHECK of the statuses (the seed's ``loaded`` is gone): a status
  the scheduler does not know cannot be written through this schema, and reads still check
  (``rows``). A table created before a status was added keeps its old CHECK, which would refuse
  the new one: ``widen_status_check`` replaces it when the store opens, keeping every row.
- ``claimed_by`` / ``claimed_at`` record which invocation holds a row and since when: the claim
  writes them, a result is accepted only from the claimer, and the lease rule reads them
  (``scheduler.core.rules``).

``result`` and ``sessions.cookies`` are JSON as text, decoded by ``rows`` so that a malformed
value raises ``CorruptRowError`` rather than a driver's own exception.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    column,
    insert,
    select,
    table,
    text,
)

from scheduler.core.status import Status

__all__ = [
    "add_missing_columns",
    "columns_are_current",
    "deliveries",
    "metadata",
    "prebookings",
    "sessions",
    "status_check_is_current",
    "widen_status_check",
]

metadata = MetaData()


def _time(name: str, *, nullable: bool) -> Column[float]:
    return Column(name, Double(asdecimal=False), nullable=nullable)


_STATUS_LIST = ", ".join(f"'{status.value}'" for status in Status)

prebookings = Table(
    "prebookings",
    metadata,
    Column("id", String(64), primary_key=True, nullable=False),
    Column("user_id", String(320), nullable=False),
    Column("class_id", BigInteger, nullable=False),
    Column("day", String(8), nullable=False),
    Column("box", BigInteger, nullable=False),
    _time("available_at", nullable=False),
    _time("created_at", nullable=False),
    Column("status", String(16), nullable=False, server_default=Status.PENDING.value),
    Column("claimed_by", String(128), nullable=True),
    _time("claimed_at", nullable=True),
    _time("executed_at", nullable=True),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # When the earliest request never answered was sent (``Prebooking.unanswered_at``); added
    # to tables made before it by ``add_missing_columns``.
    _time("unanswered_at", nullable=True),
    CheckConstraint(f"status IN ({_STATUS_LIST})", name="ck_prebookings_status"),
    # find_ready: WHERE status = 'pending' AND available_at <= :now
    Index("ix_prebookings_status_available_at", "status", "available_at"),
    # find_ready and list: ORDER BY created_at, id (the seed's "for FIFO" index)
    Index("ix_prebookings_created_at", "created_at"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("user_id", String(320), primary_key=True, nullable=False),
    Column("cookies", Text, nullable=False),
    _time("saved_at", nullable=False),
)

# The trigger's delivery ids, as invocations started with them (``Store.begin_delivery``): a
# second start with the same id within the limit is a duplicate delivery. Rows older than that
# are deleted as new ones arrive, so the table holds only the last ``max_duration`` seconds.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(128), primary_key=True, nullable=False),
    _time("started_at", nullable=False),
    Index("ix_deliveries_started_at", "started_at"),
)


def widen_status_check(connection: Connection) -> None:
    """Give an existing ``prebookings`` table the CHECK of today's statuses, rows kept.

    Run inside the schema transaction (``engine.ensure_schema``), after ``create_all``. A CHECK
    that already names every status is left alone, so this costs one catalogue read per
    process; a table without that CHECK (dropped by hand) is left as it is. PostgreSQL replaces
    the constraint in place; SQLite cannot alter a constraint, so the table is rebuilt under
    the same name (its indexes with it) and the rows copied over.
    """
    if status_check_is_current(connection):
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "ALTER TABLE prebookings DROP CONSTRAINT IF EXISTS ck_prebookings_status, "
                f"ADD CONSTRAINT ck_prebookings_status CHECK (status IN ({_STATUS_LIST}))"
            )
        )
        return
    for index in prebookings.indexes:
        connection.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    connection.execute(text("ALTER TABLE prebookings RENAME TO prebookings_widening"))
    prebookings.create(connection)
    names = [c.name for c in prebookings.columns]
    old = table("prebookings_widening", *(column(name) for name in names))
    connection.execute(insert(prebookings).from_select(names, select(*old.c)))
    connection.execute(text("DROP TABLE prebookings_widening"))


def status_check_is_current(connection: Connection) -> bool:
    """Whether ``prebookings`` needs no new CHECK: it has none (dropped by hand, or no table
    yet), or one that names every status. One catalogue read, no lock taken."""
    if connection.dialect.name == "postgresql":
        current = connection.scalar(
            text(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conname = 'ck_prebookings_status' "
                "AND c.conrelid = to_regclass('prebookings')"
            )
        )
        return current is None or _names_every_status(str(current))
    created = connection.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'prebookings'")
    )
    if created is None or "ck_prebookings_status" not in created:
        return True
    return _names_every_status(str(created))


def _names_every_status(definition: str) -> bool:
    return all(f"'{status.value}'" in definition for status in Status)


# Columns added since the first schema, with their SQL type: a table made before them gets them
# (NULL in every old row, which is what each means for a row written without it).
_ADDED = {"unanswered_at": "DOUBLE PRECISION"}


def columns_are_current(connection: Connection) -> bool:
    """Whether ``prebookings`` has every added column, or does not exist yet."""
    found = _columns(connection)
    return not found or set(_ADDED) <= found


def add_missing_columns(connection: Connection) -> None:
    """Add to an existing ``prebookings`` the columns it lacks (``ALTER TABLE ... ADD``, the
    same on both backends; rows kept). Run inside the schema transaction, after ``create_all``."""
    found = _columns(connection)
    for name, sql_type in _ADDED.items():
        if name not in found:
            connection.execute(text(f"ALTER TABLE prebookings ADD COLUMN {name} {sql_type}"))


def _columns(connection: Connection) -> set[str]:
    from sqlalchemy import inspect  # noqa: PLC0415 - only when a schema is checked

    inspector = inspect(connection)
    if not inspector.has_table("prebookings"):
        return set()
    return {c["name"] for c in inspector.get_columns("prebookings")}
