"""The stages of long work, as the work reports them: how many steps a stage has, and each one
done. The work calls ``Stages``; whoever shows it (a rich bar on a terminal,
``commandline.progress``) implements it. So code that runs experiments or real runs never
imports a presentation library, and runs silent by default (``SILENT``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

__all__ = ["SILENT", "Advance", "Silent", "Stages"]

Advance = Callable[[int], None]
"""Tells the stage that this many more of its steps are done."""


class Stages(Protocol):
    def stage(self, description: str, total: int) -> AbstractContextManager[Advance]:
        """A stage of ``total`` steps, open for the ``with`` block."""
        ...

    def working(self, description: str) -> AbstractContextManager[None]:
        """A stage of unknown length, open for the ``with`` block."""
        ...


class Silent:
    """Shows nothing."""

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Advance]:
        yield lambda _done: None

    @contextmanager
    def working(self, description: str) -> Iterator[None]:
        yield


SILENT: Stages = Silent()
