"""A scenario: everything the model needs, in one validated TOML file.

Delays use the mock server's distribution families and parameter names
(``mock_aimharder.model.distributions``), so one set of numbers drives the mock in real runs and the
model in simulation. Every section has defaults; an unknown key or a bad value is refused with
the field's dotted path and what was expected.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mock_aimharder.model.config import config_problems
from mock_aimharder.model.distributions import Distribution, Fixed, LogNormal, Uniform
from mock_aimharder.model.latency import EndpointLatency
from mock_aimharder.model.outside import OutsideDemand
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import PRESETS, PolicyConfig, strategy
from sim.faults import FaultModel

__all__ = [
    "DEFAULT_SCENARIO",
    "MAX_LOAD",
    "MAX_REPLICATIONS",
    "SCENARIOS",
    "SEED_SCENARIO",
    "TRIGGER_PRESETS",
    "VALIDATION_SCENARIO",
    "AimHarderModel",
    "ClientModel",
    "ClockOffset",
    "CronModel",
    "DatabaseModel",
    "ExperimentPlan",
    "PlatformModel",
    "Scenario",
    "ScenarioError",
    "Workload",
]

PositiveInt = Annotated[int, Field(ge=1)]
# Upper bounds on every size a scenario sets: each is far above any what-if worth running, and
# together they keep one report within minutes and one worker within a few hundred MB.
MAX_REPLICATIONS = 1000
MAX_LOAD = 500  # prebookings per class (the seed's limit takes 50 per invocation)
MAX_POINTS = 32  # entries in loads, strategies or stagger_gaps
MAX_PREBOOKINGS = 20_000  # in one replication: minutes x classes_per_minute x the largest load
MAX_REPLICATION_RUNS = 50_000  # replications x (loads x strategies + stagger_gaps): ~20 min
MIN_CRON_PERIOD = 1.0  # seconds; cron-job.org's finest is 60 s
# The scenarios shipped with the simulation: the README's report, the seed's own assumptions,
# the validation's, and the trigger presets of the report's "which trigger and limit" section.
SCENARIOS = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "default.toml"
SEED_SCENARIO = SCENARIOS / "seed.toml"
VALIDATION_SCENARIO = SCENARIOS / "validate.toml"
TRIGGER_PRESETS = SCENARIOS / "triggers"
Load = Annotated[int, Field(ge=1, le=MAX_LOAD)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class ScenarioError(ConfigurationError):
    """A scenario file or document that does not validate."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CronModel(_Model):
    """The trigger service (``sim.model.trigger``; named presets in ``sim/scenarios/triggers/``).

    ``cron``: every ``period`` from t=0, at ``shift`` + a ``jitter`` draw past each tick
    (cron-job.org in the seed). ``exact``: at each window opening + ``exact_delay`` (a
    delayed-message service or an always-on worker). ``both``: exact, and the cron for what is
    left; against ``cron`` it shows what minute granularity costs. Retry ``k`` (from 0) waits
    ``retry_delay * retry_backoff ** k``.
    """

    mode: Literal["cron", "exact", "both"] = Field(
        "cron",
        description="When the function is called: `cron` every `period`; `exact` at each window "
        "opening plus `exact_delay` (a delayed-message service or an always-on worker); `both` "
        "exact, and the cron for what the exact call left.",
    )
    period: Annotated[float, Field(ge=MIN_CRON_PERIOD, le=7 * 86_400, allow_inf_nan=False)] = Field(
        60.0, description="Seconds between two cron ticks, the first at t = 0."
    )
    shift: Annotated[float, Field(allow_inf_nan=False)] = Field(
        0.0, description="Seconds added to every cron tick (negative: earlier)."
    )
    jitter: Distribution = Field(
        Uniform(low=0.0, high=2.0),
        description="Delay after each tick before the call is made, in seconds (the service's "
        "imprecision).",
    )
    timeout: PositiveSeconds = Field(
        15.0,  # the seed's cron-job.org request timeout
        description="Seconds the service waits for the function's answer; none by then is a "
        "failed call.",
    )
    retries: Annotated[int, Field(ge=0, le=10)] = Field(
        0,  # the seed: "Retry: Disabled"
        description="Calls made again after a failed call (a timeout or a 5xx), per tick.",
    )
    retry_delay: Seconds = Field(
        1.0,
        description="Seconds before the first retry (retry k waits retry_delay x retry_backoff^k).",
    )
    retry_backoff: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False)] = Field(
        1.0, description="Factor by which each retry's wait grows over the one before."
    )
    # GitHub Actions drops scheduled runs under load; at-least-once services deliver some twice.
    drop_share: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0, description="Share of the calls the service never makes."
    )
    duplicate_share: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0,
        description="Share of the calls delivered a second time with the same delivery id "
        "(at-least-once services), `duplicate_lag` after the first.",
    )
    duplicate_lag: Distribution = Field(
        Fixed(value=0.0), description="Seconds from a delivery to its duplicate."
    )
    disable_after: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None,
        description="Failed calls in a row (no answer within `timeout`, or a 5xx) after which "
        "the service disables the job; unset: never (cron-job.org: 15).",
    )
    # kappys1's QStash version sleeps until available_at + 30 ms (EXECUTION_DELAY_MS,
    # mock_aimharder/API.md).
    exact_delay: Annotated[float, Field(ge=-60, le=60, allow_inf_nan=False)] = Field(
        0.03,
        description="Seconds after each window opening at which an exact call fires (negative: "
        'before it; AimHarder answers "too early" and the flow retries within its budget).',
    )


class PlatformModel(_Model):
    """The serverless function: cold start after ``warm_for`` idle seconds, and the hard kill."""

    max_duration: PositiveSeconds = Field(
        10.0,
        description="Seconds after which the platform kills an invocation (maxDuration); the "
        "guard's budget unless `policy.budget` is set.",
    )
    cold_start: Distribution = Field(
        LogNormal(median=0.4, p99=1.5),
        description="Seconds a call waits for a container that was not used within `warm_for`.",
    )
    warm_for: Seconds = Field(
        300.0, description="Seconds a container stays warm after its last call ended."
    )


class DatabaseModel(_Model):
    """One delay per query kind (the seed: SELECT 50-100 ms, session 30-50, update 30-50), and
    how many trips the database serves at once (None: no limit; the rest wait in order). A trip
    carries the calls of one instant, gathered as the driver gathers them
    (``sim.model.database``), and
    costs one query of its kind whatever its rows (on SQLite, 50 claims in one statement take a
    few milliseconds more than one)."""

    capacity: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="Trips to the database served at once (a trip carries the calls of one "
        "instant, gathered as the driver gathers them); the rest wait in order. Unset: no limit.",
    )

    find_ready: Distribution = Field(
        Uniform(low=0.05, high=0.1),
        description="Seconds one query for the ready prebookings takes.",
    )
    claim: Distribution = Field(
        Uniform(low=0.03, high=0.05),
        description="Seconds one trip of claims takes, whatever its rows.",
    )
    get_session: Distribution = Field(
        Uniform(low=0.03, high=0.05),
        description="Seconds one read of users' AimHarder sessions takes.",
    )
    mark_result: Distribution = Field(
        Uniform(low=0.03, high=0.05),
        description="Seconds one trip writing booking results takes.",
    )


class ClientModel(_Model):
    """The scheduler's own machinery, as measured on real runs (``sim.validation.calibration``).

    All zero by default: the seed's latencies already include them. ``connect`` and
    ``connect_each``: the event loop opens the connections asked for together in one round,
    which ends ``connect`` after it began plus ``connect_each`` for every further connection
    that joined it, so a burst of sends reaches the server together, in order.
    """

    startup: Distribution = Field(
        Fixed(),
        description="Seconds from the trigger to the invocation's first query (the event loop, "
        "the HTTP client, the store's threads).",
    )
    turn: Distribution = Field(
        Fixed(),
        description="Seconds of the flow's own step on the event loop before each effect, one "
        "flow's step at a time.",
    )
    handoff: Distribution = Field(Fixed(), description="Seconds a store call waits for its thread.")
    send: Distribution = Field(
        Fixed(),
        description="Seconds from a flow's booking to the server handling it over an open "
        "connection (in a real run the mock adds its own lateness past its deadlines).",
    )
    connect: Distribution = Field(
        Fixed(),
        description="Seconds a round of opening connections takes when none is idle.",
    )
    connect_each: Distribution = Field(
        Fixed(),
        description="Seconds added to a connection round for every connection after its first.",
    )
    receive: Distribution = Field(
        Fixed(),
        description="Seconds from the server's last byte of an answer to the flow, one answer at "
        "a time (one event loop).",
    )


class ClockOffset(_Model):
    """AimHarder's clock minus the bot's, in seconds: uniform on ``[low, high]``, one draw per
    run (positive: AimHarder is ahead, so its windows open early by the bot's clock)."""

    low: Annotated[float, Field(ge=-60, le=60, allow_inf_nan=False)] = Field(
        0.0, description="Seconds: the smallest offset drawn."
    )
    high: Annotated[float, Field(ge=-60, le=60, allow_inf_nan=False)] = Field(
        0.0, description="Seconds: the largest offset drawn; at least `low`."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class AimHarderModel(_Model):
    """``/api/book`` as the network and the server delay it, how far the server's window
    opening lags the prebooking's ``available_at`` (a fixed difference), and the per-run clock
    offset between the bot and AimHarder."""

    book: EndpointLatency = Field(
        EndpointLatency(inbound=Uniform(low=0.1, high=0.25), outbound=Uniform(low=0.1, high=0.25)),
        description="The booking call (`/api/book`): its way in, its processing and its way "
        "back, and how many bookings AimHarder processes at once.",
    )
    # Bounded as the clock offset is, by the cron's minute: a skew of 1e12 s used to reach a
    # date computation and end in a traceback (issue 22, item 7).
    window_skew: Annotated[float, Field(ge=-60, le=60, allow_inf_nan=False)] = Field(
        0.0,
        description="Seconds by which AimHarder's window opens after the prebooking's "
        "`available_at` (negative: before), the same for every class.",
    )
    clock_offset: ClockOffset = Field(
        ClockOffset(),
        description="AimHarder's clock minus the bot's, drawn once per run (positive: "
        "AimHarder is ahead, so its windows open early by the bot's clock).",
    )


class Workload(_Model):
    """Classes whose windows open one minute apart from t = 60 s, with their prebookings."""

    minutes: Annotated[int, Field(ge=1, le=120)] = Field(
        5, description="Minutes with openings, one minute apart from t = 60 s."
    )
    classes_per_minute: Annotated[int, Field(ge=1, le=60)] = Field(
        1, description="Classes whose windows open at each of those minutes."
    )
    capacity_ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        0.8,
        description="A class's places per prebooking: places = floor(ratio x load), at least "
        "one (below 1: places are scarce).",
    )
    waitlist: Annotated[int, Field(ge=0, le=MAX_LOAD)] = Field(
        0, description="Places on each class's waitlist, taken once the class is full."
    )
    created_spread: PositiveSeconds = Field(
        86_400.0,
        description="Seconds before its class's opening over which the prebookings were made "
        "(their `created_at`, uniform).",
    )


class ExperimentPlan(_Model):
    """What the report runs: the main sweep, the stagger gaps, KN's sizes and every section's
    own grid. The sections have grids smaller than the sweep's because they have many points."""

    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = Field(
        10, description="Runs per strategy and load in the main sweep."
    )
    seed: Annotated[int, Field(ge=0)] = Field(
        1,
        description="The base seed: every random stream derives from it, the load, the "
        "replication and the stream's name.",
    )
    strategies: Annotated[list[str], Field(min_length=1, max_length=MAX_POINTS)] = Field(
        default_factory=lambda: sorted(PRESETS),
        description="The strategies compared, each once (names of the scheduler's presets).",
    )
    loads: Annotated[list[Load], Field(min_length=1, max_length=MAX_POINTS)] = Field(
        default_factory=lambda: [1, 5, 10, 20, 30, 40, 50],
        description="Prebookings per class in the main sweep.",
    )
    drain_minutes: Annotated[int, Field(ge=1, le=60)] = Field(
        3, description="Minutes simulated after the last opening, for leftovers and retries."
    )
    stagger_gaps: Annotated[list[Seconds], Field(min_length=1, max_length=MAX_POINTS)] = Field(
        default_factory=lambda: [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5],
        description="Seconds between two sends of staggered, in the stagger-gap sweep.",
    )
    gap_load: Load = Field(
        20,
        description="Prebookings per class in the stagger-gap sweep, and the load at which "
        "the answer says when to fire.",
    )
    inversion_target: Annotated[float, Field(ge=0, le=1)] = Field(
        0.01,
        description="Share of pairs inverted the stagger gap must stay under (its whole "
        "interval) to be recommended.",
    )
    # Keeps `make report` near a minute; the sweep's replications are KN's first stage.
    kn_max_replications: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] = Field(
        50,
        description="KN's cap in the report's recommendation: replications per strategy and "
        "load in all, the first stage included.",
    )
    # A quick look runs fewer in the sweep but KN still starts from the full count, so the
    # answer is decided as in the full report.
    kn_first_stage: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] | None = Field(
        None,
        description="Replications per strategy and load KN starts from; unset: the sweep's own.",
    )
    # A reduced grid: it is one section of a report that should take about a minute.
    limits: list[Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False)]] = Field(
        default_factory=lambda: [10.0, 60.0, 300.0],
        min_length=1,
        max_length=10,
        description='Platform limits in seconds at which "Which trigger and limit" runs every '
        "trigger preset (`sim/scenarios/triggers/`).",
    )
    trigger_loads: list[Annotated[int, Field(ge=1, le=500)]] = Field(
        default_factory=lambda: [10, 30],
        min_length=1,
        max_length=10,
        description='Prebookings per class in "Which trigger and limit".',
    )
    trigger_replications: Annotated[int, Field(ge=1, le=1000)] = Field(
        3, description='Runs per preset, limit, strategy and load in "Which trigger and limit".'
    )
    # Fewer than the main sweep (``sim.experiments.outside_demand``): these sections have many
    # points.
    world_load: Load = Field(
        20,
        description='Our prebookings per class in "What speed buys" and the send-offset section.',
    )
    world_replications: Annotated[int, Field(ge=1, le=1000)] = Field(
        6, description='Runs per point in "What speed buys" and the send-offset section.'
    )
    outside_bursts: Annotated[
        list[Annotated[int, Field(ge=0, le=10_000)]], Field(max_length=20)
    ] = Field(
        default_factory=lambda: [0, 5, 10, 20, 40],
        description="Outside requests per class (other members' burst at each opening) in "
        '"What speed buys".',
    )
    send_offsets: Annotated[
        list[Annotated[float, Field(ge=-60, le=60, allow_inf_nan=False)]], Field(max_length=20)
    ] = Field(
        default_factory=lambda: [-1.0, -0.5, -0.2, -0.1, 0.0, 0.1, 0.2, 0.5],
        description="Seconds from AimHarder's opening to the invocation's start (negative: "
        "before) in the send-offset section.",
    )
    offset_burst: Annotated[int, Field(ge=0, le=10_000)] = Field(
        20, description="Outside requests per class in the send-offset section."
    )
    # Any outsider who arrives before ours end takes a place, so without a margin every
    # strategy would start losing at the first burst.
    losing_margin: Annotated[float, Field(ge=0, le=1)] = Field(
        0.05,
        description='Share of our prebookings: a strategy "starts losing places" at the first '
        "burst whose whole interval of places won lies this far below its places won with the "
        "smallest burst.",
    )
    auto_delta_places: Annotated[float, Field(ge=0, le=1)] = Field(
        0.05,
        description="Share of our prebookings: how far `auto`'s places lost may exceed the best "
        "fixed strategy's (paired difference of means) to count as matching it.",
    )
    auto_delta_inversions: Annotated[float, Field(ge=0, le=1)] = Field(
        0.01,
        description="Share of pairs: how far `auto`'s inversion rate may exceed the best fixed "
        "strategy's to count as matching it.",
    )

    @field_validator("strategies")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        for name in names:
            strategy(name)  # raises naming the known ones
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"{repeated} listed more than once; expected each strategy once")
        return names


class Scenario(_Model):
    """A whole scenario: every table of a scenario file (``[cron]``, ``[platform]``, ...)."""

    name: str = Field("default", description="The scenario's name, in the report's title.")
    description: str = Field("", description="One sentence under the report's title.")
    cron: CronModel = Field(CronModel(), description="The trigger: when the function is called.")
    platform: PlatformModel = Field(
        PlatformModel(), description="The serverless platform: its limit and cold starts."
    )
    database: DatabaseModel = Field(
        DatabaseModel(), description="The database: each query kind's time and its capacity."
    )
    aimharder: AimHarderModel = Field(
        AimHarderModel(), description="AimHarder: the booking call's delays and its clock."
    )
    client: ClientModel = Field(
        ClientModel(), description="The scheduler's own machinery, zero unless measured."
    )
    workload: Workload = Field(Workload(), description="The classes and their prebookings.")
    outside: OutsideDemand = Field(
        OutsideDemand(),
        description="Other members and bots booking every class from its opening (default: "
        "nobody).",
    )
    faults: FaultModel = Field(
        FaultModel(), description="What goes wrong, how often and for how long (default: nothing)."
    )
    experiment: ExperimentPlan = Field(
        ExperimentPlan(), description="What the report runs, and how many times."
    )
    policy: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of every strategy's policy parameters, named as `scheduler "
        "invoke`'s flags without dashes (`gap`, `max_in_flight`, `limit`, `buffer`, ...). Without "
        "`budget` the guard's budget is `platform.max_duration`; a longer one is refused.",
    )

    @model_validator(mode="after")
    def _budget_within_limit(self) -> Self:
        for name in self.experiment.strategies:
            self.policy_for(name)  # raises naming the parameter, or the budget and the limit
            for limit in self.experiment.limits:
                strategy(name, max_duration=limit, **self.policy)
        return self

    def variant(self, **changes: Any) -> Self:
        """This scenario with ``changes``, validated as a scenario file is: a section given as a
        mapping (``cron={"mode": "both"}``) changes only the keys given, as a what-if's tables
        lay over its base; any other value (``name="x"``, ``policy={...}``) replaces the key.
        A change the schema refuses raises ``ScenarioError`` naming it."""
        data = self.model_dump()
        for key, value in changes.items():
            section = getattr(self, key, None)
            if isinstance(section, BaseModel) and isinstance(value, Mapping):
                data[key] = _laid_over(data[key], dict(value))
            else:
                data[key] = value.model_dump() if isinstance(value, BaseModel) else value
        return self.from_data(data, source=f"scenario {self.name!r} with {', '.join(changes)}")

    def with_keys(self, assignments: Mapping[str, Any]) -> Self:
        """This scenario with dotted keys set (``{"policy.limit": 200}``), laid over it as a
        what-if's tables lay over its base, and validated as a file is."""
        overlay: dict[str, Any] = {}
        for key, value in assignments.items():
            *tables, last = key.split(".")
            table = overlay
            for name in tables:
                table = table.setdefault(name, {})
            table[last] = value
        data = _laid_over(self.model_dump(), overlay)
        return self.from_data(data, source=f"--set {', '.join(assignments)}")

    def at_limit(self, max_duration: float) -> Self:
        """This scenario under another platform limit (the budget follows it unless set)."""
        return self.variant(platform={"max_duration": max_duration})

    def policy_for(self, name: str, **overrides: Any) -> PolicyConfig:
        """Strategy ``name`` under this scenario's ``[policy]`` table, ``overrides`` on top, and
        the platform's limit as the budget unless one is set."""
        return strategy(
            name, max_duration=self.platform.max_duration, **{**self.policy, **overrides}
        )

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        plan, work = self.experiment, self.workload
        largest = max(*plan.loads, plan.gap_load)
        prebookings = work.minutes * work.classes_per_minute * largest
        if prebookings > MAX_PREBOOKINGS:
            raise ValueError(
                f"workload.minutes x classes_per_minute x the largest load = {prebookings} "
                f"prebookings in one replication; expected at most {MAX_PREBOOKINGS}"
            )
        points = len(plan.loads) * len(plan.strategies) + len(plan.stagger_gaps)
        runs = plan.replications * points
        if runs > MAX_REPLICATION_RUNS:
            raise ValueError(
                f"experiment.replications x (loads x strategies + stagger_gaps) = {runs} runs; "
                f"expected at most {MAX_REPLICATION_RUNS}"
            )
        world_points = 2 * len(plan.outside_bursts) + len(plan.send_offsets)
        world = plan.world_replications * len(plan.strategies) * world_points
        if world > MAX_REPLICATION_RUNS:
            raise ValueError(
                "experiment.world_replications x strategies x (2 x outside_bursts + "
                f"send_offsets) = {world} runs; expected at most {MAX_REPLICATION_RUNS}"
            )
        largest = max(plan.outside_bursts, default=0)
        if work.minutes * work.classes_per_minute * largest > MAX_PREBOOKINGS:
            raise ValueError(
                f"workload.minutes x classes_per_minute x the largest outside burst exceeds "
                f"{MAX_PREBOOKINGS} outside requests in one replication"
            )
        return self

    @classmethod
    def from_data(cls, data: object, *, source: str = "data") -> Self:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            listed = "; ".join(str(p) for p in config_problems(exc))
            raise ScenarioError(f"invalid scenario ({source}): {listed}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """The scenario in TOML file ``path``. A ``base = "other.toml"`` key (relative to the
        file) starts from that scenario: this file's tables and keys are laid over its own, so a
        what-if names only what it changes."""
        path = Path(path)
        return cls.from_data(_read_with_bases(path, depth=0), source=str(path))


MAX_BASES = 4  # a what-if on a what-if on ...: deeper is a loop or a mistake
MAX_SCENARIO_BYTES = 1 << 20  # the largest scenario shipped is ~3 KB; /dev/zero is endless


def _read_with_bases(path: Path, *, depth: int) -> dict[str, Any]:
    """The TOML document at ``path`` laid over its ``base`` (and that one's), if any. At most
    ``MAX_SCENARIO_BYTES`` are read (``--scenario /dev/zero`` was killed for memory at 23.6 GB)
    and nesting past the parser's recursion is refused (issue 22, item 8)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SCENARIO_BYTES + 1)
        if len(raw) > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                f"scenario {str(path)!r}: larger than {MAX_SCENARIO_BYTES} bytes; expected a "
                "TOML text file of at most that"
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ScenarioError(
            f"scenario {str(path)!r}: nested deeper than the TOML parser reads; expected tables "
            "and arrays a few levels deep"
        ) from None
    except OSError as exc:
        raise ScenarioError(f"scenario {str(path)!r} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"scenario {str(path)!r}: byte {exc.start} is not UTF-8; expected a TOML text file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {str(path)!r}: {exc}; expected valid TOML") from None
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError(f"scenario {str(path)!r}: base = {base!r}; expected a file name")
    if depth >= MAX_BASES:
        raise ScenarioError(
            f"scenario {str(path)!r}: more than {MAX_BASES} bases in a row; expected a base "
            "that does not lead back to itself"
        )
    return _laid_over(_read_with_bases(path.parent / base, depth=depth + 1), data)


def _laid_over(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over``'s keys on top of ``base``'s, table by table. A distribution of another
    ``kind`` replaces the one below whole: a fixed delay over a uniform one keeps no bounds."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        both_tables = isinstance(below, dict) and isinstance(value, dict)
        if both_tables and "kind" in value and below.get("kind") != value["kind"]:  # type: ignore[union-attr]
            both_tables = False
        merged[key] = _laid_over(below, value) if both_tables else value  # type: ignore[arg-type]
    return merged
