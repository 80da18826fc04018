"""What a load run shows while it runs: its phases, then locust's own numbers as it goes.

A run is silent for its 15-60 s otherwise: locust runs headless in a child process whose
output goes to a log. ``Progress`` prints one line per phase (starting servers, seeding,
running, checking) and, while locust runs, a bar of the run time with the users, requests and
failures locust itself reports in ``<prefix>_stats_history.csv`` (written every second). All of
it goes to standard error, so ``--json`` keeps standard output to the summary alone.
"""

from __future__ import annotations

import csv
import subprocess
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, TextColumn
from rich.progress import Progress as Bar

from commandline.progress import time_columns
from harness.children import Process

__all__ = ["Progress", "locust_numbers"]

POLL = 0.5  # seconds between looks at locust's CSV while it runs


def locust_numbers(prefix: Path) -> str:
    """Users, requests and failures so far, from the last ``Aggregated`` row locust wrote."""
    path = Path(f"{prefix}_stats_history.csv")
    last: dict[str, str] | None = None
    try:
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("Name") == "Aggregated":
                    last = row
    except OSError:  # not written yet
        return "starting"
    if last is None:
        return "starting"
    return (
        f"{last['User Count']} users, {last['Total Request Count']} requests, "
        f"{last['Total Failure Count']} failed"
    )


class Progress:
    """Phases on ``console`` (quiet: none), and the wait for locust with its numbers."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self._console = console
        self._quiet = quiet

    def phase(self, text: str) -> None:
        if not self._quiet:
            self._console.print(f"[bold]·[/bold] {text}", highlight=False)

    def wait_for_locust(
        self, locust: Process, *, prefix: Path, run_time: float, timeout: float
    ) -> int:
        """locust's exit code once it ends; ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        if self._quiet:
            return locust.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        columns = (TextColumn("  locust"), BarColumn(), *time_columns())
        with Bar(
            *columns, TextColumn("{task.description}"), console=self._console, transient=False
        ) as bar:
            task = bar.add_task("starting", total=run_time)
            began = time.monotonic()
            while True:
                try:
                    code = locust.wait(timeout=POLL)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() > deadline:
                        raise subprocess.TimeoutExpired(locust.args, timeout) from None
                bar.update(
                    task,
                    completed=min(run_time, time.monotonic() - began),
                    description=locust_numbers(prefix),
                )
            bar.update(task, completed=run_time, description=locust_numbers(prefix))
        return code
