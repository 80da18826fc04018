"""The firing policy as a state machine: what starts now, and when to ask again.

In the manner of aioquic's connection, the policy never reads a clock: each call is handed
``now`` and it answers two questions, ``due(now)`` (which queued prebookings start now) and
``next_wakeup()`` (the instant a timer should call ``due`` again; ``None`` means "only when a
send finishes"). It is told what finished through ``finished``. Drivers re-arm a timer on
``next_wakeup()`` and nothing else.

Rules, all from ``PolicyConfig``:
- queued prebookings start in the order they were queued (FIFO by ``created_at``);
- at most ``max_in_flight`` at once; consecutive starts at least ``gap`` apart;
- ``batch_size`` starts make a batch; with ``barrier`` the next batch waits until every send has
  finished; then ``pause`` (counted from the last answer with a barrier, else from the last start);
- the guard: nothing starts after ``started_at + cutoff_after``, nor when the earliest possible
  start would fall after it. Once closed, what is still queued is skipped by this invocation;
- ``adaptive`` (``auto``): the cap and the gap are chosen again at every ``due`` from the queue,
  the time left and the durations of the sends finished so far (``core.adaptive.choose``), and
  ``next_wakeup`` asks for a ``due`` when the queue stops fitting one at a time, so a slow
  answer cannot keep it sequential past that instant.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

from scheduler.core.adaptive import Mode, choose, sequential_until
from scheduler.core.domain import Instant, PrebookingId, Seconds
from scheduler.core.errors import PolicyError
from scheduler.core.strategies import PolicyConfig

__all__ = ["Policy", "PolicyError"]


class Policy:
    def __init__(self, config: PolicyConfig, *, started_at: Instant) -> None:
        self.config = config
        self.started_at = started_at
        self.cutoff = started_at + config.cutoff_after
        self._queue: deque[PrebookingId] = deque()
        self._in_flight: set[PrebookingId] = set()
        self._started: list[PrebookingId] = []
        self._last_start: Instant | None = None
        self._in_batch = 0  # starts in the current batch
        self._batch_ended_at: Instant | None = None
        self._closed = False
        self._cap, self._gap = config.max_in_flight, config.gap
        self._mode = Mode.SEQUENTIAL
        self._started_at: dict[PrebookingId, Instant] = {}
        self._durations: list[Seconds] = []

    # What the policy is told ------------------------------------------------------------------
    def enqueue(self, prebookings: Iterable[PrebookingId]) -> None:
        for prebooking_id in prebookings:
            if prebooking_id in self._queue or prebooking_id in self._started:
                raise PolicyError(f"prebooking {prebooking_id!r} is already queued or started")
            self._queue.append(prebooking_id)

    def finished(self, prebooking_id: PrebookingId, *, now: Instant) -> None:
        if prebooking_id not in self._in_flight:
            raise PolicyError(f"prebooking {prebooking_id!r} finished but was not in flight")
        self._in_flight.remove(prebooking_id)
        self._durations.append(now - self._started_at[prebooking_id])
        if self._batch_full() and self.config.barrier and not self._in_flight:
            self._batch_ended_at = now

    # What the policy answers ------------------------------------------------------------------
    def due(self, now: Instant) -> list[PrebookingId]:
        """The prebookings to start at ``now``, in order; the caller must start all of them."""
        starting: list[PrebookingId] = []
        if self.config.adaptive and self._queue and not self._closed:
            self._adapt(now)
        while self._queue and not self._closed:
            earliest = self._earliest_start()
            if earliest is None:
                break
            if max(earliest, now) > self.cutoff:
                self._closed = True
                break
            if earliest > now:
                break
            starting.append(self._start(now))
        return starting

    def next_wakeup(self) -> Instant | None:
        if not self._queue or self._closed:
            return None
        earliest = self._earliest_start()
        rechoose = self._rechoose_at()
        if earliest is None and rechoose is None:
            return None
        # Past the cut-off the wake-up is the cut-off itself, so the guard can close the queue
        # then instead of leaving the invocation idle until a start it would refuse anyway.
        return min(
            math.inf if earliest is None else earliest,
            math.inf if rechoose is None else rechoose,
            self.cutoff,
        )

    @property
    def mode(self) -> Mode | None:
        """The mode ``auto`` is in (None for a fixed strategy)."""
        return self._mode if self.config.adaptive else None

    @property
    def done(self) -> bool:
        """Nothing in flight and nothing more will start."""
        return not self._in_flight and (self._closed or not self._queue)

    @property
    def in_flight(self) -> frozenset[PrebookingId]:
        return frozenset(self._in_flight)

    @property
    def started(self) -> tuple[PrebookingId, ...]:
        return tuple(self._started)

    def skipped(self) -> tuple[PrebookingId, ...]:
        """Queued prebookings the guard will never start (empty until it closes)."""
        return tuple(self._queue) if self._closed else ()

    # Internals --------------------------------------------------------------------------------
    def _adapt(self, now: Instant) -> None:
        # Woken at the instant the queue stops fitting (``_rechoose_at``): past sequential then,
        # whatever the rounding of ``left`` makes of the comparison in ``choose``.
        rechoose = self._rechoose_at()
        floor = Mode.STAGGERED if rechoose is not None and now >= rechoose else self._mode
        firing = choose(
            queued=len(self._queue),
            left=self.cutoff - now,
            durations=self._durations,
            expected_duration=self.config.expected_duration,
            expected_spread=self.config.expected_spread,
            floor=max(floor, self._mode),
        )
        self._mode, self._cap, self._gap = firing.mode, firing.max_in_flight, firing.gap

    def _rechoose_at(self) -> Instant | None:
        """``auto`` in sequential mode: when its queue stops fitting one at a time, so that it
        chooses again on time, not only when an answer comes (a slow one may come too late)."""
        if not self.config.adaptive or self._mode is not Mode.SEQUENTIAL:
            return None
        return sequential_until(
            queued=len(self._queue),
            cutoff=self.cutoff,
            durations=self._durations,
            expected_duration=self.config.expected_duration,
        )

    def _batch_full(self) -> bool:
        return self.config.batch_size is not None and self._in_batch >= self.config.batch_size

    def _earliest_start(self) -> Instant | None:
        """When the head of the queue may start; None while it waits for a send to finish."""
        config = self.config
        if self._cap is not None and len(self._in_flight) >= self._cap:
            return None
        earliest = self.started_at
        if self._batch_full():
            if config.barrier:
                if self._in_flight or self._batch_ended_at is None:
                    return None
                batch_end = self._batch_ended_at
            else:
                assert self._last_start is not None  # a full batch has started at least once
                batch_end = self._last_start
            earliest = max(earliest, batch_end + config.pause)
        if self._last_start is not None:
            earliest = max(earliest, self._last_start + self._gap)
        return earliest

    def _start(self, now: Instant) -> PrebookingId:
        if self._batch_full():
            self._in_batch = 0
            self._batch_ended_at = None
        prebooking_id = self._queue.popleft()
        self._in_flight.add(prebooking_id)
        self._started.append(prebooking_id)
        self._started_at[prebooking_id] = now
        self._last_start = now
        self._in_batch += 1
        return prebooking_id
