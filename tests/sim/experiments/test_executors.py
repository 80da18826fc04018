"""``--executor``: the same data byte for byte in this process, on every core, or on a dask
cluster (here a LocalCluster of two worker processes on 127.0.0.1); bad values refused.

The report's data are summaries of these replications, in task order; the report end to end is
``test_report.py``'s."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.experiments import executors
from sim.experiments.executors import open_executor
from sim.experiments.grid import Task, run_tasks, sweep_tasks
from sim.scenario import Scenario

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py

# Every strategy at two loads, two replications, and a gap override: a few seconds each way.
TINY = Scenario.from_data(
    {"workload": {"minutes": 1}, "experiment": {"replications": 2, "loads": [2, 5]}}
)
TASKS = [
    *sweep_tasks(TINY),
    *(Task(strategy="staggered", load=4, replication=r, policy=(("gap", 0.2),)) for r in (0, 1)),
]


def replications(spec: str) -> str:
    """Every record of every task run on ``spec``, as canonical JSON (NaN included)."""
    with open_executor(spec, processes=2) as executor:
        done = run_tasks(TINY, TASKS, executor=executor)
    assert [task for task, _ in done] == TASKS
    records = [dataclasses.asdict(result) for _, result in done]
    return json.dumps(records, sort_keys=True, default=str)


def select(spec: str, capsys: pytest.CaptureFixture[str]) -> str:
    """``sim select --json`` at a small load through ``--executor spec``: KN asks for more
    replications one stage at a time, each stage through the executor."""
    argv = ["select", "--objective", "fastest-safe", "--load", "3", "--max-replications", "6"]
    assert main([*argv, "--executor", spec, "--processes", "2", "--json"]) == 0
    return capsys.readouterr().out


def test_every_executor_gives_the_same_data_byte_for_byte(
    capsys: pytest.CaptureFixture[str],
) -> None:
    inline = replications("inline")
    assert inline.count('"journal_hash"') == len(TASKS)
    chosen = select("inline", capsys)
    assert json.loads(chosen)["chosen"]
    assert replications("process") == inline
    assert select("process", capsys) == chosen
    # Imported here, not with the module: every pytest worker collects this file (0.4 s each).
    from distributed import LocalCluster  # noqa: PLC0415

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its HTTP server would take 8787 otherwise
    ) as cluster:
        cluster_url = cluster.scheduler_address.replace("tcp://", "dask://")
        assert replications(cluster_url) == inline
        assert select(cluster_url, capsys) == chosen


@pytest.mark.parametrize(
    "value",
    ["threads", "dask://", "dask://127.0.0.1", "dask://127.0.0.1:99999", "tcp://127.0.0.1:8786"],
)
def test_an_executor_that_is_none_of_the_three_is_refused_naming_it(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["report", "--executor", value, "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert f"--executor {value!r}; expected one of" in error
    assert "dask://HOST:PORT" in error
    assert "Traceback" not in error
    assert not out.exists()


def test_a_worker_count_out_of_bounds_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["select", "--objective", "fastest-safe", "--processes", "0"]) == 2
    expected = f"--processes 0; expected a whole number from 1 to {executors.MAX_WORKERS}"
    assert expected in capsys.readouterr().err


def test_an_unreachable_dask_scheduler_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 0.5)
    out = tmp_path / "out"
    argv = ["report", "--executor", "dask://127.0.0.1:1", "--out", str(out), "--quiet"]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "--executor dask://127.0.0.1:1: no dask scheduler answered within 0.5 s" in error
    assert error.count("\n") == 1
    assert not out.exists()
