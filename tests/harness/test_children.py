"""Child processes: the listening line read, the whole group stopped, also when the parent is
stopped by SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness.children import ChildError, child, stop

# A server stand-in: starts a grandchild in its group, announces itself, then waits.
SERVER = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    if "--deaf" in sys.argv:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print(f"grandchild {grandchild.pid}", flush=True)
    print("fake listening on http://127.0.0.1:4242", flush=True)
    time.sleep(60)
    """
)
# A parent that runs the server with harness.children, says who is who, then waits.
PARENT = textwrap.dedent(
    """
    import sys, time
    from harness.children import child
    with child("server", [sys.executable, "-c", sys.argv[1]]) as server:
        print(server.pid, server.log_text().split()[1], flush=True)
        time.sleep(60)
    """
)
BOUND = 10.0  # seconds any process here may take to go


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie is dead, only waiting for its parent to read its status."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def gone(pid: int) -> bool:
    """Whether ``pid`` is gone within ``BOUND`` s (an orphan is reaped by whoever adopts it)."""
    deadline = time.monotonic() + BOUND
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def test_the_url_is_read_from_the_listening_line_and_the_group_is_stopped_on_leaving() -> None:
    with child("server", [sys.executable, "-c", SERVER]) as server:
        grandchild = int(server.log_text().split()[1])
        assert (server.url, alive(server.pid), alive(grandchild)) == (
            "http://127.0.0.1:4242",
            True,
            True,
        )
    assert server.process.returncode == -signal.SIGTERM
    assert gone(grandchild)


def test_a_child_deaf_to_sigterm_is_killed_after_the_grace() -> None:
    with child("deaf", [sys.executable, "-c", SERVER, "--deaf"], grace=0.5) as server:
        pass
    assert server.process.returncode == -signal.SIGKILL
    assert stop(server.process) == -signal.SIGKILL  # stopping a stopped child changes nothing


def test_a_child_that_exits_before_listening_is_reported_with_its_output() -> None:
    command = [sys.executable, "-c", "print('no config'); raise SystemExit(2)"]
    expected = r"broken exited with code 2 .*no config"
    with pytest.raises(ChildError, match=expected), child("broken", command):
        pass


def test_a_silent_child_is_reported_after_the_timeout_and_stopped(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import time; print('starting', flush=True); time.sleep(60)"]
    log = tmp_path / "silent.log"
    expected = r"silent did not say where it listens within 0.3 s"
    with pytest.raises(ChildError, match=expected), child("silent", command, log=log, timeout=0.3):
        pass
    assert log.read_text() == "starting\n"
    assert not any(
        "time.sleep(60)" in _cmdline(pid) and "starting" in _cmdline(pid) for pid in _pids()
    )


# SIGTERM leaves through SystemExit(143); an uncaught KeyboardInterrupt ends Python by SIGINT.
@pytest.mark.parametrize(
    ("sent", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, -signal.SIGINT)]
)
def test_a_parent_stopped_by_sigterm_or_ctrl_c_leaves_no_child(
    sent: signal.Signals, exit_code: int
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT, SERVER], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as parent:
        assert parent.stdout is not None
        server, grandchild = (int(pid) for pid in parent.stdout.readline().split())
        assert alive(server) and alive(grandchild)
        parent.send_signal(sent)
        assert parent.wait(timeout=BOUND + 20) == exit_code
    assert not alive(server)  # the parent itself stopped and reaped it
    assert gone(grandchild)


class SignalledOnStart(subprocess.Popen[bytes]):
    """A ``Popen`` after which ``sent`` comes at once: as when the child's exec is seen (by a
    terminal, a supervisor, a test) and the signal sent before the parent's ``Popen`` returns."""

    sent: signal.Signals = signal.SIGTERM
    started: list[int] = []  # noqa: RUF012  (the pids, for the test to read)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started.append(self.pid)
        signal.raise_signal(self.sent)


@pytest.mark.parametrize(
    ("sent", "raised"),
    [(signal.SIGTERM, SystemExit), (signal.SIGINT, KeyboardInterrupt)],
    ids=["sigterm", "ctrl-c"],
)
def test_a_signal_landing_while_a_child_starts_still_stops_it(
    sent: signal.Signals, raised: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a worker thread the signal would reach the default handler and end pytest itself.
    assert threading.current_thread() is threading.main_thread()
    monkeypatch.setattr(SignalledOnStart, "sent", sent)
    monkeypatch.setattr(SignalledOnStart, "started", [])
    monkeypatch.setattr(subprocess, "Popen", SignalledOnStart)
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    with pytest.raises(raised), child("sleeper", sleeper, listening=None):
        pytest.fail("the signal should have ended the block before it began")
    (pid,) = SignalledOnStart.started
    left = alive(pid)
    if left:  # never leave it running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""
