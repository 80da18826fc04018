"""The store's tables, in SQLAlchemy Core, the same on SQLite and PostgreSQL.

Modelled on the seed's ``prebookings`` table (AIMHARDER-API.md §7.1) with three changes:

- Times are ``DOUBLE PRECISION`` Unix seconds, not ``TIMESTAMPTZ``. A domain ``Instant`` is a
  float of seconds (the SimPy clock starts near 0), and a float round-trips exactly through an
  IEEE 754 double on both backends, while ``TIMESTAMPTZ`` keeps microseconds only and SQLite has
  no timestamp type at all (it would store text that compares differently). So what was written
  reads back ``==``, and ``available_at <= :now`` means the same everywhere.
- ``status`` is text with a CHECK of the four statuses (the seed's ``loaded`` is gone): an
  unknown status cannot be written through this schema, and reads still check (``rows``).
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
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from scheduler.core.status import Status

__all__ = ["deliveries", "metadata", "prebookings", "sessions"]

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
