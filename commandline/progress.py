"""Progress drawn with rich: what every bar shows, and ``Bars``, the stages of long work
(``commandline.stages``) as bars on the terminal (standard error).

A bar shows what runs, the bar, done/total, the time elapsed and an estimate of the time left
(rich's, from the recent pace: a long stage says when it will end, issue 27 item 7); work of
unknown length shows a spinner, then the time it took.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
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


@contextmanager
def working(description: str, *, show: bool = True) -> Iterator[None]:
    """A line for work of unknown length: a spinner while it runs, then the time it took."""
    columns = (TextColumn("{task.description}"), SpinnerColumn(finished_text="done"))
    with Progress(*columns, TimeElapsedColumn(), disable=not show, transient=False) as progress:
        task = progress.add_task(description, total=1)
        yield
        progress.advance(task)


class Bars:
    """Each stage as a rich progress bar that stays on the screen once done."""

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Advance]:
        with Progress(*progress_columns(), transient=False) as progress:
            bar = progress.add_task(description, total=total)
            yield lambda done: progress.advance(bar, done)

    def working(self, description: str) -> AbstractContextManager[None]:
        return working(description)


def stages(show: bool) -> Stages:
    """Bars when ``show``, else nothing shown."""
    return Bars() if show else SILENT
