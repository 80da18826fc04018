"""A store closed while one of its transactions still runs (a store thread the platform's limit
left behind) closes that transaction's connection when it comes back, instead of leaving it in
a pool nobody owns for the garbage collector: psycopg warns about such a connection, and
PostgreSQL keeps a backend for it meanwhile (seen as an intermittent ResourceWarning in the
suite, raised in whichever test happened to collect it)."""

from __future__ import annotations

import gc
import threading
import warnings

from scheduler.store import SqlStore

WAIT = 10.0  # seconds: only a hang reaches it


def test_a_transaction_running_when_the_store_closes_returns_a_closed_connection(
    postgres_url: str,
) -> None:
    store = SqlStore(postgres_url)
    inside, closed = threading.Event(), threading.Event()

    def abandoned(held: SqlStore) -> None:
        # The store's own transaction (private to it, as every store operation uses it).
        with held._tx("a transaction left running", write=False):
            inside.set()
            closed.wait(WAIT)

    thread = threading.Thread(target=abandoned, args=(store,))
    thread.start()
    assert inside.wait(WAIT)
    store.close()
    closed.set()
    thread.join(WAIT)
    assert not thread.is_alive()
    del store
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == []
