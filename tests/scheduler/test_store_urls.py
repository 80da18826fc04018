"""Which databases the store opens, and the errors for the ones it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.core.domain import PrebookingId, UserId
from scheduler.core.errors import ConfigurationError, StoreError
from scheduler.store import (
    DEFAULT_DATABASE_URL,
    NewPrebooking,
    SqlStore,
    default_database_url,
    display_url,
    normalize_url,
    open_store,
)

ITEM = NewPrebooking(
    id=PrebookingId("p1"),
    user=UserId("ana@example.com"),
    class_id=7,
    day="20260105",
    box=1,
    available_at=0.0,
    created_at=0.0,
)


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("prebookings.sqlite", "sqlite:///prebookings.sqlite"),
        ("/var/lib/harness/p.sqlite", "sqlite:////var/lib/harness/p.sqlite"),
        ("sqlite:///data/p.sqlite", "sqlite:///data/p.sqlite"),
        ("sqlite+pysqlite:///p.sqlite", "sqlite:///p.sqlite"),
        ("postgresql://u:pw@db:5432/app", "postgresql+psycopg://u:pw@db:5432/app"),
        ("postgres://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
    ],
)
def test_accepted_forms_normalize_to_sqlite_or_psycopg(given: str, normalized: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == normalized


def test_a_path_object_is_a_sqlite_file(tmp_path: Path) -> None:
    assert normalize_url(tmp_path / "p.sqlite").database == str(tmp_path / "p.sqlite")


@pytest.mark.parametrize(
    "url",
    ["mysql://root:hunter2@db/app", "postgresql+asyncpg://u:hunter2@db/app", "redis://db:6379"],
)
def test_an_unknown_scheme_is_refused_with_the_accepted_forms(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalize_url(url)
    message = str(caught.value)
    assert "unknown scheme" in message
    assert (
        "expected one of ['a SQLite file path', 'sqlite:///<path>', 'postgresql://...'" in message
    )
    assert "hunter2" not in message


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"in-memory SQLite database.*use MemoryStore"):
        normalize_url(url)


@pytest.mark.parametrize("url", ["", "   "])
def test_an_empty_location_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"database is '.*'; expected one of"):
        normalize_url(url)


def test_an_unparsable_url_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalize_url("postgresql://u:hunter2@db:notaport/app")
    assert str(caught.value).startswith(
        "database URL 'postgresql://u:***@db:notaport/app' cannot be parsed; expected one of"
    )


def test_display_url_masks_the_password() -> None:
    assert display_url("postgresql://u:hunter2@db/app") == "postgresql://u:***@db/app"
    assert display_url("sqlite:///p.sqlite") == "sqlite:///p.sqlite"


def test_default_url_is_database_url_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/app")
    assert default_database_url() == "postgresql://u@db/app"
    monkeypatch.setenv("DATABASE_URL", "")
    assert default_database_url() == DEFAULT_DATABASE_URL == "sqlite:///prebookings.sqlite"
    monkeypatch.delenv("DATABASE_URL")
    assert default_database_url() == DEFAULT_DATABASE_URL


def test_open_store_without_a_url_opens_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    with open_store() as store:
        store.add([ITEM])
    with open_store(tmp_path / "env.sqlite") as again:
        assert [p.id for p in again.list()] == ["p1"]


def test_tables_are_created_on_first_use_not_on_open(tmp_path: Path) -> None:
    store = open_store(tmp_path / "lazy.sqlite")
    assert not (tmp_path / "lazy.sqlite").exists()
    assert store.list() == []
    assert (tmp_path / "lazy.sqlite").exists()
    store.close()


def test_unreachable_postgresql_is_a_store_error_without_the_password() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    store = SqlStore("postgresql://postgres:hunter2@127.0.0.1:1/app")
    with store, pytest.raises(StoreError) as caught:
        store.counts()
    message = str(caught.value)
    assert message.startswith(
        "counts on postgresql+psycopg://postgres:***@127.0.0.1:1/app failed: "
    )
    assert "hunter2" not in message
    assert "refused" in message.lower()


def test_a_sqlite_file_in_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'p.sqlite'}"
    with SqlStore(url) as store, pytest.raises(StoreError) as caught:
        store.add([ITEM])
    assert str(caught.value) == f"add on {url} failed: unable to open database file"
