"""Fixtures for the load tests: the store URLs of the scheduler's tests (a SQLite file, a
PostgreSQL schema of its own in a throw-away database that fails, never skips, when
PostgreSQL is unreachable), and ``run_loadtest`` to run ``python -m loadtests run`` as a
subprocess (locust must never be imported into the pytest process: it monkeypatches)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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

RUN_LIMIT = 90  # seconds: far above a short run's ~10 s, so only a hang reaches it

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
    """Runs ``python -m loadtests run SHORT *extra --out tmp`` and reads its summary."""

    def run(*extra: str, during: Callable[[], None] | None = None) -> LoadRun:
        """``during``, if given, runs in this process while the run does."""
        out = tmp_path / "run"
        command = [sys.executable, "-m", "loadtests", "run", *SHORT, *extra, "--out", str(out)]
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as process:
            try:
                if during is not None:
                    during()
                stdout, stderr = process.communicate(timeout=RUN_LIMIT)
            finally:
                if process.poll() is None:  # a failed ``during`` or a hang: stop it, and all
                    process.terminate()
                    process.communicate(timeout=RUN_LIMIT)
        summary_file = out / "summary.json"
        output = stdout + stderr
        assert summary_file.exists(), f"no summary; output:\n{output}"
        return LoadRun(
            returncode=process.returncode,
            output=output,
            stdout=stdout,
            summary=json.loads(summary_file.read_text()),
        )

    return run
