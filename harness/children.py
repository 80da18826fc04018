"""Child processes: start one, learn where it listens from its output, stop it with its group.

Every process the harness runs beside itself (the mock AimHarder, served schedulers, locust)
starts here. Each child leads a process group of its own, so stopping it reaches whatever it
started too: SIGTERM to the group, ``grace`` seconds, then SIGKILL. A parent stopped by Ctrl-C
or SIGTERM stops its children on the way out: Ctrl-C raises ``KeyboardInterrupt`` through the
``with`` block, and while a child runs SIGTERM raises ``SystemExit`` the same way (in the main
thread, the only one that receives signals). Only SIGKILL of the parent leaves a child behind.

A child's stdout and stderr go to a log file, where its listening line is looked for: the
mock's ``listening on http://...`` and uvicorn's ``running on http://...`` alike.

The mock runs in a process of its own for measurements: in a thread of the measuring process it
would share that interpreter's lock with the client it serves, and its work would show up as
the client's latency. ``mock_process`` starts it so, from a ``MockConfig`` (``mock_child`` when
the caller needs the process too: its pid, to read its CPU time).

Within a ``harness.forks.forking`` block (the test session's), a ``python -m M`` child whose
``M`` is one the block names is forked from a server that has imported its modules once
instead of a fresh interpreter importing them again: the same process group, log, environment
and exit, for a few hundredths of a CPU-second instead of about 0.45. Commands keep starting
fresh interpreters: a fork server pays for itself only over many children.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from commandline.signals import signals_held
from harness.forks import ForkServerError, server_for
from mock_aimharder.model.config import MockConfig

__all__ = [
    "HOST",
    "LISTENING",
    "STOP_GRACE",
    "Child",
    "ChildError",
    "Process",
    "child",
    "cpu_seconds",
    "free_port",
    "listening_url",
    "mock_child",
    "mock_command",
    "mock_process",
    "stop",
]

HOST = "127.0.0.1"  # every child listens on loopback only
LISTENING = re.compile(r"(?:listening|running) on (http://[0-9.]+:[0-9]+)")
STARTUP_SECONDS = 30.0  # a cold interpreter importing a web stack on a busy two-core machine
STOP_GRACE = 10.0
POLL = 0.02  # seconds between reads of a starting child's log


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, all its threads (Linux /proc; in clock
    ticks, 10 ms here)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"; comm may hold spaces
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port that was free on ``HOST`` a moment ago (the OS picks it); nothing here binds it,
    so it is also a port where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Process(Protocol):
    """A started child as ``child`` and ``stop`` use it: a ``subprocess.Popen``, or a
    ``harness.forks.Forked`` (a child of the fork server, which reports its exit)."""

    @property
    def pid(self) -> int: ...
    @property
    def args(self) -> Any: ...  # the command, as ``Popen`` types it (``subprocess.TimeoutExpired``)
    @property
    def returncode(self) -> int | None: ...
    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...


class ChildError(Exception):
    """A child exited, or stayed silent, before saying where it listens."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Child:
    name: str
    process: Process
    log: Path
    log_from: int  # bytes the log held before this child wrote to it
    announced: str | None = None  # where it listens (``http://HOST:PORT``), once read

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        if self.announced is None:
            raise ChildError(f"{self.name} was not asked where it listens; see listening_url")
        return self.announced

    def kill(self) -> None:
        """SIGKILL to its group, as a platform kills a function: no cleanup runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_GRACE)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def stop(process: Process, *, grace: float = STOP_GRACE) -> int:
    """SIGTERM to the child's group, wait ``grace`` s, then SIGKILL: the exit code (negative:
    the signal that ended it)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout=grace)


@contextlib.contextmanager
def child(
    name: str,
    command: Sequence[str],
    *,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    listening: re.Pattern[str] | None = LISTENING,
    timeout: float = STARTUP_SECONDS,
    grace: float = STOP_GRACE,
) -> Iterator[Child]:
    """Run ``command`` (``env``: its whole environment; by default this one's) with its output
    appended to ``log`` (a temporary file by default); with ``listening``, wait at most
    ``timeout`` s for the first match in what it writes from now on. Stopped on leaving."""
    with contextlib.ExitStack() as stack:
        if log is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{name}-"))
            log = Path(folder) / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        skip = log.stat().st_size if log.exists() else 0
        stack.enter_context(_sigterm_as_exit())
        # SIGTERM or Ctrl-C raised between the child's start and the registration of its stop
        # (its Popen not yet returned: the parent waits there for the exec) would leave it
        # running, in a session of its own: held until both are done, raised right after.
        with signals_held(signal.SIGINT, signal.SIGTERM):
            process = _start(name, command, log=log, env=env)
            stack.callback(stop, process, grace=grace)
        started = Child(name=name, process=process, log=log, log_from=skip)
        if listening is not None:
            url = listening_url(started, pattern=listening, timeout=timeout)
            started = dataclasses.replace(started, announced=url)
        yield started


def _start(
    name: str, command: Sequence[str], *, log: Path, env: Mapping[str, str] | None
) -> Process:
    """``command`` forked (within ``harness.forks.forking``) or executed, leading a session of
    its own."""
    environment = os.environ if env is None else env
    try:
        server = server_for(command, environment)
        if server is not None:
            return server.start(command[2], command[3:], log=log, env=environment)
    except ForkServerError as exc:
        raise ChildError(f"{name} could not be forked: {exc}") from exc
    with log.open("ab") as sink:
        # Our own interpreter and modules, or locust: commands the harness itself builds.
        return subprocess.Popen(  # noqa: S603
            list(command), stdout=sink, stderr=sink, env=env, start_new_session=True
        )


def listening_url(
    started: Child, *, pattern: re.Pattern[str] = LISTENING, timeout: float = STARTUP_SECONDS
) -> str:
    """The first match of ``pattern`` in what ``started`` wrote, waited for at most ``timeout``
    s; ``ChildError`` if it exits or stays silent meanwhile."""
    name, process = started.name, started.process
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / POLL) + 2):
        text = started.log.read_bytes()[started.log_from :].decode("utf-8", errors="replace")
        found = pattern.search(text)
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise ChildError(
                f"{name} exited with code {process.returncode} before it listened: {text[-2000:]!r}"
            )
        if time.monotonic() > deadline:
            break
        time.sleep(POLL)
    raise ChildError(
        f"{name} did not say where it listens within {timeout:g} s; expected a line matching "
        f"{pattern.pattern!r} in {started.log}"
    )


def mock_command(config: Path, *, seed: int) -> list[str]:
    """``python -m mock_aimharder`` on a free port of 127.0.0.1 with a configuration file."""
    command = [sys.executable, "-m", "mock_aimharder", "--host", "127.0.0.1", "--port", "0"]
    return [*command, "--config", str(config), "--seed", str(seed)]


@contextlib.contextmanager
def mock_child(config: MockConfig, *, seed: int = 0) -> Iterator[Child]:
    """The mock with ``config`` in a process of its own on 127.0.0.1 (its ``url`` is known)."""
    with tempfile.TemporaryDirectory(prefix="mock_aimharder-") as folder:
        path = Path(folder) / "mock.json"
        path.write_text(config.model_dump_json(), encoding="utf-8")
        with child(
            "mock_aimharder", mock_command(path, seed=seed), log=path.with_suffix(".log")
        ) as mock:
            yield mock


@contextlib.contextmanager
def mock_process(config: MockConfig, *, seed: int = 0) -> Iterator[str]:
    """The mock with ``config`` in a process of its own on 127.0.0.1; yields its base URL."""
    with mock_child(config, seed=seed) as mock:
        yield mock.url


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``SystemExit(143)`` so that ``finally`` clauses
    (stopping children) run; the previous handler is back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the way out finish
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
