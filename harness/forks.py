"""Children forked from a server that has imported their modules already (``harness.forkserver``).

``ForkServer`` starts the server (``python -m harness.forkserver``, importing ``preload``) and
asks it for children; each is a ``Forked``, which answers as much of ``subprocess.Popen`` as
``harness.children`` uses: ``pid``, ``returncode``, ``poll()`` and ``wait(timeout)``. The
child is the server's, not ours, so the server reaps it and sends its exit code on a socket of
the child's own, which ``Forked`` reads.

Standard library only: the modules to preload are named, never imported here.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["ForkServer", "ForkServerError", "Forked"]

ANSWER_BYTES = 32  # ``pid N`` or ``exit N``
CLOSE_TIMEOUT = 10.0  # seconds for the server to end once asked to


class ForkServerError(Exception):
    """The fork server is gone, or did not answer."""


class Forked:
    """A child of the fork server, as this process sees it."""

    def __init__(self, command: Sequence[str], pid: int, answers: socket.socket) -> None:
        self.args = list(command)
        self.pid = pid
        self.returncode: int | None = None
        self._answers = answers
        self._reading = threading.Lock()

    def poll(self) -> int | None:
        """The exit code if it has ended, else ``None``."""
        return self._read(0.0)

    def wait(self, timeout: float | None = None) -> int:
        """The exit code once it has ended; ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        code = self._read(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        return code

    def _read(self, timeout: float | None) -> int | None:
        with self._reading:
            if self.returncode is None:
                ready, _, _ = select.select([self._answers], [], [], timeout)
                if ready:
                    answer = self._answers.recv(ANSWER_BYTES).decode()
                    self._answers.close()
                    if not answer.startswith("exit "):
                        raise ForkServerError(f"the fork server ended before child {self.pid}")
                    self.returncode = int(answer.removeprefix("exit "))
            return self.returncode


class ForkServer:
    """``python -m harness.forkserver`` with ``preload`` imported, until ``close()``."""

    def __init__(self, preload: Sequence[str], *, log: Path) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._asking = threading.Lock()
        with theirs, log.open("ab") as sink:
            command = [sys.executable, "-m", "harness.forkserver", str(theirs.fileno())]
            # Our own interpreter and module, with module names the harness itself gives.
            self._process = subprocess.Popen(  # noqa: S603
                [*command, *preload],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                pass_fds=[theirs.fileno()],
            )
        self.log = log

    def start(
        self, module: str, args: Sequence[str], *, log: Path, env: Mapping[str, str]
    ) -> Forked:
        """``python -m module *args`` forked, with exactly ``env``, in our working directory,
        its output appended to ``log``."""
        request = {"module": module, "args": list(args), "env": dict(env), "cwd": os.getcwd()}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs, log.open("ab") as sink, self._asking:
            try:
                message = json.dumps(request).encode()
                socket.send_fds(self._control, [message], [sink.fileno(), theirs.fileno()])
            except OSError as exc:
                ours.close()
                raise ForkServerError(f"the fork server is gone ({exc}); see {self.log}") from exc
        answer = ours.recv(ANSWER_BYTES).decode()  # ``pid N`` from the child once it is ready
        if not answer.startswith("pid "):
            ours.close()
            raise ForkServerError(f"{module} failed before it ran ({answer!r}); see {self.log}")
        return Forked([sys.executable, "-m", module, *args], int(answer.removeprefix("pid ")), ours)

    def close(self) -> None:
        """Ends the server (its children run on, each stopped by whoever started it)."""
        self._control.close()
        self._process.wait(timeout=CLOSE_TIMEOUT)
