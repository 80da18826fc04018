"""A scenario's ``[faults]`` table: what goes wrong in a run, how often and for how long.

Every fault is off by default, so a scenario without the table runs as it always did (the same
random streams, the same data). ``sim.model.faults`` draws each fault from a stream of its own
(``faults.<name>``), so turning one on or changing its rate moves no other fault's draws and
no latency. ``sim explore`` draws these rates per run; a what-if may set them too.

A share is per occasion: per booking for AimHarder's faults, per trip to the database, per
booking for a pause, per effect for a kill, per invocation for a clock jump. Faults strike only
before ``until`` (None: the whole run), so a run can settle fault-free before it is judged.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mock_aimharder.model.distributions import Distribution, Uniform

__all__ = ["ANSWER_FAULTS", "FAULTS", "FaultModel"]

Share = Annotated[float, Field(ge=0, le=1)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]

# AimHarder's faults: one draw per booking decides which (if any) strikes it.
ANSWER_FAULTS = (
    "lost_answer",
    "late_answer",
    "server_error",
    "rate_limited",
    "too_early",
    "late_landing",
)
# Every fault by the name ``--faults`` and the streams use.
FAULTS = (
    *(name for name in ANSWER_FAULTS if name != "late_landing"),
    "database_stall",
    "database_error",
    "pause",
    "kill",
    "clock_jump",
    "late_landing",  # added last: ``sim explore``'s earlier seeds keep their worlds
)


class FaultModel(BaseModel):
    """The faults of a run; every share 0 (off) by default.

    - ``lost_answer``: AimHarder processes the booking (it books, the journal shows it) and the
      answer never arrives: the client hears nothing until its timeout.
    - ``late_answer``: processed, and the answer is held ``late_answer_delay`` on its way back,
      often past the client's timeout.
    - ``late_landing``: the booking is held ``late_landing_delay`` on its way in (queued in
      front of AimHarder) and processed when it lands, often after its sender gave up, after
      the lease and after a later invocation's resend was answered (issue 22).
    - ``server_error``: a 503 before processing (nothing booked); ``rate_limited``: a 429 with
      ``Retry-After: retry_after``; ``too_early``: AimHarder's "too early" refusal
      (``ERROR_ANTELACION_CLIENTE``) before processing, as a clock behind ours gives.
    - ``database_stall``: a trip to the database held ``database_stall_delay`` more;
      ``database_error``: a trip whose connection fails (nothing written, the flows get a
      ``StoreError``).
    - ``pause``: the invocation's process is paused ``pause_duration`` (a stop, a long GC, a
      frozen container): every one of its flows stands still, requests already sent go on.
      Struck at a booking, either between its claim and its send or while it is in flight.
    - ``kill``: the platform kills the invocation at an effect (any one), as at ``maxDuration``.
    - ``clock_jump``: the invocation's clock is off by ``clock_jump_size`` (either way) from
      the others' (a host whose clock stepped): its claims, leases and deadlines use it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    until: Seconds | None = Field(
        None,
        description="Seconds into the run after which no fault strikes, so that the run can "
        "settle fault-free; unset: the whole run.",
    )
    lost_answer: Share = Field(
        0.0,
        description="Share of bookings AimHarder processes whose answer never arrives (the "
        "client hears nothing until its timeout).",
    )
    late_answer: Share = Field(
        0.0,
        description="Share of bookings processed whose answer is held `late_answer_delay` on "
        "its way back.",
    )
    late_answer_delay: Distribution = Field(
        Uniform(low=1.0, high=30.0), description="Seconds a late answer is held."
    )
    late_landing: Share = Field(
        0.0,
        description="Share of bookings held `late_landing_delay` on their way in and processed "
        "when they land, often after their sender gave up (issue 22).",
    )
    late_landing_delay: Distribution = Field(
        Uniform(low=5.0, high=60.0), description="Seconds a late landing is held on its way in."
    )
    server_error: Share = Field(
        0.0, description="Share of bookings answered 503 before processing (nothing booked)."
    )
    rate_limited: Share = Field(
        0.0,
        description="Share of bookings answered 429 with `Retry-After: retry_after` before "
        "processing.",
    )
    retry_after: Annotated[float, Field(ge=0, le=60, allow_inf_nan=False)] = Field(
        1.0, description="Seconds a 429 asks the client to wait."
    )
    too_early: Share = Field(
        0.0,
        description='Share of bookings refused as "too early" (`ERROR_ANTELACION_CLIENTE`) '
        "before processing, as a clock behind ours gives.",
    )
    database_stall: Share = Field(
        0.0, description="Share of trips to the database held `database_stall_delay` more."
    )
    database_stall_delay: Distribution = Field(
        Uniform(low=0.5, high=10.0), description="Seconds a stalled trip is held."
    )
    database_error: Share = Field(
        0.0,
        description="Share of trips to the database whose connection fails (nothing written; "
        "the flows get a store error).",
    )
    pause: Share = Field(
        0.0,
        description="Share of bookings at which the invocation's process is paused "
        "`pause_duration` (every one of its flows stands still; requests already sent go on).",
    )
    pause_duration: Distribution = Field(
        Uniform(low=0.5, high=30.0), description="Seconds a paused process stands still."
    )
    kill: Share = Field(
        0.0, description="Share of effects at which the platform kills the invocation."
    )
    clock_jump: Share = Field(
        0.0,
        description="Share of invocations whose clock is off by `clock_jump_size` (either way) "
        "from the others'; its claims, leases and deadlines use it.",
    )
    clock_jump_size: Distribution = Field(
        Uniform(low=0.0, high=3.0), description="Seconds an invocation's clock is off."
    )

    @model_validator(mode="after")
    def _one_fate_per_booking(self) -> Self:
        total = sum(getattr(self, name) for name in ANSWER_FAULTS)
        if total > 1 + 1e-9:
            raise ValueError(
                f"{' + '.join(ANSWER_FAULTS)} = {total:g}; expected at most 1 (one fate a booking)"
            )
        return self

    def share(self, name: str) -> float:
        """The share of fault ``name`` (one of ``FAULTS``)."""
        return float(getattr(self, name))

    @property
    def any(self) -> bool:
        """Whether any fault can strike."""
        return any(self.share(name) > 0 for name in FAULTS)
