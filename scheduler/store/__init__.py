"""The prebooking store: one ``Store`` protocol, a SQL implementation and an in-memory one.

    Store            protocol.py   what the drivers call (synchronously)
    SqlStore         sql.py        SQLAlchemy Core: a SQLite file by default, PostgreSQL by URL
    MemoryStore      memory.py     the same rules in memory, for the SimPy simulation and tests
    NewPrebooking    intake.py     what ``add`` takes, checked before anything is written

``open_store(url_or_path)`` opens a ``SqlStore`` (``DATABASE_URL`` when none is given).
"""

from .intake import NewPrebooking
from .memory import MemoryStore
from .protocol import Store
from .sql import SqlStore, open_store
from .urls import DEFAULT_DATABASE_URL, default_database_url, display_url, normalize_url

__all__ = [
    "DEFAULT_DATABASE_URL",
    "MemoryStore",
    "NewPrebooking",
    "SqlStore",
    "Store",
    "default_database_url",
    "display_url",
    "normalize_url",
    "open_store",
]
