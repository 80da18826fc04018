"""``--history`` at a folder is refused at start (issue 22, item 10): one line, exit 2. The old
``invoke`` ended in a traceback and ``serve`` started, then answered 500 to every cron call."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("command", [["invoke"], ["serve", "--port", "0"]])
def test_a_history_that_is_a_folder_is_refused_before_anything_runs(
    tmp_path: Path, command: list[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", *command, "--db", db, "--history", str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
        env={"CRON_SECRET": "x" * 32, "PATH": ""},
    )
    assert done.returncode == 2, done.stderr
    assert f"history={str(tmp_path)!r}; expected a file in an existing folder" in done.stderr
    assert "Traceback" not in done.stderr
