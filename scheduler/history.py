"""The scheduler's history file: a JSON line per note of what it sent and heard
(``scheduler.core.exchange``), appended as each happens.

Written only when configured (``--history FILE`` or ``SCHEDULER_HISTORY``): judges read it
beside AimHarder's journal. The file is opened for appending, and each note is one ``write``
of one line, so concurrent invocations of one process, or several processes sharing the file,
never interleave inside a line. A note that cannot be written is logged and dropped: the
history watches the scheduler, it must never stop it.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

__all__ = ["History"]

log = logging.getLogger("scheduler.history")


# Keys count per process, across every History it opens: each invocation opens its own, and a
# History's ``id`` is no name for it (the next one is often allocated where the last was freed,
# and its notes then replaced the last one's in ``exchanges``). The token tells apart two
# processes that had the same pid one after the other.
_requests = itertools.count(1)
_requests_lock = threading.Lock()
_PROCESS_TOKEN = secrets.token_hex(4)


class History:
    """Notes appended to ``path`` (created if missing); ``close`` when done."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def key(self) -> str:
        """A key no other request of this process, or of any other, has."""
        with _requests_lock:
            count = next(_requests)
        return f"{os.getpid()}-{_PROCESS_TOKEN}-{count}"

    def note(self, note: dict[str, Any]) -> None:
        line = (json.dumps(note, separators=(",", ":")) + "\n").encode()
        try:
            os.write(self._fd, line)
        except OSError as exc:
            log.warning("history note not written to %s: %s", self.path, exc)

    def close(self) -> None:
        os.close(self._fd)
