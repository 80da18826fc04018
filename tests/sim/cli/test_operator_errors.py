"""``python -m sim`` refuses what an operator gets wrong in one line and exit 2, before any
work starts, and its worker processes never outlive it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.experiments.workers import PARENT_POLL
from sim.scenario import Scenario, ScenarioError

BOUNDED = [
    ("[experiment]\nloads = []", "experiment.loads: List should have at least 1 item"),
    ("[experiment]\nstrategies = []", "experiment.strategies: List should have at least 1 item"),
    ('[policy]\nname = "fifo"', "unknown policy parameter(s) ['name']"),
    ("[policy]\ngap = -1", "gap=-1; expected a number of seconds >= 0"),
    ("[experiment]\nreplications = 1001", "less than or equal to 1000"),
    ("[experiment]\nloads = [1, 501]", "experiment.loads.1: Input should be less than or equal"),
    ("[experiment]\nstagger_gaps = [" + "0.1, " * 40 + "]", "at most 32 items"),
    ("[cron]\nperiod = 0.001", "cron.period: Input should be greater than or equal to 1"),
    (
        "[workload]\nminutes = 120\nclasses_per_minute = 60",
        "= 360000 prebookings in one replication; expected at most 20000",
    ),
    (
        "[experiment]\nreplications = 1000\nloads = " + str(list(range(1, 33))),
        "= 168000 runs; expected at most 50000",
    ),
    (
        "[experiment]\nworld_replications = 1000\nsend_offsets = " + str([0.1] * 20),
        "send_offsets) = 150000 runs; expected at most 50000",
    ),
    ('[experiment]\nstrategies = ["parallel", "parallel"]', "['parallel'] listed more than once"),
    # issue 22, item 7: no bound, and 1e12 ended in a traceback in report, select and replay
    ("[aimharder]\nwindow_skew = 1e12", "aimharder.window_skew: Input should be less than or"),
    ("[aimharder]\nwindow_skew = -61", "aimharder.window_skew: Input should be greater than"),
    # issue 22, item 8: past the parser's depth, a RecursionError
    ("[experiment]\nloads = " + "[" * 5000 + "]" * 5000, "nested deeper than the TOML parser"),
    ("x = " + "{a = " * 5000 + "1" + "}" * 5000, "nested deeper than the TOML parser"),
]


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(("toml", "message"), BOUNDED)
def test_a_scenario_out_of_bounds_is_refused_naming_the_bound(
    toml: str, message: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "what-if.toml"
    scenario.write_text(toml + "\n")
    with pytest.raises(ScenarioError) as refused:  # not through main: a miss would run it all
        Scenario.from_file(scenario)
    assert message in str(refused.value)
    assert str(scenario) in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_report_command_refuses_an_empty_sweep_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "what-if.toml"
    scenario.write_text("[experiment]\nloads = []\n")
    out = tmp_path / "out"
    line = _refusal(["report", "--scenario", str(scenario), "--out", str(out)], capsys)
    assert "experiment.loads: List should have at least 1 item" in line
    assert not out.exists()


@pytest.mark.parametrize("command", ["report", "validate"])
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("file", "File exists"),
        ("/dev/null", "File exists"),
        ("/proc/self", "No such file or directory"),
        ("under-a-file", "Not a directory"),
    ],
)
def test_an_out_that_cannot_be_written_is_refused_before_any_work(
    command: str, where: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The old commands ran everything (40 s of real runs for validate) and then wrote:
    # a traceback at the end (issue 22, item 12).
    blocker = tmp_path / "taken"
    blocker.write_text("kept")
    out = {"file": blocker, "under-a-file": blocker / "report"}.get(where, Path(where))
    scenario = tmp_path / "what-if.toml"
    scenario.write_text("[experiment]\nloads = [1]\nreplications = 2\n")
    began = time.monotonic()
    line = _refusal([command, "--scenario", str(scenario), "--out", str(out)], capsys)
    assert f"--out {str(out)!r}: {message}; expected a folder to write to" in line
    assert time.monotonic() - began < 5  # refused at once, not after the runs
    assert blocker.read_text() == "kept"


def test_a_delta_whose_square_underflows_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # 1e-300 squared is 0: KN divided by it (ZeroDivisionError, issue 22, item 7).
    line = _refusal(["select", "--objective", "fastest-safe", "--delta", "1e-300"], capsys)
    assert "--delta 1e-300; expected a positive number of at least 1.5e-154" in line


@pytest.fixture
def not_dask() -> Iterator[int]:
    """The port of a loopback server that answers every connection as an HTTP server would."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)  # the thread ends once nobody has called for that long

        def answer() -> None:
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:
                    return
                with connection:
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        yield server.getsockname()[1]


def test_a_dask_address_that_is_not_a_dask_scheduler_is_one_line(
    not_dask: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # dask read "HTTP/1.1" as a frame's length: "Unable to allocate 3.07 EiB" (issue 22, 7).
    executor = f"dask://127.0.0.1:{not_dask}"
    argv = ["select", "--objective", "fastest-safe", "--load", "1", "--executor", executor]
    line = _refusal(argv, capsys)
    assert f"--executor {executor}: the server there is not a dask scheduler" in line


def test_an_endless_scenario_is_refused_after_a_bounded_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ``--scenario /dev/zero`` was read whole, and killed for memory at 23.6 GB (issue 22, 8).
    line = _refusal(["report", "--scenario", "/dev/zero", "--out", str(tmp_path / "o")], capsys)
    assert "scenario '/dev/zero': larger than 1048576 bytes; expected a TOML text file" in line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)), "is not UTF-8; expected a TOML text file"),
        (None, "cannot be read: No such file or directory"),
        ("dir", "cannot be read: Is a directory"),
    ],
)
def test_a_scenario_that_is_not_a_text_file_is_one_line(
    content: bytes | str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "scenario.toml"
    if content == "dir":
        scenario.mkdir()
    elif isinstance(content, bytes):
        scenario.write_bytes(content)
    line = _refusal(["report", "--scenario", str(scenario), "--out", str(tmp_path)], capsys)
    assert message in line


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--replications", "1001"], "--replications 1001; expected a whole number"),
        (
            ["report", "--processes", "1000"],
            "--processes 1000; expected a whole number from 1 to 64",
        ),
        (["report", "--validation-replications", "5000"], "from 0 to 1000"),
        (["validate", "--load", "100000"], "--load 100000; expected a whole number from 1 to 500"),
    ],
)
def test_command_line_sizes_have_upper_bounds(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in _refusal([*argv, "--out", str(tmp_path / "out")], capsys)


# A parent that starts a pool, hands it work that never ends, says so, and waits forever.
ORPHAN_MAKER = """
import sys, time
from sim.experiments.workers import worker_pool
pool = worker_pool(2)
futures = [pool.submit(time.sleep, 3600) for _ in range(2)]
time.sleep(0.5)
print(*sorted(p.pid for p in pool._processes.values()), flush=True)
time.sleep(3600)
"""


def test_pool_workers_end_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_MAKER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2
        assert all(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait(timeout=10)
        if parent.stdout is not None:
            parent.stdout.close()
    deadline = time.monotonic() + 20 * PARENT_POLL + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(PARENT_POLL)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, already ended but not reaped by init yet, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
