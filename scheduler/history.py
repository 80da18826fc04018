"""The scheduler's history file: a JSON line per note of what it sent and heard
(``scheduler.core.exchange``), appended as each happens.

Written only when configured (``--history FILE`` or ``SCHEDULER_HISTORY``): judges read it
beside AimHarder's journal. The file is opened for appending, and each note is one ``write``
of one line, so concurrent invocations of one process, or several processes sharing the file,
never interleave inside a line. A note that cannot be written is logged and dropped: the
history watches the scheduler, it must never stop it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["History"]

log = logging.getLogger("scheduler.history")


class History:
    """Notes appended to ``path`` (created if missing); ``close`` when done."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._counter = 0
        self._lock = threading.Lock()

    def key(self) -> str:
        """A key no other request of this history has (process id and a counter)."""
        with self._lock:
            self._counter += 1
            return f"{os.getpid()}-{id(self):x}-{self._counter}"

    def note(self, note: dict[str, Any]) -> None:
        line = (json.dumps(note, separators=(",", ":")) + "\n").encode()
        try:
            os.write(self._fd, line)
        except OSError as exc:
            log.warning("history note not written to %s: %s", self.path, exc)

    def close(self) -> None:
        os.close(self._fd)
