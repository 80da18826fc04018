"""Child processes: the listening line read, the whole group stopped, also when the parent is
stopped by SIGTERM or Ctrl-C; each case for a child executed and for one forked from a fork
server (``forking``), which must behave alike."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.children import ChildError, Process, child, stop
from harness.forks import ForkServer, fork_server, forking

# A server stand-in (tests/harness/stand_in.py): starts a grandchild in its group, says what it
# sees, announces itself, then waits.
STAND_IN = "tests.harness.stand_in"
SERVER = [sys.executable, "-m", STAND_IN]
PRELOADED = "xml.dom.minidom"  # what the tests' fork server imports, for the child to see
# A parent that runs the server with harness.children (forking the modules it is given), says
# who is who, then waits.
PARENT = textwrap.dedent(
    """
    import sys, time
    from harness.children import child
    from harness.forks import forking
    with forking(sys.argv[1:], preload=[]):
        with child("server", [sys.executable, "-m", "tests.harness.stand_in"]) as server:
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


FORKED = ("forked", "shared")


@pytest.fixture(params=["executed", *FORKED])
def started_as(request: pytest.FixtureRequest) -> Iterator[str]:
    """How ``child`` starts the stand-in: a fresh interpreter, forked from a fork server of
    this process's, or from one another process started (as pytest-xdist's controller does)."""
    if request.param == "forked":
        with forking([STAND_IN], preload=[PRELOADED]):
            yield request.param
    elif request.param == "shared":
        with fork_server([PRELOADED]) as address, forking([STAND_IN], preload=[], shared=address):
            yield request.param
    else:
        yield request.param


def test_the_url_is_read_from_the_listening_line_and_the_group_is_stopped_on_leaving(
    started_as: str,
) -> None:
    with child("server", SERVER) as server:
        grandchild = int(server.log_text().split()[1])
        assert (server.url, alive(server.pid), alive(grandchild)) == (
            "http://127.0.0.1:4242",
            True,
            True,
        )
    assert server.process.returncode == -signal.SIGTERM
    assert gone(grandchild)


def test_the_child_runs_its_module_as_python_dash_m_with_its_own_environment_and_session(
    started_as: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAND_IN", "ours, not the child's")
    env = {**os.environ, "STAND_IN": "the child's"}
    with child("server", [*SERVER, "--flag", "value"], env=env, log=tmp_path / "s.log") as server:
        seen = json.loads(server.log_text().splitlines()[1])
    assert seen == {
        "argv": [str(Path("tests/harness/stand_in.py").resolve()), "--flag", "value"],
        "name": "__main__",
        "cwd": os.getcwd(),
        "path0": os.getcwd(),
        "env": "the child's",
        "session": True,
        "minidom": started_as in FORKED,
        "sigint": True,
    }


def test_only_the_modules_named_are_forked(started_as: str) -> None:
    other = [sys.executable, "-c", "print('listening on http://127.0.0.1:4343', flush=True)"]
    with child("stand-in", SERVER) as forked_or_not, child("other", other) as executed:
        kinds = (type(forked_or_not.process).__name__, type(executed.process).__name__)
    assert kinds == ("Forked" if started_as in FORKED else "Popen", "Popen")


def test_a_child_whose_environment_changes_python_s_start_up_is_executed(
    started_as: str, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    with child("stand-in", SERVER, env=env) as server:
        kind = type(server.process).__name__
    assert kind == "Popen"


def test_a_fork_server_out_of_reach_is_the_child_s_error(tmp_path: Path) -> None:
    expected = r"stand-in could not be forked: no fork server at .*nowhere"
    with (
        forking([STAND_IN], preload=[], shared=tmp_path / "nowhere"),
        pytest.raises(ChildError, match=expected),
        child("stand-in", SERVER),
    ):
        pass


def test_a_child_deaf_to_sigterm_is_killed_after_the_grace(started_as: str) -> None:
    with child("deaf", [*SERVER, "--deaf"], grace=0.5) as server:
        pass
    assert server.process.returncode == -signal.SIGKILL
    assert stop(server.process) == -signal.SIGKILL  # stopping a stopped child changes nothing


def test_a_child_that_exits_before_listening_is_reported_with_its_output(started_as: str) -> None:
    expected = r"broken exited with code 2 .*no config"
    with pytest.raises(ChildError, match=expected), child("broken", [*SERVER, "--broken"]):
        pass


def test_a_silent_child_is_reported_after_the_timeout_and_stopped(
    started_as: str, tmp_path: Path
) -> None:
    log = tmp_path / "silent.log"
    expected = r"silent did not say where it listens within 0.3 s"
    with (
        pytest.raises(ChildError, match=expected),
        child("silent", [*SERVER, "--silent"], log=log, timeout=0.3),
    ):
        pass
    said = re.fullmatch(r"starting (\d+)\n", log.read_text())
    assert said is not None
    assert gone(int(said.group(1)))


# SIGTERM leaves through SystemExit(143); an uncaught KeyboardInterrupt ends Python by SIGINT.
@pytest.mark.parametrize(
    ("sent", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, -signal.SIGINT)]
)
@pytest.mark.parametrize("forked", [[], [STAND_IN]], ids=["executed", "forked"])
def test_a_parent_stopped_by_sigterm_or_ctrl_c_leaves_no_child(
    sent: signal.Signals, exit_code: int, forked: list[str]
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT, *forked], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as parent:
        assert parent.stdout is not None
        server, grandchild = (int(pid) for pid in parent.stdout.readline().split())
        below = _children(parent.pid)  # the server, or the fork server
        assert alive(server) and alive(grandchild)
        parent.send_signal(sent)
        assert parent.wait(timeout=BOUND + 20) == exit_code
    assert not alive(server)  # the parent itself stopped it (and reaped it, or had it reaped)
    assert gone(grandchild)
    assert [pid for pid in below if not gone(pid)] == []


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
    sent: signal.Signals,
    raised: type[BaseException],
    started_as: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In a worker thread the signal would reach the default handler and end pytest itself.
    assert threading.current_thread() is threading.main_thread()
    monkeypatch.setattr(SignalledOnStart, "sent", sent)
    monkeypatch.setattr(SignalledOnStart, "started", [])
    fork = ForkServer.start

    def signalled_fork(server: ForkServer, *args: Any, **kwargs: Any) -> Process:
        """The fork server's start, then ``sent`` at once, as ``SignalledOnStart``."""
        forked = fork(server, *args, **kwargs)
        SignalledOnStart.started.append(forked.pid)
        signal.raise_signal(sent)
        return forked

    if started_as in FORKED:
        monkeypatch.setattr(ForkServer, "start", signalled_fork)
    else:
        monkeypatch.setattr(subprocess, "Popen", SignalledOnStart)
    with pytest.raises(raised), child("sleeper", [*SERVER, "--silent"], listening=None):
        pytest.fail("the signal should have ended the block before it began")
    (pid,) = SignalledOnStart.started
    left = alive(pid)
    if left:  # never leave it running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux /proc)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
