"""Child processes of a run: started on 127.0.0.1 with ``harness.children``, always stopped.

``Children`` is a context manager that owns every process a run starts, each logging to
``logs/<name>.log``; leaving it (normally, by an exception, Ctrl-C or SIGTERM) stops each one
with its process group, in reverse order of start (SIGTERM, ``STOP_GRACE`` s, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.children import LISTENING, STOP_GRACE, Child, ChildError, child, listening_url
from loadtests.errors import StartupError

__all__ = ["Children"]


class Children(contextlib.ExitStack):
    """The processes of one run, stopped in reverse order of start when the block ends."""

    def __init__(self, logs: Path) -> None:
        super().__init__()
        self._logs = logs

    def start(
        self, name: str, command: Sequence[str], *, env: Mapping[str, str] | None = None
    ) -> Child:
        """Start ``command`` with ``env`` added to this environment; its output goes to
        ``logs/<name>.log`` (a fresh file)."""
        log = self._logs / f"{name}.log"
        log.unlink(missing_ok=True)
        environment = {**os.environ, **(env or {})}
        return self.enter_context(
            child(name, command, log=log, env=environment, listening=None, grace=STOP_GRACE)
        )

    def url(self, started: Child, *, timeout: float) -> str:
        """Where ``started`` listens, from its log; ``StartupError`` if it does not say so."""
        try:
            return listening_url(started, pattern=LISTENING, timeout=timeout)
        except ChildError as exc:
            raise StartupError(str(exc)) from None
