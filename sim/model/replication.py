"""One replication: a pure function of (scenario, strategy, load, replication) to flat records.

Random numbers come from named streams (``sim.model.streams``) seeded by the scenario's seed, the
load and the replication only, so every strategy meets the same users, the same jitter and the
same latencies at a given load and replication (common random numbers: the differences are the
strategy's), and no result depends on which worker process ran it. Each replication carries
what it derived (``seeds``) and a hash of the server's journal, so a rerun can be checked.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import simpy

from harness.measures import ClassMeasures, attempts, class_measures
from mock_aimharder.model.accounts import Account
from mock_aimharder.model.config import FullClassPolicy, MockConfig
from mock_aimharder.model.gym import Gym
from mock_aimharder.model.journal import JournalEntry
from mock_aimharder.model.outside import OutsideDemand
from scheduler.core.domain import Prebooking, Session, UserId
from scheduler.core.exchange import Exchange
from scheduler.store import MemoryStore
from sim.model.faults import Faults, Struck
from sim.model.history import History, Origin
from sim.model.platform import InvocationRecord, Platform
from sim.model.streams import Streams
from sim.model.summary import Summary, summarise_replication
from sim.model.trigger import TriggerLog, trigger, trigger_measures
from sim.model.workload import Plan, plan
from sim.model.world import SimWorld
from sim.scenario import ClockOffset, Scenario, Workload

__all__ = ["Evidence", "Replication", "journal_hash", "run_replication"]


def journal_hash(journal: Iterable[JournalEntry]) -> str:
    """SHA-256 of the journal as canonical JSON: equal hashes, equal runs as the server saw them."""
    text = json.dumps([e.to_json() for e in journal], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Replication:
    strategy: str
    load: int
    replication: int
    invocations: tuple[InvocationRecord, ...]
    classes: tuple[ClassMeasures, ...]  # one per class, by id
    summary: Summary
    seeds: dict[str, Any]  # the base seed, the spawn key and every stream derived from them
    journal_hash: str
    journal: tuple[JournalEntry, ...] = ()  # kept only when asked (a replay prints it)
    evidence: Evidence | None = None  # kept only when asked (``sim explore`` judges it)


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """What a run left for a judge besides the journal: the store's rows, the scheduler's
    history, which request each journal entry came from, the faults that struck, and the
    instant the run ended (the judge's now)."""

    rows: tuple[Prebooking, ...]
    exchanges: tuple[Exchange, ...]
    origins: dict[int, Origin]
    starts: dict[str, list[tuple[float, str]]]  # per invocation run: (started at, prebooking)
    struck: tuple[Struck, ...]
    ended_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class _Setting:
    """What a replication starts from, the same for every strategy at one (load, replication):
    the workload, AimHarder's clock offset, the mock's configuration, the members' accounts, a
    store holding the workload's rows and the members' sessions, and the streams derived to
    draw them. All of it is immutable (each run changes a copy of the store), so strategies
    share one (``_setting``) instead of drawing and validating it again each."""

    work: Plan
    clock_offset: float
    config: MockConfig
    accounts: Mapping[str, Account]
    stored: MemoryStore  # the workload's rows and the members' sessions: copied, never changed
    derived: Mapping[str, int]


_KEPT_SETTINGS = 8  # tasks run grouped by (load, replication): sim.experiments.grid
_settings: OrderedDict[tuple[object, ...], _Setting] = OrderedDict()
_settings_lock = threading.Lock()  # a dask worker may run replications in several threads


def _setting(scenario: Scenario, load: int, replication: int) -> _Setting:
    """The setting of (``load``, ``replication``) under ``scenario``, kept for the next
    strategies (the most recent ``_KEPT_SETTINGS``). Keyed by what it is drawn from, as JSON:
    a distribution may hold a list, which does not hash."""
    aimharder = scenario.aimharder
    key = (
        scenario.experiment.seed,
        load,
        replication,
        scenario.workload.model_dump_json(),
        aimharder.window_skew,
        aimharder.clock_offset.model_dump_json(),
        scenario.outside.model_dump_json(),
    )
    with _settings_lock:
        setting = _settings.get(key)
        if setting is not None:
            _settings.move_to_end(key)
            return setting
    setting = _set_up(
        scenario.experiment.seed,
        load,
        replication,
        workload=scenario.workload,
        window_skew=aimharder.window_skew,
        clock_offset=aimharder.clock_offset,
        outside=scenario.outside,
    )
    with _settings_lock:
        _settings[key] = setting
        while len(_settings) > _KEPT_SETTINGS:
            _settings.popitem(last=False)
    return setting


def _set_up(
    seed: int,
    load: int,
    replication: int,
    *,
    workload: Workload,
    window_skew: float,
    clock_offset: ClockOffset,
    outside: OutsideDemand,
) -> _Setting:
    streams = Streams(seed, load, replication)
    work = plan(
        workload,
        load=load,
        rng=streams.rng("workload"),
        window_skew=window_skew,
        outside=outside,
    )
    offset = float(
        streams.rng("aimharder.clock_offset").uniform(clock_offset.low, clock_offset.high)
    )
    # The scheduler and the outside members book with insist=0, and ``workload.waitlist`` is
    # a waitlist they enter: so the simulated AimHarder waitlists whenever there is room, the
    # mock's setting for clients that read 0 as a place (mock_aimharder/API.md, "Full class and
    # insist"); the mock's default would leave every waitlist empty. No shipped scenario has
    # a waitlist, so their results are the same under either policy.
    config = MockConfig(
        users=work.users,
        classes=work.classes,
        clock_offset=offset,
        full_class_policy=FullClassPolicy.WAITLIST_WHEN_ROOM,
    )
    return _Setting(
        work=work,
        clock_offset=offset,
        config=config,
        accounts=MappingProxyType({u.email: Account.of(u) for u in work.users}),
        stored=_stored(work),
        derived=MappingProxyType(dict(streams.derived)),
    )


def _stored(work: Plan) -> MemoryStore:
    """A store holding the workload's prebookings and every member's session."""
    store = MemoryStore()
    store.add(work.prebookings)
    for user in work.users:
        store.save_session(Session(user=UserId(user.email), cookies={"amhrdrauth": "sim"}), 0.0)
    return store


def run_replication(
    scenario: Scenario,
    strategy_name: str,
    load: int,
    replication: int,
    *,
    policy_overrides: dict[str, Any] | None = None,
    keep_journal: bool = False,
    keep_evidence: bool = False,
) -> Replication:
    experiment = scenario.experiment
    policy = scenario.policy_for(strategy_name, **(policy_overrides or {}))
    streams = Streams(experiment.seed, load, replication)

    env = simpy.Environment()
    setting = _setting(scenario, load, replication)
    streams.derived.update(setting.derived)
    work, clock_offset = setting.work, setting.clock_offset
    store = setting.stored.copy()
    gym = Gym(setting.config)
    accounts = setting.accounts
    faults = Faults(env, scenario.faults, streams) if scenario.faults.any else None
    history = History() if keep_evidence else None
    world = SimWorld(
        env,
        scenario,
        store=store,
        gym=gym,
        accounts=accounts,
        streams=streams,
        faults=faults,
        history=history,
    )
    platform = Platform(
        env,
        scenario.platform,
        policy=policy,
        world=world,
        store=store,
        cold_start=streams.sampler("platform.cold_start", scenario.platform.cold_start),
        faults=faults,
        history=history,
    )
    until = work.last_opening + 60.0 * experiment.drain_minutes
    log = TriggerLog()
    trigger(
        env,
        scenario.cron,
        jitter=streams.sampler("cron.jitter", scenario.cron.jitter),
        rng=streams.rng("cron.deliveries"),  # drops and duplicates
        call=platform.call,
        openings=work.openings.values(),
        until=until,
        log=log,
    )
    # Past `until` no call starts; running ones still finish (or are killed) within the limit.
    env.run(until=until + scenario.cron.timeout + scenario.platform.max_duration + 60.0)

    journal = gym.journal.since(0)
    tried = attempts(journal)
    rows = store.list()
    classes = class_measures(tried, rows, work.openings)
    point = (strategy_name, load, replication)
    fired = trigger_measures(log, platform.records)
    summary = summarise_replication(
        point,
        platform.records,
        classes,
        rows=rows,
        tried=tried,
        trigger=fired,
        clock_offset=clock_offset,
    )
    evidence = None
    if history is not None:
        evidence = Evidence(
            rows=tuple(rows),
            exchanges=tuple(history.exchanges()),
            origins=history.origins,
            starts=history.starts,
            struck=() if faults is None else tuple(faults.struck),
            ended_at=env.now,
        )
    return Replication(
        strategy=strategy_name,
        load=load,
        replication=replication,
        invocations=tuple(platform.records),
        classes=tuple(classes),
        summary=summary,
        seeds=streams.record(),
        journal_hash=journal_hash(journal),
        journal=tuple(journal) if keep_journal else (),
        evidence=evidence,
    )
