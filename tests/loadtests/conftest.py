"""Fixtures for the load tests: the store URLs of the scheduler's tests (a SQLite file, a
PostgreSQL schema of its own in a throw-away database that fails, never skips, when
PostgreSQL is unreachable), and ``run_loadtest`` to run ``python -m loadtests run``'s
``main`` in this process, its output captured. The run starts locust, the mock and the
schedulers as processes of their own, so locust is never imported here (it monkeypatches);
what the command's own process would add is an interpreter importing the run's modules again,
0.6 CPU-s a run, which the tests' process has already paid once. Every wait of a run is bounded
(``loadtests.plan``), so a run that hangs fails by its own time-outs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commandline.conventions import INTERRUPTED
from loadtests.cli import main
from tests.scheduler.conftest import pg_database, pg_schemas, postgres_url, sqlite_url

__all__ = [
    "PREBOOKINGS",
    "LoadRun",
    "assert_passed",
    "pg_database",
    "pg_schemas",
    "postgres_url",
    "run_loadtest",
    "sqlite_url",
]

PREBOOKINGS = 20
# A short run: 6 s of load, two schedulers, 20 prebookings whose windows open 2-3 s in.
SHORT = ["--run-time", "6", "--users", "12", "--spawn-rate", "30"]
SHORT += ["--prebookings", str(PREBOOKINGS)]
SHORT += ["--per-class", "5", "--schedulers", "2", "--mock-visitors", "1"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadRun:
    returncode: int
    output: str  # standard output, then standard error
    stdout: str
    summary: dict[str, Any]


RunLoadtest = Callable[..., LoadRun]


def assert_passed(run: LoadRun) -> None:
    """The run passed its check: every prebooking booked once, no cron call failed, every call
    without the secret refused."""
    check = run.summary["check"]
    assert run.returncode == 0, run.output
    assert check["ok"], check["details"]
    assert (check["prebookings"], check["ready"], check["booked_once"]) == (PREBOOKINGS,) * 3
    assert check["statuses"]["completed"] == PREBOOKINGS
    assert run.summary["locust_exit_code"] == 0
    cron = run.summary["requests"]["cron"]
    assert cron["count"] > 0
    assert cron["failures"] == 0
    intruder = run.summary["requests"]["cron without secret"]
    assert intruder["count"] > 0
    assert intruder["failures"] == 0  # every call refused with 401


@pytest.fixture
def run_loadtest(tmp_path: Path) -> RunLoadtest:
    """Runs ``python -m loadtests run SHORT *extra --out tmp``'s ``main`` and reads its
    summary."""

    def run(*extra: str, during: Callable[[], None] | None = None) -> LoadRun:
        """``during``, if given, runs in a thread of this process while the run does (the run
        keeps the main thread: it stops its children on SIGTERM there); its failure is raised
        once the run has ended."""
        out = tmp_path / "run"
        stdout, stderr = io.StringIO(), io.StringIO()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="during") as beside:
            meanwhile = beside.submit(during) if during is not None else None
            with redirect_stdout(stdout), redirect_stderr(stderr):
                returncode = main(["run", *SHORT, *extra, "--out", str(out)])
            if returncode == INTERRUPTED:  # the command turns Ctrl-C into its exit code; here
                raise KeyboardInterrupt  # it stops the session, as it did the command's process
            if meanwhile is not None:
                meanwhile.result()
        summary_file = out / "summary.json"
        output = stdout.getvalue() + stderr.getvalue()
        assert summary_file.exists(), f"no summary; output:\n{output}"
        return LoadRun(
            returncode=returncode,
            output=output,
            stdout=stdout.getvalue(),
            summary=json.loads(summary_file.read_text()),
        )

    return run
