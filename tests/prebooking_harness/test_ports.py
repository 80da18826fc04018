"""Ports out of range are refused by the parser (issue 22, item 9): one line, exit 2. The old
``mock --port 99999`` raised OverflowError, ``scheduler serve --port 70000`` announced 70000
and listened elsewhere, ``--port -1`` exited 3 from uvicorn."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = [["mock_aimharder"], ["scheduler", "serve", "--db", "sqlite:///unused.sqlite"]]


@pytest.mark.parametrize("bad", ["99999", "70000", "-1", "65536", "http"])
@pytest.mark.parametrize("command", COMMANDS, ids=["mock", "serve"])
def test_a_port_out_of_range_is_one_line_and_exit_2(command: list[str], bad: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command, "--port", bad],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={"CRON_SECRET": "x" * 32, "PATH": ""},
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"'{bad}'; expected a whole number from 0 to 65535" in done.stderr
