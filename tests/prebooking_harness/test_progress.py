"""Progress: a long stage says how long it has left (issue 27, item 7); stages may overlap."""

from __future__ import annotations

import io
import threading

from rich.console import Console
from rich.progress import Progress

from commandline.progress import Bars, progress_columns


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


def test_stages_from_two_threads_share_one_display_and_each_ends_on_its_own_line() -> None:
    """``make report`` runs its real runs beside the simulation: two stages open at once. rich
    allows one live display at a time, so a display per stage raised ``LiveError``."""
    screen = io.StringIO()
    bars = Bars(Console(file=screen, width=100, force_terminal=False, color_system=None))
    inside = threading.Barrier(2, timeout=10)  # both stages open before either ends

    def beside() -> None:
        with bars.stage("real runs", 3) as advance:
            inside.wait()
            advance(3)

    thread = threading.Thread(target=beside)
    thread.start()
    with bars.stage("strategies x loads", 2) as advance:
        inside.wait()
        advance(2)
    thread.join()
    with bars.working("choosing (KN)"):
        pass
    lines = screen.getvalue().splitlines()
    assert sum("real runs" in line and "3/3" in line for line in lines) == 1, lines
    assert sum("strategies x loads" in line and "2/2" in line for line in lines) == 1, lines
    assert sum("choosing (KN) done" in line for line in lines) == 1, lines
