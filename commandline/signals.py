"""Signals held back while a step that must not be cut in two runs.

Python runs a signal's handler between two bytecodes of the main thread, wherever it is, and
the handlers here raise (``KeyboardInterrupt`` for Ctrl-C, ``SystemExit`` for SIGTERM where a
command stops its children on the way out). Raised in the middle of some steps, that leaves
something behind: a child process started whose ``Popen`` never returned is never stopped, and
an interrupt raised while a pool forks its workers is printed and dropped by Python. Such a
step runs inside ``signals_held``: a signal that comes meanwhile is noted, and raised again when
the step is done, to the handler that was in place before.

Standard library only, as the rest of this package.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["signals_held"]


@contextmanager
def signals_held(*signums: signal.Signals) -> Iterator[None]:
    """Within the block, each of ``signums`` is noted instead of handled; each one noted is
    raised once the block has ended normally (one left by an exception is unwinding anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread runs Python's signal handlers, and only it may set them
        return
    held: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        held.append(signum)

    before = {signum: signal.signal(signum, note) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
    for noted in dict.fromkeys(held):  # in the order they came, each once
        signal.raise_signal(noted)  # the handler that was in place decides
