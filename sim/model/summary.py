"""A replication's numbers, counted with the shared measures (``harness.measures``) from what
the run left behind: the Gym's journal, the store's rows and the platform's invocation records.

``Summary`` is one replication in one flat, typed record; ``row()`` turns it into a dict only
where it is written out (CSV, JSON). Per class (``ClassMeasures``): inversions, unfair
outcomes, time to book; over the run: lost (never final), executing (stuck: claims left
behind), doubles (sent again after taking a place) and orphans (recorded failed although the
server gave the user a place).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from harness import measures
from harness.measures import Attempt, ClassMeasures
from scheduler.core.domain import Prebooking
from sim.model.platform import InvocationRecord
from sim.model.trigger import TriggerMeasures
from sim.stats import percentile

__all__ = ["RUN_MEASURES", "TRIGGER_MEASURES", "Measure", "Summary", "summarise_replication"]


class Measure(StrEnum):
    """Every measure a point of an experiment is summarised by (its mean and 95% interval over
    replications): the name of a ``Summary`` field (or of its trigger's); ``data/*.csv`` names
    its column with its unit (``column``)."""

    MAKESPAN_MEAN = "makespan_mean"
    MAKESPAN_MAX = "makespan_max"
    KILL_RATE = "kill_rate"
    SKIPPED = "skipped"
    SKIPPED_PREBOOKINGS = "skipped_prebookings"
    INVERSION_RATE = "inversion_rate"
    UNFAIR = "unfair"
    PLACES_WON = "places_won"
    BOOK_P50 = "book_p50"
    BOOK_P95 = "book_p95"
    BOOK_P99 = "book_p99"
    LOST = "lost"
    DOUBLES = "doubles"
    ORPHANS = "orphans"
    # The trigger's, averaged where the trigger presets are compared.
    CALL_FAIL_SHARE = "call_fail_share"
    TRIGGER_DISABLED = "trigger_disabled"
    DUPLICATES_SEEN = "duplicates_seen"
    DROPPED = "dropped"

    @property
    def is_share(self) -> bool:
        """Of invocations, pairs, our prebookings or calls: never above 1."""
        return self in _SHARES

    @property
    def unit(self) -> str:
        """What one of its numbers counts, as labels say it: table headers, figure axes."""
        return _UNITS[self][1]

    @property
    def label(self) -> str:
        """What it is, in a few words, without its unit: ``p95 time to book``."""
        return _UNITS[self][0]

    @property
    def column(self) -> str:
        """Its name in ``data/*.csv`` and ``data/*.json``, ending with its unit: ``book_p95_s``,
        ``unfair_per_run``, ``kill_rate_share``."""
        return f"{self.value}_{_UNITS[self][2]}"


_SHARES = frozenset(
    (Measure.KILL_RATE, Measure.INVERSION_RATE, Measure.PLACES_WON, Measure.CALL_FAIL_SHARE)
)
# (what it is, its unit as labels say it, the suffix of its data column): seconds, a share
# (0 to 1) or a count in one run.
_SECONDS, _SHARE, _PER_RUN = "s", "share", "per_run"
_UNITS: dict[Measure, tuple[str, str, str]] = {
    Measure.MAKESPAN_MEAN: ("invocation time, mean", "s, request to answer", _SECONDS),
    Measure.MAKESPAN_MAX: ("invocation time, longest", "s, request to answer", _SECONDS),
    Measure.KILL_RATE: ("killed", "share of busy invocations", _SHARE),
    Measure.SKIPPED: ("skips", "skips per run", _PER_RUN),
    Measure.SKIPPED_PREBOOKINGS: ("skipped", "prebookings per run", _PER_RUN),
    Measure.INVERSION_RATE: ("inversion rate", "share of same-class pairs", _SHARE),
    Measure.UNFAIR: ("unfair outcomes", "users per run", _PER_RUN),
    Measure.PLACES_WON: ("places won", "share of our prebookings", _SHARE),
    Measure.BOOK_P50: ("p50 time to book", "s after the opening", _SECONDS),
    Measure.BOOK_P95: ("p95 time to book", "s after the opening", _SECONDS),
    Measure.BOOK_P99: ("p99 time to book", "s after the opening", _SECONDS),
    Measure.LOST: ("unfinished", "prebookings per run", _PER_RUN),
    Measure.DOUBLES: ("doubles", "prebookings per run", _PER_RUN),
    Measure.ORPHANS: ("orphans", "prebookings per run", _PER_RUN),
    Measure.CALL_FAIL_SHARE: ("failed calls", "share of the trigger's calls", _SHARE),
    Measure.TRIGGER_DISABLED: ("trigger disabled", "share of runs", _SHARE),
    Measure.DUPLICATES_SEEN: ("duplicate deliveries", "invocations per run", _PER_RUN),
    Measure.DROPPED: ("dropped deliveries", "deliveries per run", _PER_RUN),
}
TRIGGER_MEASURES = (
    Measure.CALL_FAIL_SHARE,
    Measure.TRIGGER_DISABLED,
    Measure.DUPLICATES_SEEN,
    Measure.DROPPED,
)
RUN_MEASURES = tuple(m for m in Measure if m not in TRIGGER_MEASURES)
"""The measures every point is summarised by, in the columns' order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """One replication: where it ran, its invocations, and every measure the report uses."""

    strategy: str
    load: int
    replication: int
    invocations: int
    busy_invocations: int  # found work, or were killed
    killed: int
    kill_rate: float  # of the busy invocations
    skipped: int  # skips: each time the guard left a prebooking for a later invocation
    skipped_prebookings: int  # prebookings skipped at least once (each counted once)
    makespan_mean: float  # of the busy invocations
    makespan_max: float
    inversions: int
    inversion_rate: float  # over every same-class pair of the run
    unfair: int
    placed: int
    requests: int
    places_won: float  # the share of our prebookings that got a place
    clock_offset: float  # AimHarder's clock minus the bot's, drawn for this run (s)
    book_p50: float  # time to book, over every placed user; NaN when nobody was placed
    book_p95: float
    book_p99: float
    lost: int
    executing: int  # stuck
    doubles: int
    orphans: int
    trigger: TriggerMeasures

    def row(self) -> dict[str, Any]:
        """The fields in their order, the trigger's last, flat: for CSV and JSON."""
        flat = dataclasses.asdict(self)
        flat.update(flat.pop("trigger"))
        return flat


def summarise_replication(
    point: tuple[str, int, int],
    records: Sequence[InvocationRecord],
    classes: Sequence[ClassMeasures],
    *,
    rows: Iterable[Prebooking],
    tried: Iterable[Attempt],
    trigger: TriggerMeasures,
    clock_offset: float,
) -> Summary:
    """``point``: (strategy, load, replication); ``tried``: the journal's booking attempts;
    ``clock_offset``: AimHarder's clock minus the bot's in this run."""
    strategy, load, replication = point
    busy = [r for r in records if r.killed or (r.report is not None and r.report.found > 0)]
    times = [t for c in classes for t in c.times_to_book]
    pairs = sum(c.pairs for c in classes)
    inversions = sum(c.inversions for c in classes)
    placed, requests = sum(c.placed for c in classes), sum(c.requests for c in classes)
    journal = measures.by_pair(tried)
    lost = executing = doubles = orphans = 0
    for row in rows:
        mine = journal.get((row.user, row.class_id), [])
        lost += measures.lost(row)
        executing += measures.stuck(row)
        doubles += measures.double(mine)
        orphans += measures.orphan(row, mine)
    return Summary(
        strategy=strategy,
        load=load,
        replication=replication,
        invocations=len(records),
        busy_invocations=len(busy),
        killed=sum(r.killed for r in records),
        kill_rate=(sum(r.killed for r in busy) / len(busy)) if busy else 0.0,
        skipped=sum(len(r.report.skipped) for r in records if r.report is not None),
        skipped_prebookings=len(
            {p for r in records if r.report is not None for p in r.report.skipped}
        ),
        makespan_mean=float(np.mean([r.makespan for r in busy])) if busy else 0.0,
        makespan_max=max((r.makespan for r in busy), default=0.0),
        inversions=inversions,
        inversion_rate=inversions / pairs if pairs else 0.0,
        unfair=sum(c.unfair for c in classes),
        placed=placed,
        requests=requests,
        places_won=measures.places_won(placed, requests),
        clock_offset=clock_offset,
        book_p50=percentile(times, 50),
        book_p95=percentile(times, 95),
        book_p99=percentile(times, 99),
        lost=lost,
        executing=executing,
        doubles=doubles,
        orphans=orphans,
        trigger=trigger,
    )
