"""Where the store lives when nothing says: ``DATABASE_URL``, else a SQLite file here.

Apart from ``urls`` (which parses URLs with SQLAlchemy) so that the settings and the command
line's help can name the default without importing SQLAlchemy.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_DATABASE_URL", "default_database_url"]

DEFAULT_DATABASE_URL = "sqlite:///prebookings.sqlite"


def default_database_url() -> str:
    """``DATABASE_URL`` from the environment when set and not empty, else a local SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
