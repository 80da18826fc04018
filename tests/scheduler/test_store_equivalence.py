"""MemoryStore and SqlStore keep the same rules: any sequence of calls gives the same answers.

The simulation runs on MemoryStore and real runs on SqlStore, so a difference between them
would make simulated results say nothing about real ones. Hypothesis drives both with the same
random calls (few ids, few instants, so that ties, double claims, foreign results and illegal
statuses are common) and compares every answer, every refusal and the rows after each step.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from scheduler.core.domain import BookingResult, InstanceId, PrebookingId, UserId
from scheduler.core.errors import ConfigurationError
from scheduler.core.status import Event, IllegalTransition
from scheduler.store import MemoryStore, NewPrebooking, SqlStore, Store

IDS = st.sampled_from([PrebookingId(i) for i in ("a", "b", "c", "d")])
INSTANTS = st.sampled_from([0.0, 0.5, 1.0, 2.0])
INSTANCES = st.sampled_from([InstanceId("i1"), InstanceId("i2")])
NEW = st.builds(
    NewPrebooking,
    id=IDS,
    user=st.just(UserId("ana@example.com")),
    class_id=st.sampled_from([1, 2, 0]),  # 0 is refused
    day=st.sampled_from(["20260105", "20260106", "2026-01-05"]),  # the last is refused
    box=st.just(1),
    available_at=INSTANTS,
    created_at=INSTANTS,
)
RESULTS = st.none() | st.builds(BookingResult, book_state=st.sampled_from([1, -12]))


class SameAnswers(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.mkdtemp(prefix="store-equivalence-")
        self.memory = MemoryStore()
        self.sql = SqlStore(f"sqlite:///{self.directory}/store.sqlite")

    def both(self, call: Callable[[Store], Any]) -> None:
        answers = []
        for store in (self.memory, self.sql):
            try:
                answers.append(("answer", call(store)))
            except (ConfigurationError, IllegalTransition) as exc:
                answers.append((type(exc).__name__, str(exc)))
        assert answers[0] == answers[1]

    @rule(items=st.lists(NEW, max_size=3))
    def add(self, items: list[NewPrebooking]) -> None:
        self.both(lambda store: store.add(items))

    @rule(now=INSTANTS, limit=st.integers(0, 3))
    def find_ready(self, now: float, limit: int) -> None:
        self.both(lambda store: store.find_ready(now, limit))

    @rule(prebooking_id=IDS, instance=INSTANCES, now=INSTANTS)
    def claim(self, prebooking_id: PrebookingId, instance: InstanceId, now: float) -> None:
        self.both(lambda store: store.claim(prebooking_id, instance, now))

    @rule(
        prebooking_id=IDS,
        instance=INSTANCES,
        event=st.sampled_from(Event),
        executed_at=INSTANTS,
        result=RESULTS,
        error=st.none() | st.just("refused"),
        attempts=st.integers(0, 2),
    )
    def record_result(
        self,
        *,
        prebooking_id: PrebookingId,
        instance: InstanceId,
        event: Event,
        executed_at: float,
        result: BookingResult | None,
        error: str | None,
        attempts: int,
    ) -> None:
        self.both(
            lambda store: store.record_result(
                prebooking_id,
                instance,
                event=event,
                executed_at=executed_at,
                result=result,
                error=error,
                attempts=attempts,
            )
        )

    @invariant()
    def same_rows(self) -> None:
        self.both(lambda store: (store.list(), store.counts()))

    def teardown(self) -> None:
        self.memory.close()
        self.sql.close()
        shutil.rmtree(self.directory, ignore_errors=True)


SameAnswers.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
test_memory_and_sql_stores_give_the_same_answers = SameAnswers.TestCase
