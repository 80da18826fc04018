"""The mock AimHarder in a process of its own, for measurements and load runs.

In a thread of the measuring process, the mock would share that interpreter's lock with the
client it serves, and its work would show up as the client's latency. ``mock_process`` runs
``python -m mock_aimharder`` on 127.0.0.1 with a given configuration, learns the port from the
line the server prints once it is up, and stops it afterwards (terminate, then kill; bounded).
"""

from __future__ import annotations

import contextlib
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.errors import ServingError

__all__ = ["Running", "mock_process", "server_process", "stop_process"]

STARTUP_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class Running:
    url: str  # http://127.0.0.1:PORT
    pid: int


def stop_process(process: subprocess.Popen[Any], *, grace: float = 10.0) -> int:
    """Terminate, wait ``grace`` seconds, then kill: the exit code (negative: a signal)."""
    if process.poll() is None:
        process.terminate()
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(timeout=grace)


@contextlib.contextmanager
def server_process(command: list[str]) -> Iterator[Running]:
    """Run ``command`` (a server that first prints '... http://HOST:PORT'); yield where it is."""
    # The commands are this interpreter running this project's own modules.
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603
        try:
            assert process.stdout is not None  # stdout=PIPE above
            ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
            line = process.stdout.readline() if ready else ""
            if "http://" not in line:
                raise ServingError(f"{command[:3]} did not report its address: {line!r}")
            yield Running(url="http://" + line.rsplit("http://", 1)[1].strip(), pid=process.pid)
        finally:
            stop_process(process)


@contextlib.contextmanager
def mock_process(config: MockConfig, *, seed: int = 0) -> Iterator[str]:
    """The mock with ``config`` on a free port of 127.0.0.1; yields its base URL."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mock.json"
        path.write_text(config.model_dump_json(), encoding="utf-8")
        command = [sys.executable, "-m", "mock_aimharder", "--host", "127.0.0.1", "--port", "0"]
        with server_process([*command, "--config", str(path), "--seed", str(seed)]) as server:
            yield server.url
