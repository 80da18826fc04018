"""Child processes of a run: started on 127.0.0.1, waited for with a deadline, always stopped.

``Children`` is a context manager that owns every process a run starts; leaving it (normally
or by an exception) terminates each one, waits ``STOP_GRACE`` seconds, then kills what is left.
Every wait here has a deadline and every poll a bounded number of rounds.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from loadtests.errors import StartupError
from mock_aimharder.server.process import stop_process

__all__ = [
    "HOST",
    "STOP_GRACE",
    "Children",
    "free_port",
    "read_url_line",
    "wait_until_healthy",
]

HOST = "127.0.0.1"
STOP_GRACE = 10.0
POLL = 0.1


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Children:
    """The processes of one run, stopped in reverse order of start when the block ends."""

    def __init__(self, logs: Path) -> None:
        self._logs = logs
        self._started: list[tuple[str, subprocess.Popen[str], IO[str]]] = []

    def start(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdout_pipe: bool = False,
    ) -> subprocess.Popen[str]:
        """Start ``command``; its stderr (and stdout unless piped) goes to ``logs/<name>.log``."""
        self._logs.mkdir(parents=True, exist_ok=True)
        log = (self._logs / f"{name}.log").open("w")
        merged = {**os.environ, **(env or {})}
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            list(command),
            stdout=subprocess.PIPE if stdout_pipe else log,
            stderr=log,
            text=True,
            env=merged,
        )
        self._started.append((name, process, log))
        return process

    def stop(self, process: subprocess.Popen[str]) -> int:
        """Terminate, wait ``STOP_GRACE`` s, then kill: the exit code (negative: a signal)."""
        return stop_process(process, grace=STOP_GRACE)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for _name, process, log in reversed(self._started):
            try:
                self.stop(process)
            finally:
                if process.stdout is not None:
                    process.stdout.close()
                log.close()
        self._started.clear()


def read_url_line(process: subprocess.Popen[str], name: str, *, timeout: float) -> str:
    """The ``http://127.0.0.1:PORT`` a child prints once it listens (``mock_aimharder``).

    ``select`` bounds the wait: the child prints its one line with a flush, or exits (EOF).
    """
    if process.stdout is None:
        raise StartupError(f"{name}: started without a stdout pipe; expected one to read from")
    readable, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if readable else ""
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if match is None:
        raise StartupError(
            f"{name} did not announce its URL within {timeout:g} s: got {line!r}; "
            f"expected 'listening on http://127.0.0.1:PORT' (exit code {process.poll()})"
        )
    return match.group(1)


def wait_until_healthy(
    process: subprocess.Popen[str], url: str, name: str, *, timeout: float
) -> None:
    """Poll ``url`` until it answers 200, the process exits, or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / POLL) + 1):
        if process.poll() is not None:
            raise StartupError(f"{name} exited with code {process.returncode} while starting")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            break
        time.sleep(POLL)
    raise StartupError(f"{name} did not answer 200 at {url} within {timeout:g} s")
