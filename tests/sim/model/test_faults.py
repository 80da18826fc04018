"""The faults of ``[faults]`` as the model runs them: each does what it says to one booking,
and a scenario without them draws nothing of theirs."""

from __future__ import annotations

from typing import Any

from harness.measures import sent_after_place
from scheduler.core.exchange import Exchange, Heard, Request
from scheduler.core.status import Status
from sim.model.replication import Replication, run_replication
from sim.scenario import DEFAULT_SCENARIO, Scenario

FIRST_MINUTE = 100.0  # faults strike before this: the first cron call only (at 60 s + jitter)


def one_booking(**faults: Any) -> Replication:
    """One sequential prebooking for one place, the faults striking in the first minute."""
    scenario = Scenario.from_file(DEFAULT_SCENARIO).variant(
        workload={"minutes": 1, "capacity_ratio": 1.0},
        faults={"until": FIRST_MINUTE, **faults},
    )
    return run_replication(scenario, "sequential", 1, 0, keep_journal=True, keep_evidence=True)


def test_a_scenario_without_faults_derives_no_stream_of_theirs() -> None:
    plain = run_replication(Scenario.from_file(DEFAULT_SCENARIO), "sequential", 5, 0)
    assert not [name for name in plain.seeds["streams"] if name.startswith("faults.")]
    faulty = one_booking(lost_answer=0.5)
    assert "faults.answer" in faulty.seeds["streams"]


def test_a_lost_answer_books_the_place_and_the_listing_settles_it_later() -> None:
    run = one_booking(lost_answer=1.0)
    assert [e.book_state for e in run.journal] == [1]
    assert run.evidence is not None
    first, settled = run.evidence.exchanges
    assert (first.request, first.heard) == (Request.BOOK, Heard.NO_ANSWER)
    assert (settled.request, settled.holds_place) == (Request.LISTING, True)
    assert settled.sent_at > first.sent_at + 15.0  # the next invocation, once the lease is over
    assert [r.status for r in run.evidence.rows] == [Status.COMPLETED]


def test_a_late_landing_books_after_its_sender_gave_up_and_the_record_stays_true() -> None:
    # Held 40 s on its way in: past the client's timeout and the 15 s lease (issue 22).
    run = one_booking(late_landing=1.0, late_landing_delay={"kind": "fixed", "value": 40.0})
    assert run.evidence is not None
    first = run.evidence.exchanges[0]
    assert (first.request, first.heard) == (Request.BOOK, Heard.NO_ANSWER)
    (booked,) = [e for e in run.journal if e.book_state == 1]
    assert booked.received_monotonic >= first.sent_at + 40.0
    assert {f.fault for f in run.evidence.struck} == {"late_landing"}
    assert [r.status for r in run.evidence.rows] == [Status.COMPLETED]


def test_a_server_error_is_answered_before_the_rules_and_books_nothing() -> None:
    run = one_booking(server_error=1.0)
    assert run.evidence is not None
    assert len(run.evidence.exchanges) == 3  # the seed's three attempts, all refused
    assert all("HTTP 503" in (e.detail or "") for e in run.evidence.exchanges)
    assert run.journal == ()
    assert [r.status for r in run.evidence.rows] == [Status.FAILED]


def test_a_kill_at_an_effect_cuts_the_invocation_and_its_claim_lapses() -> None:
    run = one_booking(kill=1.0)
    first = run.invocations[0]
    assert first.killed and first.status == 504
    assert first.ended_at - first.started_at < 1.0  # at its first effect, not at the limit
    assert run.evidence is not None
    assert [r.status for r in run.evidence.rows] == [Status.COMPLETED]
    assert {f.fault for f in run.evidence.struck} == {"kill"}


def exchange(key: str, *, instance: str, sent: float, heard: float, holds: bool) -> Exchange:
    return Exchange(
        key=key, prebooking_id="p1", user="u", class_id=1, request=Request.BOOK, sent_at=sent,
        heard=Heard.ANSWERED, holds_place=holds, heard_at=heard, instance_id=instance,
    )  # fmt: skip


def test_sent_after_place_counts_a_resend_by_the_invocation_that_heard_the_place_only() -> None:
    place = exchange("r1", instance="i1", sent=0.0, heard=0.3, holds=True)
    assert not sent_after_place([place])
    again_elsewhere = exchange("r2", instance="i2", sent=20.0, heard=20.3, holds=True)
    assert not sent_after_place([place, again_elsewhere])
    again_here = exchange("r3", instance="i1", sent=0.5, heard=0.8, holds=True)
    assert sent_after_place([place, again_here])
