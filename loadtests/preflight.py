"""What is checked before a run starts anything: the output folder, the HTML report's file
and the store.

A run judges every row of its store against the mock's journal, so a store that already holds
prebookings (a database reused from another run) would make the check fail for rows this run
never had; an unreachable or unknown database would otherwise be found only after the mock and
the schedulers were started. Both are refused here, naming the value and what was expected.
"""

from __future__ import annotations

from pathlib import Path

from commandline.conventions import unwritable_folder
from loadtests.errors import PlanError
from scheduler.core.errors import SchedulerError
from scheduler.store import display_url, normalize_url, open_store

__all__ = ["check_html", "check_out", "check_store", "out_folder"]


def out_folder(text: str) -> Path:
    """``--out`` as given, or ``PlanError`` for an empty one: ``Path("")`` is the current
    folder, and a run would scatter its files there (issue 22, item 13)."""
    if not text.strip():
        raise PlanError(f"--out {text!r}; expected a folder's path (leave it out for a new one)")
    return Path(text)


def check_html(text: str | None) -> Path | None:
    """``--html`` as a file locust can write to, or ``PlanError``: a folder (or an empty path,
    the current folder) made locust fail at the end, after the whole run, and the run was
    reported "FAILED (failed requests)" with none failed (issue 22, item 13)."""
    if text is None:
        return None
    path = Path(text)
    if not text.strip() or path.is_dir():
        raise PlanError(f"--html {text!r}: a folder; expected a file for locust's HTML report")
    if not path.parent.is_dir():
        raise PlanError(
            f"--html {text!r}: no folder {str(path.parent)!r}; expected a file in a folder "
            "that exists"
        )
    return path


def check_out(out: Path) -> None:
    """``out`` exists as a folder afterwards (created if need be), or ``PlanError``."""
    reason = unwritable_folder(out)
    if reason is not None:
        raise PlanError(f"--out {str(out)!r}: {reason}; expected a folder to write to")
    out.mkdir(parents=True, exist_ok=True)


def check_store(url: str) -> None:
    """The store at ``url`` answers and holds no prebookings, or ``PlanError``."""
    try:
        shown = display_url(normalize_url(url))
        with open_store(url) as store:
            held = sum(store.counts().values())
    except SchedulerError as exc:
        raise PlanError(f"--db: {exc}; expected a database this run can reach") from None
    if held:
        raise PlanError(
            f"--db {shown} already holds {held} prebookings; expected an empty database "
            "(the check judges every row: give each run a database of its own)"
        )
