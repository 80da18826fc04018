"""``auto`` chooses again on time as well as on answers (issue 22, item 2): one slow first answer
must not keep it sequential, waiting, until after its send cut-off.

Ten prebookings ready; the first answer takes ``slow`` seconds, every other 0.05 s. The old
policy asked ``auto`` again only when an answer came: with a 7.5 s first answer it completed 1
and skipped 9 (staggered books all 10).
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.domain import BookingResult, InstanceId
from scheduler.core.flows import run_invocation
from scheduler.core.outcome import InvocationReport
from scheduler.core.policy import Policy
from scheduler.core.strategies import strategy
from tests.scheduler.core.script import Answer, Script, prebooking, run

BOOKED = BookingResult(book_state=1)
READY = [prebooking(i) for i in range(10)]
STORE = {"FindReady": 0.01, "Claim": 0.01, "GetSession": 0.01, "MarkResult": 0.01}


def invocation(first_answer: float, others: float = 0.05) -> InvocationReport:
    config = strategy("auto")
    answers: dict[str, list[Answer]] = {
        p.id: [(first_answer if i == 0 else others, BOOKED)] for i, p in enumerate(READY)
    }
    script = Script(ready=READY, latency=STORE, answers=answers)
    report = run(run_invocation(instance_id=InstanceId("i1"), config=config, now=0.0), script)
    assert isinstance(report.value, InvocationReport)
    return report.value


def test_a_slow_first_answer_moves_auto_to_staggering_before_the_cut_off() -> None:
    report = invocation(7.5)
    assert (report.completed, report.skipped) == (10, ())


@settings(max_examples=60, deadline=None)
@given(
    first=st.floats(min_value=0.01, max_value=7.9),
    others=st.floats(min_value=0.01, max_value=0.3),
)
def test_auto_starts_its_whole_queue_before_the_cut_off_whatever_the_answer_times(
    first: float, others: float
) -> None:
    """The README's promise: auto starts everything before the cut-off (ten fit at these
    answer times: staggered at the prior spread starts them within 2 s)."""
    report = invocation(first, others)
    assert report.skipped == ()
    assert len(report.outcomes) == 10


def test_sequential_auto_asks_to_be_woken_when_its_queue_stops_fitting() -> None:
    policy = Policy(strategy("auto"), started_at=0.0)
    policy.enqueue(p.id for p in READY)
    assert policy.due(0.0) == ["p00"]  # ten at the 0.6 s prior fit the 7 s to the cut-off
    # nine left at 0.6 s each no longer fit from 7 - 5.4 = 1.6 s on: wake then, answer or not
    assert policy.next_wakeup() == math.nextafter(7.0 - 9 * 0.6, math.inf)
