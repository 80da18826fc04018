"""Children forked from a server that has imported their modules already (``harness.forkserver``).

Within a ``forking`` block (the test session's), ``harness.children.child`` asks
``server_for`` whether to fork a command, and forks it from the block's server: one started at
the first such child, or one another process shares (``fork_server``).

``ForkServer`` starts the server (``python -m harness.forkserver``, importing ``preload``), or
reaches one another process started (pytest-xdist's controller, for all its workers), and asks
it for children; each is a ``Forked``, which answers as much of ``subprocess.Popen`` as
``harness.children`` uses: ``pid``, ``returncode``, ``poll()`` and ``wait(timeout)``. The
child is the server's, not ours, so the server reaps it and sends its exit code on a socket of
the child's own, which ``Forked`` reads.

Standard library only: the modules to preload are named, never imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ForkServer", "ForkServerError", "Forked", "fork_server", "forking", "server_for"]

ANSWER_BYTES = 32  # ``pid N`` or ``exit N``
CLOSE_TIMEOUT = 10.0  # seconds for the server to end once asked to
LOG = "forkserver.log"  # where a fork server writes (its own failures), beside its socket


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
    """A connection to a fork server: one this process ``started`` (ended by ``close()``), or
    one another process started, ``reached`` at its address."""

    def __init__(
        self, control: socket.socket, *, process: subprocess.Popen[bytes] | None, log: Path
    ) -> None:
        self._control = control
        self._process = process
        self._asking = threading.Lock()
        self.log = log

    @classmethod
    def started(
        cls, preload: Sequence[str], *, log: Path, address: Path | None = None
    ) -> ForkServer:
        """``python -m harness.forkserver`` with ``preload`` imported, writing to ``log``;
        with ``address``, other processes reach it there too (``reached``)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        passed = [theirs]
        if address is not None:
            listening = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            listening.bind(str(address))
            listening.listen()
            passed.append(listening)
        with contextlib.ExitStack() as ours_no_more:  # the server holds them from now on
            for passing in passed:
                ours_no_more.enter_context(passing)
            sink = ours_no_more.enter_context(log.open("ab"))
            listening_fd = str(passed[1].fileno()) if address is not None else "-"
            command = [sys.executable, "-m", "harness.forkserver", str(theirs.fileno())]
            command.append(listening_fd)
            # Our own interpreter and module, with module names the harness itself gives.
            process = subprocess.Popen(  # noqa: S603
                [*command, *preload],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                pass_fds=[passing.fileno() for passing in passed],
            )
        return cls(ours, process=process, log=log)

    @classmethod
    def reached(cls, address: Path, *, log: Path) -> ForkServer:
        """The fork server another process ``started`` at ``address`` (``log``: its log)."""
        control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            control.connect(str(address))
        except OSError as exc:
            control.close()
            raise ForkServerError(f"no fork server at {address} ({exc}); see {log}") from exc
        return cls(control, process=None, log=log)

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
        """Ends the server if this process started it, else only the connection to it (its
        children run on, each stopped by whoever asked for it)."""
        self._control.close()
        if self._process is not None:
            self._process.wait(timeout=CLOSE_TIMEOUT)


@dataclass(slots=True, kw_only=True)
class _Forking:
    """The modules a ``forking`` block forks, and its server once the first child needs it."""

    modules: frozenset[str]
    preload: tuple[str, ...]
    folder: Path
    shared: Path | None  # the address of a server another process started, to use instead
    server: ForkServer | None = None
    starting: threading.Lock = field(default_factory=threading.Lock)

    def server_for(self, command: Sequence[str], env: Mapping[str, str]) -> ForkServer | None:
        """The server if ``command`` is ``python -m M ...`` with ``M`` forked, else ``None``;
        also ``None`` when ``env`` sets the interpreter's own start-up variables (``PYTHON*``:
        the path, the hash seed, ...) otherwise than this process has them, as only a fresh
        interpreter reads them."""
        if len(command) < 3 or list(command[:2]) != [sys.executable, "-m"]:
            return None
        if command[2] not in self.modules or _interpreter(env) != _interpreter(os.environ):
            return None
        with self.starting:
            if self.server is None and self.shared is not None:
                self.server = ForkServer.reached(self.shared, log=self.shared.parent / LOG)
            elif self.server is None:
                self.server = ForkServer.started(self.preload, log=self.folder / LOG)
            return self.server


_forking: list[_Forking] = []  # the innermost ``forking`` block's, while one runs


def server_for(command: Sequence[str], env: Mapping[str, str]) -> ForkServer | None:
    """The innermost ``forking`` block's server for ``command`` run with ``env``, if it forks
    it; ``None``: execute it."""
    return _forking[-1].server_for(command, env) if _forking else None


def _interpreter(env: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name.startswith("PYTHON")}


@contextlib.contextmanager
def forking(
    modules: Collection[str], *, preload: Sequence[str], shared: Path | None = None
) -> Iterator[None]:
    """Within the block, ``child`` forks each ``python -m M`` with ``M`` in ``modules`` from one
    server that has imported ``preload`` (started by the first such child, ended with the
    block), or from the one at ``shared`` (``fork_server``'s, another process's); other
    commands start as before. ``preload`` must start no thread and no loop."""
    with tempfile.TemporaryDirectory(prefix="forkserver-") as folder:
        forks = _Forking(
            modules=frozenset(modules), preload=tuple(preload), folder=Path(folder), shared=shared
        )
        _forking.append(forks)
        try:
            yield
        finally:
            _forking.remove(forks)
            if forks.server is not None:
                forks.server.close()


@contextlib.contextmanager
def fork_server(preload: Sequence[str]) -> Iterator[Path]:
    """A fork server that has imported ``preload``, for other processes to share: its address,
    for their ``forking(..., shared=address)``. Ended with the block."""
    with tempfile.TemporaryDirectory(prefix="forkserver-") as folder:
        address = Path(folder) / "socket"
        server = ForkServer.started(preload, log=Path(folder) / LOG, address=address)
        try:
            yield address
        finally:
            server.close()
