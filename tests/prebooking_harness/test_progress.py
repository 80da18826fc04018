"""A long stage says how long it has left (issue 27, item 7)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import Progress

from commandline.progress import progress_columns


def test_a_stage_shows_the_time_elapsed_and_an_estimate_of_the_time_left() -> None:
    clock = [0.0]
    screen = io.StringIO()
    console = Console(file=screen, width=100, force_terminal=False, color_system=None)
    with Progress(
        *progress_columns(), console=console, get_time=lambda: clock[0], auto_refresh=False
    ) as progress:
        task = progress.add_task("replications", total=4)
        for _ in range(2):  # two of four steps, 10 s each: 20 s left at that pace
            clock[0] += 10.0
            progress.advance(task, 1)
        line = progress.get_renderable()
        console.print(line)
    shown = screen.getvalue().splitlines()[-1]
    assert "2/4 0:00:20 elapsed, 0:00:20 left" in shown
