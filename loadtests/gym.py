"""The gym a run plays in: the mock's accounts and classes, and the prebookings seeded for it.

Prebooked classes get ``per_class`` athletes each and room for all of them, so every ready
prebooking can be booked and anything short of "booked exactly once" is the scheduler's fault.
Their windows (``opens_at`` in the mock, ``available_at`` in the store: the same instant) open
one class after another during the run. The mock visitors book a class of their own, so their
load never touches the pairs the check judges. Outside members (``@outside.example``) book the
prebooked classes and take places from ours, as other members do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from harness.gym import log_in_all
from harness.tls import shared_tls
from loadtests.plan import RunPlan
from mock_aimharder.model.config import ClassSpec, MockConfig, UserAccount
from mock_aimharder.model.distributions import Empirical, Uniform
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.faults import FaultSpec
from mock_aimharder.model.latency import EndpointLatency
from mock_aimharder.model.outside import OUTSIDE_DOMAIN
from scheduler.core.domain import Instant, PrebookingId, UserId
from scheduler.store import NewPrebooking, Store

__all__ = [
    "BOX",
    "PASSWORD",
    "VISITOR_ACCOUNTS",
    "VISITOR_CLASS",
    "Gym",
    "log_in",
    "mock_config",
    "open_classes",
    "seed_prebookings",
]

PASSWORD = "load-pw"  # noqa: S105 - the mock's own accounts, on loopback
BOX = 10122
FIRST_CLASS = 5001
VISITOR_CLASS = 9001
VISITOR_ACCOUNTS = 8
DAY_AHEAD = 2 * 86_400  # classes two days ahead: inside a booking window of a few days

# A modest AimHarder: 20-60 ms to process a booking, 5-15 ms for the rest, so that invocations
# overlap for a while on the database and on the server (the seed's 200-500 ms would make a
# short test run mostly idle waiting).
LATENCY = {
    Endpoint.BOOK: EndpointLatency(service=Uniform(low=0.02, high=0.06)),
    Endpoint.BOOKINGS: EndpointLatency(service=Uniform(low=0.005, high=0.015)),
    Endpoint.CANCEL: EndpointLatency(service=Uniform(low=0.005, high=0.015)),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Gym:
    """Who and what a run books: athletes, the classes' ids, and the day they are on."""

    athletes: tuple[UserId, ...]
    visitors: tuple[str, ...]
    outsiders: tuple[str, ...]
    class_ids: tuple[int, ...]
    day: str

    @classmethod
    def for_plan(cls, plan: RunPlan, *, now: Instant) -> Gym:
        return cls(
            athletes=tuple(
                UserId(f"athlete{i:03d}@loadtest.example")
                for i in range(min(plan.per_class, plan.prebookings))
            ),
            visitors=tuple(f"visitor{i}@loadtest.example" for i in range(VISITOR_ACCOUNTS)),
            outsiders=tuple(f"member{i}@{OUTSIDE_DOMAIN}" for i in range(plan.outside_members)),
            class_ids=tuple(FIRST_CLASS + c for c in range(plan.classes)),
            day=time.strftime("%Y%m%d", time.gmtime(now + DAY_AHEAD)),
        )


LATE_SHARE_STEPS = 100  # the late share is drawn from this many samples: steps of 1%


def mock_config(
    gym: Gym,
    *,
    lost_answers: float = 0.0,
    lost_answer_hold: float = 0.0,
    late_landings: float = 0.0,
    late_landing_delay: float = 0.0,
) -> MockConfig:
    """Every account, and the visitors' class (open now, room for everyone); bookings whose
    answer is lost at the rate asked, and bookings that reach the mock late at the rate asked
    (the inbound delay of ``/api/book``, drawn per request from the mock's seeded stream)."""
    members = (*gym.athletes, *gym.visitors, *gym.outsiders)
    accounts = [UserAccount(email=u, password=PASSWORD) for u in members]
    visitors_class = ClassSpec(
        id=VISITOR_CLASS, box=BOX, day=gym.day, time="20:00", capacity=len(gym.visitors)
    )
    faults = {Endpoint.BOOK: FaultSpec(lost_answer=lost_answers, lost_answer_hold=lost_answer_hold)}
    latency = dict(LATENCY)
    late = round(late_landings * LATE_SHARE_STEPS)
    if late:
        samples = [late_landing_delay] * late + [0.0] * (LATE_SHARE_STEPS - late)
        inbound = Empirical(samples=samples)
        latency[Endpoint.BOOK] = LATENCY[Endpoint.BOOK].model_copy(update={"inbound": inbound})
    return MockConfig(users=accounts, classes=[visitors_class], latency=latency, faults=faults)


def class_opens_at(plan: RunPlan, index: int, *, start: Instant) -> Instant:
    """When class ``index`` opens: from ``window_opens_after`` on, over ``window_spread``."""
    step = plan.window_spread / max(1, plan.classes - 1)
    return start + plan.window_opens_after + index * step


def open_classes(plan: RunPlan, gym: Gym, mock_url: str, *, start: Instant) -> None:
    """Add the prebooked classes to the mock, each with its window opening during the run."""
    specs = [
        ClassSpec(
            id=class_id,
            box=BOX,
            day=gym.day,
            time="07:00",
            capacity=len(gym.athletes),
            opens_at=class_opens_at(plan, index, start=start),
        ).model_dump(mode="json")
        for index, class_id in enumerate(gym.class_ids)
    ]
    httpx.post(
        f"{mock_url}/_admin/classes", json=specs, timeout=10, verify=shared_tls()
    ).raise_for_status()


def seed_prebookings(plan: RunPlan, gym: Gym, store: Store, *, start: Instant) -> int:
    """``plan.prebookings`` prebookings, asked for an hour ago in a known order; how many."""
    news = []
    for n in range(plan.prebookings):
        index, athlete = divmod(n, plan.per_class)
        opens = class_opens_at(plan, index, start=start)
        news.append(
            NewPrebooking(
                id=PrebookingId(f"load-{index:04d}-{athlete:03d}"),
                user=gym.athletes[athlete],
                class_id=gym.class_ids[index],
                day=gym.day,
                box=BOX,
                available_at=opens,
                created_at=start - 3600 + n * 0.001,
            )
        )
    return len(store.add(news))


def log_in(gym: Gym, store: Store, mock_url: str) -> None:
    """Real JSON logins of every athlete through the mock; the cookies go to the store."""
    log_in_all(store, mock_url, gym.athletes, password=PASSWORD)
