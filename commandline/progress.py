"""Progress drawn with rich: what every bar shows, and ``Bars``, the stages of long work
(``commandline.stages``) as bars on the terminal (standard error).

A bar shows what runs, the bar, done/total, the time elapsed and an estimate of the time left
(rich's, from the recent pace: a long stage says when it will end, issue 27 item 7); work of
unknown length shows a spinner, then the time it took.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from commandline.stages import SILENT, Advance, Stages

__all__ = ["Bars", "progress_columns", "stages", "time_columns", "working"]


def progress_columns() -> tuple[ProgressColumn, ...]:
    """What every progress bar shows: what runs, the bar, done/total, the time elapsed and the
    time left (``-:--:--`` until a step is done to estimate it from)."""
    return (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *time_columns(),
    )


def time_columns() -> tuple[ProgressColumn, ...]:
    """``0:00:12 elapsed, 0:00:30 left``: the time so far and rich's estimate of the rest."""
    return (
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )


def _spinner_columns() -> tuple[ProgressColumn, ...]:
    return (
        TextColumn("{task.description}"),
        SpinnerColumn(finished_text="done"),
        TimeElapsedColumn(),
    )


@contextmanager
def working(description: str, *, show: bool = True) -> Iterator[None]:
    """A line for work of unknown length: a spinner while it runs, then the time it took."""
    console = Console(stderr=True)
    with Progress(
        *_spinner_columns(), console=console, disable=not show, transient=False
    ) as progress:
        task = progress.add_task(description, total=1)
        yield
        progress.advance(task)


class Bars:
    """Each stage as a rich progress bar, printed for good once done; stages of unknown length
    as a spinner, then the time they took.

    Stages may run at once, from several threads (``make report`` runs its real runs beside the
    simulation, ``sim.validation.beside``): they share one live display, which shows the stages
    open now, and each stage's last line is printed above it when the stage ends. rich allows
    one live display at a time, so a bar of its own per stage (as before) could not overlap.
    ``console``: where to draw (standard error by default, as rich's progress does).
    """

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._lock = threading.Lock()
        self._open = 0
        self._live: Live | None = None
        self._bars = Progress(*progress_columns(), console=self._console)
        self._spinners = Progress(*_spinner_columns(), console=self._console)

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Advance]:
        with self._shown(self._bars, description, total) as task:
            yield lambda done: self._bars.advance(task, done)

    @contextmanager
    def working(self, description: str) -> Iterator[None]:
        with self._shown(self._spinners, description, 1) as task:
            yield
            self._spinners.advance(task, 1)

    @contextmanager
    def _shown(self, progress: Progress, description: str, total: int) -> Iterator[TaskID]:
        with self._lock:
            if self._live is None:
                self._live = Live(
                    Group(self._bars, self._spinners), console=self._console, transient=True
                )
                self._live.start()
            self._open += 1
            task = progress.add_task(description, total=total)
        try:
            yield task
        finally:
            with self._lock:
                progress.stop_task(task)
                (ended,) = (t for t in progress.tasks if t.id == task)
                self._console.print(progress.make_tasks_table([ended]))  # above the live lines
                progress.remove_task(task)
                self._open -= 1
                if self._open == 0 and self._live is not None:
                    self._live.stop()
                    self._live = None


def stages(show: bool) -> Stages:
    """Bars when ``show``, else nothing shown."""
    return Bars() if show else SILENT
