"""Ctrl-C and SIGTERM to the long commands: each ends quietly and leaves no child process.

``sim validate`` runs the mock in a process of its own; ``loadtests run`` runs the mock, the
schedulers and locust. Each is started here in a session of its own, like a command typed at a
terminal; once its children run, it gets SIGINT (to its whole process group, as the terminal
sends Ctrl-C) or SIGTERM (to it alone, as a supervisor sends); then every process it had
started must be gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.long(30)  # seconds: see tests/conftest.py

POLL = 0.1
STARTUP_POLLS = 600  # a minute at most for the children to come up on a busy machine
EXIT_TIMEOUT = 60  # seconds for the command to stop everything and exit
ORPHAN_BOUND = 5.0  # seconds for a pool worker to see its parent gone (it looks every 0.25 s)
# The real runs' process, orphaned, ends after the run under way (a sequential one at load 10:
# ten bookings of 200-500 ms), then stops its mock.
REAL_RUNS_BOUND = 15.0

LOADTEST = ["-m", "loadtests", "run", "--run-time", "60", "--users", "6", "--prebookings", "4"]
LOADTEST += ["--per-class", "2", "--schedulers", "1", "--mock-visitors", "0"]
# Minutes of work queued: a pool that waited for it would not stop within EXIT_TIMEOUT.
REPORT = ["-m", "sim", "report", "--replications", "200", "--validation-replications", "0"]
REPORT += ["--quiet"]
# The default scenario: its real runs go beside the simulation, in a spawned process with
# its own mock (sim.validation.beside).
REPORT_WITH_REAL_RUNS = ["-m", "sim", "report", "--replications", "200", "--quiet"]
COMMANDS = {
    "sim validate": (
        ["-m", "sim", "validate", "--replications", "50", "--load", "5", "--quiet"],
        ("mock_aimharder",),
    ),
    "loadtests run": (
        LOADTEST,
        ("mock_aimharder", "scheduler", "locust"),
    ),
    # Its children are the worker pool's processes, forked: the same command line.
    "sim report": (REPORT, ("sim",)),
    "sim report, real runs beside": (REPORT_WITH_REAL_RUNS, ("sim", "mock_aimharder")),
}
SIGTERM_EXIT = 128 + signal.SIGTERM  # SystemExit while children run: everything stopped first
CASES = [
    ("sim validate", "ctrl-c", 130),
    ("sim validate", "sigterm", SIGTERM_EXIT),
    ("loadtests run", "ctrl-c", 130),
    ("loadtests run", "sigterm", SIGTERM_EXIT),
    ("sim report", "ctrl-c", 130),
    # No handler: SIGTERM ends the report at once, and its workers follow their parent.
    ("sim report", "sigterm", -signal.SIGTERM),
    ("sim report, real runs beside", "ctrl-c", 130),
    # The real runs' process sees its parent gone and unwinds: its mock is stopped.
    ("sim report, real runs beside", "sigterm", -signal.SIGTERM),
]


def _descendants(root: int) -> dict[int, str]:
    """Every live process below ``root``, with its command line."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:  # bounded: each pid enters ``found`` once
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = _command(pid)
                frontier.append(pid)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _left_after(children: dict[int, str], bound: float) -> dict[int, str]:
    """Those of ``children`` still running ``bound`` s from now (at most), polled."""
    deadline = time.monotonic() + bound
    left = children
    while left and time.monotonic() < deadline:
        time.sleep(POLL)
        left = {pid: command for pid, command in left.items() if _alive(pid)}
    return {pid: command for pid, command in left.items() if _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def started(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    args, _ = COMMANDS[request.param]
    command = [sys.executable, *args, "--out", str(tmp_path / "out")]
    process = subprocess.Popen(  # a terminal's foreground job: a group of its own
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=EXIT_TIMEOUT)


def _children_running(process: subprocess.Popen[str], names: tuple[str, ...]) -> dict[int, str]:
    """Waits until a child of each kind in ``names`` runs; all descendants at that moment."""
    for _ in range(STARTUP_POLLS):
        below = _descendants(process.pid)
        if all(any(name in command for command in below.values()) for name in names):
            return below
        assert process.poll() is None, process.communicate()[0]
        time.sleep(POLL)
    raise AssertionError(f"{names} did not all start: {sorted(_descendants(process.pid).values())}")


@pytest.mark.parametrize(
    ("started", "how", "code"),
    CASES,
    indirect=["started"],
    ids=[f"{command}-{how}" for command, how, _ in CASES],
)
def test_a_stopped_command_leaves_no_child_and_no_traceback(
    started: subprocess.Popen[str], how: str, code: int, request: pytest.FixtureRequest
) -> None:
    names = COMMANDS[request.node.callspec.params["started"]][1]
    children = _children_running(started, names)
    if how == "ctrl-c":
        os.killpg(started.pid, signal.SIGINT)
    else:
        os.kill(started.pid, signal.SIGTERM)
    output, _ = started.communicate(timeout=EXIT_TIMEOUT)
    beside = request.node.callspec.params["started"] == "sim report, real runs beside"
    left = _left_after(children, REAL_RUNS_BOUND if beside else ORPHAN_BOUND)
    for pid in left:  # never leave them running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == {}
    assert started.returncode == code, output
    assert "Traceback" not in output, output
