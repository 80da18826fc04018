"""Where the store lives: a SQLite file path or a database URL, normalised for SQLAlchemy.

Accepted (SQLite by default, PostgreSQL for several instances):

    prebookings.sqlite                   a file path (relative to the working directory)
    sqlite:///prebookings.sqlite         the same as a URL; sqlite:////abs/path for absolute
    postgresql://user@host:5432/db       also postgres:// and postgresql+psycopg://

PostgreSQL always goes through psycopg 3 (``postgresql+psycopg``), the driver this project
installs. URLs are shown with the password masked, in errors as everywhere else.
"""

from __future__ import annotations

import os
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from scheduler.core.errors import ConfigurationError

from .defaults import DEFAULT_DATABASE_URL, default_database_url

__all__ = [
    "ACCEPTED_FORMS",
    "DEFAULT_DATABASE_URL",
    "credentials_of",
    "default_database_url",
    "display_url",
    "mask_credentials",
    "missing_file",
    "normalize_url",
    "require_existing",
]

ACCEPTED_FORMS = [
    "a SQLite file path",
    "sqlite:///<path>",
    "postgresql://...",
    "postgres://...",
    "postgresql+psycopg://...",
]
_SQLITE = {"sqlite", "sqlite+pysqlite"}
_POSTGRES = {"postgresql", "postgres", "postgresql+psycopg"}


# Every credential a database URL can carry beside ``user:password@``: libpq takes its
# connection keywords in the query too (``?password=``, ``?host=...&password=...``), and the
# same keywords in a ``key=value`` string.
_CREDENTIAL = re.compile(r"(?i)\b(password|sslpassword|passwd|pwd)=([^&\s;]*)")


def display_url(url: str | URL) -> str:
    """``url`` with every credential (``user:password@``, ``password=`` and its kin in the
    query) replaced by ``***``, safe for messages and logs."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy can parse: mask whatever sits between "//user:" and "@".
        shown = str(url)
        scheme, sep, rest = shown.partition("://")
        credentials, at, host = rest.rpartition("@")
        if sep and at and ":" in credentials:
            shown = f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return mask_credentials(shown)


def mask_credentials(text: str) -> str:
    """``text`` with the value of every ``password=``-like keyword replaced by ``***``."""
    return _CREDENTIAL.sub(r"\1=***", text)


def credentials_of(url: URL) -> list[str]:
    """The secrets ``url`` carries (its password, and any in its query), longest first, to
    take out of a driver's message that might repeat one."""
    found = [str(url.password)] if url.password else []
    for key, value in url.query.items():
        if _CREDENTIAL.fullmatch(f"{key}=x"):
            found += [value] if isinstance(value, str) else list(value)
    return sorted((s for s in found if s), key=len, reverse=True)


def missing_file(url_or_path: str | os.PathLike[str]) -> str | None:
    """The SQLite file ``url_or_path`` names when it is not there yet (in a folder that is),
    else None (it exists, or the store is PostgreSQL)."""
    url = normalize_url(url_or_path)
    path = os.path.abspath(url.database or "")
    # A missing folder SQLite refuses on its own ("unable to open database file").
    if url.drivername == "sqlite" and os.path.isdir(os.path.dirname(path)):
        return None if os.path.exists(path) else str(url.database)
    return None


def require_existing(
    url_or_path: str | os.PathLike[str], *, remedy: str = "scheduler init creates one"
) -> None:
    """``ConfigurationError`` if the URL names a SQLite file that is not there; ``remedy``
    says how to make one.

    Opening a store creates its file, so a mistyped path would otherwise read as an empty store
    (``status``), or start a new one beside the real one (``invoke``, ``serve``: issue 27) instead
    of being a mistake.
    """
    missing = missing_file(url_or_path)
    if missing is not None:
        raise ConfigurationError(
            f"database file {missing!r} does not exist; expected an existing store ({remedy})"
        )


def normalize_url(url_or_path: str | os.PathLike[str]) -> URL:
    """The SQLAlchemy URL for a path or URL, or ``ConfigurationError`` listing accepted forms."""
    text = os.fspath(url_or_path)
    if not text.strip():
        raise ConfigurationError(f"database is {text!r}; expected one of {ACCEPTED_FORMS}")
    if "://" not in text:
        return URL.create("sqlite", database=text)
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"database URL {display_url(text)!r} cannot be parsed; expected one of {ACCEPTED_FORMS}"
        ) from None
    if url.drivername in _SQLITE:
        if url.database in (None, "", ":memory:"):
            raise ConfigurationError(
                f"database URL {display_url(url)!r} is an in-memory SQLite database, private to "
                "one connection; expected a file (sqlite:///<path>), or use MemoryStore"
            )
        return url.set(drivername="sqlite")
    if url.drivername in _POSTGRES:
        return url.set(drivername="postgresql+psycopg")
    raise ConfigurationError(
        f"database URL {display_url(url)!r} has the unknown scheme {url.drivername!r}; "
        f"expected one of {ACCEPTED_FORMS}"
    )
