"""The prebooking store: one ``Store`` protocol, a SQL implementation and an in-memory one.

    Store            protocol.py   what the drivers call (synchronously)
    SqlStore         sql.py        SQLAlchemy Core: a SQLite file by default, PostgreSQL by URL
    MemoryStore      memory.py     the same rules in memory, for the SimPy simulation and tests
    NewPrebooking    intake.py     what ``add`` takes, checked before anything is written

``open_store(url_or_path)`` opens a ``SqlStore`` (``DATABASE_URL`` when none is given).

The names from ``sql.py`` and ``urls.py`` are loaded at their first use: they import
SQLAlchemy (a third of a second of start-up), which a process that only reads its settings or
its command line (``--help``, a refused flag) never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .defaults import DEFAULT_DATABASE_URL, default_database_url
from .intake import NewPrebooking
from .memory import MemoryStore
from .protocol import Store

if TYPE_CHECKING:
    from .sql import SqlStore, open_store
    from .urls import display_url, normalize_url

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

_LOADED_ON_USE = {
    "SqlStore": "sql",
    "open_store": "sql",
    "display_url": "urls",
    "normalize_url": "urls",
}


def __getattr__(name: str) -> object:
    """The SQLAlchemy-backed names, imported when first asked for (PEP 562)."""
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked once: later lookups find it like any other name
    return value
