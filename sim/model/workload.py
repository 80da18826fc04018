"""The prebookings a run starts with: classes, their window openings, who asked and when.

Windows open on whole minutes (classes start on the hour or half hour and the window is a whole
number of days before: mock_aimharder/API.md), from t = 60 s, ``classes_per_minute`` at a time.
Every class gets ``load`` prebookings from distinct users, asked for at random moments of the
day before, and ``capacity_ratio * load`` places, so that spots are scarce when the ratio < 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mock_aimharder.model.config import ClassSpec, UserAccount
from mock_aimharder.model.outside import OutsideDemand
from scheduler.core.domain import PrebookingId, UserId
from scheduler.store import NewPrebooking
from sim.scenario import Workload

__all__ = ["DAY", "Plan", "places", "plan"]

DAY = "20261130"
FIRST_CLASS_ID = 1000
BOX = 1
SIM_PASSWORD = "sim"  # simulated accounts never log in over a network  # noqa: S105


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    prebookings: list[NewPrebooking]
    classes: list[ClassSpec]
    users: list[UserAccount]
    openings: dict[int, float]  # class id -> the instant its window opens (available_at)

    @property
    def last_opening(self) -> float:
        return max(self.openings.values())


def places(load: int, capacity_ratio: float) -> int:
    """A class's places for ``load`` prebookings: the ratio's share, rounded down, at least one."""
    return max(1, math.floor(load * capacity_ratio))


def plan(
    workload: Workload,
    *,
    load: int,
    rng: np.random.Generator,
    window_skew: float,
    outside: OutsideDemand | None = None,
) -> Plan:
    prebookings: list[NewPrebooking] = []
    classes: list[ClassSpec] = []
    users: list[UserAccount] = []
    openings: dict[int, float] = {}
    capacity = places(load, workload.capacity_ratio)
    for minute in range(workload.minutes):
        opening = 60.0 * (minute + 1)
        for slot in range(workload.classes_per_minute):
            class_id = FIRST_CLASS_ID + minute * workload.classes_per_minute + slot
            openings[class_id] = opening
            classes.append(
                ClassSpec(
                    id=class_id,
                    box=BOX,
                    day=DAY,
                    time="07:00",
                    capacity=capacity,
                    waitlist=workload.waitlist,
                    opens_at=opening + window_skew,
                    outside=outside or OutsideDemand(),
                )
            )
            asked = opening - rng.uniform(0.0, workload.created_spread, size=load)
            for n, created_at in enumerate(asked):
                user = f"u{class_id}-{n:03d}@sim.example"
                users.append(UserAccount(email=user, password=SIM_PASSWORD, id=len(users) + 1))
                prebookings.append(
                    NewPrebooking(
                        id=PrebookingId(f"c{class_id}-{n:03d}"),
                        user=UserId(user),
                        class_id=class_id,
                        day=DAY,
                        box=BOX,
                        available_at=opening,
                        created_at=float(created_at),
                    )
                )
    return Plan(prebookings=prebookings, classes=classes, users=users, openings=openings)
