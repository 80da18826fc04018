"""An invocation's limit as its store work sees it: no wait past it, no commit after it.

The asyncio driver runs store calls in threads, which it cannot stop. When the platform's limit
cuts an invocation (the 504), a call still waiting for a lock would otherwise go on, and its
commit would land after the answer: a claim nobody will send, a process living past its limit.
While a ``Cut`` is applied (``applied``: a context variable, which asyncio's tasks and
``asyncio.to_thread`` carry along, and the asyncio driver hands to its store threads), every
transaction of the SQL store

- waits at most the time left for any lock or statement (``left``: the SQL store turns it into
  PostgreSQL's ``lock_timeout`` and ``statement_timeout``, SQLite's ``busy_timeout``);
- commits only under ``committing``, which refuses once ``stop`` has run or the instant has
  passed. ``stop`` takes the same lock, so when it returns no transaction of the invocation is
  committing or will commit: the ones still under way roll back, and their callers get a
  ``StoreError``. (The served process's front bounds that wait by the answer's slack, so its
  504 waits on no hung commit.)

Its clock also stamps a claim when the row is taken (``SqlStore.claim``), after any wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from scheduler.core.domain import Instant, Seconds
from scheduler.core.errors import StoreError

__all__ = ["Cut", "current_cut"]

_current: ContextVar[Cut | None] = ContextVar("store_cut", default=None)


def current_cut() -> Cut | None:
    """The cut applied where the caller runs, if any (outside an invocation: none)."""
    return _current.get()


class Cut:
    """The instant ``at`` (on ``clock``) past which an invocation's store work is abandoned."""

    def __init__(self, at: Instant, *, clock: Callable[[], float] = time.time) -> None:
        self.at = at
        self._clock = clock
        self._lock = threading.Lock()
        self._stopped = False

    @contextmanager
    def applied(self) -> Iterator[Cut]:
        """Store calls made in this context (and the tasks and threads it hands on) obey it."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def now(self) -> Instant:
        return self._clock()

    def left(self) -> Seconds:
        """Seconds until the cut, 0 once it has passed or ``stop`` ran."""
        if self._stopped:
            return 0.0
        return max(0.0, self.at - self._clock())

    def stop(self, *, within: Seconds | None = None) -> bool:
        """From now on nothing starts committing; waits for a commit under way (it takes
        milliseconds), for at most ``within`` seconds if given. Whether none was under way
        by then: with ``within`` a stalled commit (a hung disk) may still land later, as it
        would under a platform's kill, but the caller is not held up by it."""
        if not self._lock.acquire(timeout=-1 if within is None else within):
            self._stopped = True  # every later ``committing`` sees it under the lock
            return False
        try:
            self._stopped = True
        finally:
            self._lock.release()
        return True

    @contextmanager
    def committing(self, operation: str) -> Iterator[None]:
        """Hold the cut off while one transaction commits; ``StoreError`` if it came first."""
        with self._lock:
            if self._stopped or self._clock() >= self.at:
                raise StoreError(f"{operation}: not committed, the invocation was cut")
            yield
