"""Support for real runs beyond the gym every part starts alike (``harness.gym``): the mock
of such a gym in a thread of the tests (or its own process), and a lock held on the
prebookings by another connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text

from harness.children import mock_process
from harness.gym import SEED, gym_config
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve
from scheduler.store import SqlStore

__all__ = ["locked", "mock_gym"]


@contextmanager
def mock_gym(athletes: int, *, own_process: bool = False, **config: Any) -> Iterator[str]:
    """The mock of ``gym_config(athletes, **config)``; yields its base URL.

    ``own_process`` runs it as ``python -m mock_aimharder`` instead of in a thread of this
    process, so that its work does not share this interpreter's lock (for measurements).
    """
    mock = gym_config(athletes, **config)
    if not own_process:
        with serve(create_app(mock, seed=SEED)) as url:
            yield url
        return
    with mock_process(mock, seed=SEED) as url:
        yield url


@contextmanager
def locked(url: str, *, seconds: float | None = None) -> Iterator[None]:
    """Another connection keeps the prebookings from being written: PostgreSQL's table lock
    (``EXCLUSIVE``: reads go on, writes wait), SQLite's write lock (``BEGIN IMMEDIATE``).

    Held until the block ends, or for ``seconds`` from the start if given (then the block may
    end first; the lock is released on time all the same, and waited for on the way out).
    """
    engine = create_engine(SqlStore(url)._url)
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.begin()
                connection.execute(text("LOCK TABLE prebookings IN EXCLUSIVE MODE"))
            taken.set()
            release.wait(seconds)
            connection.rollback()

    holder = threading.Thread(target=hold, name="test-lock-holder")
    holder.start()
    try:
        if not taken.wait(10):
            raise RuntimeError(f"could not lock the prebookings of {url}")
        yield
    finally:
        if seconds is None:
            release.set()
        holder.join()
        engine.dispose()
