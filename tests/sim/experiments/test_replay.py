"""Named streams, seeds on record, replays, and results that do not depend on the workers."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from mock_aimharder.model.distributions import Distribution, Fixed, Normal, Uniform
from mock_aimharder.model.latency import Sampler
from scheduler.core.errors import ConfigurationError
from sim.experiments.grid import Task, run_tasks
from sim.experiments.replay import check_run_id, parse_run_id, replay, run_id
from sim.experiments.timeline import timeline
from sim.model import streams as streams_module
from sim.model.replication import run_replication
from sim.model.streams import Streams
from sim.model.summary import Summary
from sim.scenario import Scenario

SMALL = Scenario.from_data({"workload": {"minutes": 2}, "experiment": {"seed": 3}})


def test_a_stream_draws_the_same_whatever_other_streams_exist() -> None:
    alone = Streams(5, 10, 2).rng("cron.jitter").random(5)
    crowded = Streams(5, 10, 2)
    crowded.rng("a.new.stream").random(100)
    assert list(crowded.rng("cron.jitter").random(5)) == list(alone)
    assert list(Streams(5, 10, 3).rng("cron.jitter").random(5)) != list(alone)


def fresh_draws(streams: Streams, name: str, distribution: Distribution, count: int) -> list[float]:
    """What a stream of its own, derived from scratch, draws."""
    rng = np.random.default_rng(streams.sequence(name))
    return Sampler(distribution, rng).samples(count)


@pytest.mark.parametrize(
    "distribution",
    [Uniform(low=0.1, high=0.3), Normal(mean=0.05, sd=0.2), Fixed(value=0.4)],
    ids=["uniform", "normal-redrawing", "fixed"],
)
def test_a_keyed_stream_draws_as_a_fresh_one_whoever_read_it_before(
    distribution: Distribution, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, name = "pb-7", "aimharder.book.inbound"
    expected = fresh_draws(Streams(11, 20, 4), f"{name}/{key}", distribution, 5)

    def draws(load: int, count: int) -> list[float]:
        """A new replication's reader of the stream (the last one's generators are gone)."""
        return Streams(11, load, 4).keyed(name, distribution)(key).samples(count)

    assert draws(20, 2) == expected[:2]
    assert draws(20, 5) == expected  # 2 kept, then past them
    monkeypatch.setattr(streams_module, "KEPT_STREAMS", 1)
    other_load = draws(30, 5)  # a stream more: the first spawn key's draws are forgotten
    assert (other_load == expected) == isinstance(distribution, Fixed)
    assert draws(20, 3) == expected[:3]


def test_one_seed_run_twice_gives_the_same_journal_hash() -> None:
    first = run_replication(SMALL, "staggered", 10, 3)
    again = run_replication(SMALL, "staggered", 10, 3)
    other = run_replication(SMALL, "staggered", 10, 4)
    assert first.journal_hash == again.journal_hash
    assert first.journal_hash != other.journal_hash
    assert first.seeds == again.seeds
    assert first.seeds["seed"] == 3 and first.seeds["spawn_key"] == [10, 3]
    assert {"workload", "cron.jitter", "platform.cold_start"} <= set(first.seeds["streams"])


def test_a_replay_from_the_identifier_prints_the_same_journal() -> None:
    original = run_replication(SMALL, "batched", 5, 1)
    again = replay(SMALL, run_id(original))
    assert run_id(original) == "batched/5/1@3"
    assert again.journal_hash == original.journal_hash
    assert len(again.journal) == original.summary.requests > 0


@pytest.mark.parametrize("text", ["batched/5/1", "nope/5/1@3", "batched/0/1@3", "b/5/x@3"])
def test_a_bad_identifier_is_refused_saying_what_is_expected(text: str) -> None:
    with pytest.raises(ConfigurationError, match="expected"):
        parse_run_id(text)


def test_experiment_data_do_not_depend_on_the_number_of_workers() -> None:
    tasks = [
        Task(strategy=s, load=5, replication=r)
        for s in ("parallel", "sequential")
        for r in range(3)
    ]

    def hashes(workers: int) -> list[tuple[str, Summary]]:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = run_tasks(SMALL, tasks, executor=pool)
        return [(r.journal_hash, r.summary) for _, r in done]

    assert hashes(1) == hashes(2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "batched/5/10@3",
            "replication 10; expected 0 to 9 (the scenario's 10 replications; a report run with "
            "more: --report DIR or --set experiment.replications=N)",
        ),
        ("batched/6/1@3", "load 6; expected one of the scenario's [1, 5, 10, 20, 30, 40, 50]"),
    ],
)
def test_an_identifier_the_scenario_never_ran_is_refused_naming_the_range(
    text: str, expected: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        check_run_id(SMALL, text)
    assert str(refused.value) == f"run id {text!r}: {expected}"


def test_a_strategy_outside_the_scenario_is_refused_naming_its_strategies() -> None:
    two = SMALL.variant(experiment={"strategies": ["parallel", "sequential"]})
    with pytest.raises(ConfigurationError, match=r"strategy 'batched'; expected one of the "):
        check_run_id(two, "batched/5/1@3")


def test_a_replay_keeps_its_evidence_and_its_hash() -> None:
    again = replay(SMALL, "parallel/10/1@3")
    assert again.evidence is not None
    assert again.journal_hash == run_replication(SMALL, "parallel", 10, 1).journal_hash


def test_the_timeline_ranks_every_user_and_its_marks_add_up_to_the_inversions() -> None:
    again = replay(SMALL, "parallel/10/1@3")
    steps = timeline(again)
    assert [s.seq for s in steps] == sorted(s.seq for s in steps)  # classes open in turn
    for measures in again.classes:
        mine = [s for s in steps if s.class_id == measures.class_id and not s.again]
        assert sorted(s.rank for s in mine if s.rank is not None) == list(range(1, 11))
        assert sum(s.inversions for s in mine) == measures.inversions
    assert again.summary.inversions > 0  # parallel at 10 per class inverts: something to mark
    first = {s.class_id: s for s in reversed(steps)}
    assert all(s.inversions == 0 for s in first.values())  # nobody was processed before it


def test_a_step_closes_one_inversion_per_earlier_user_who_asked_later() -> None:
    steps = [s for s in timeline(replay(SMALL, "parallel/10/1@3")) if not s.again]
    for step in steps:
        if step.rank is None:
            continue
        earlier = [
            s.rank
            for s in steps
            if s.class_id == step.class_id and s.seq < step.seq and s.rank is not None
        ]
        assert step.inversions == sum(1 for rank in earlier if rank > step.rank)
