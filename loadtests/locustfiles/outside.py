"""``OutsideMember``: other members booking the prebooked classes while the schedulers do.

In the world the bot lives in, its users never have a class to themselves: other members and
other bots book the same class the moment its window opens. Each outside member logs in with an
account of its own (``@outside.example``, so the check can tell them from ours) and keeps trying
to book the run's prebooked classes, one chosen at random per try, and keeps what it gets: it
takes places from our users. Before a window opens AimHarder answers "too early" and after a
place is held "already booked"; both are answers, not failures. Any non-200 answer or one
without ``bookState`` is a failure.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

from loadtests.locustfiles.members import log_in
from loadtests.locustfiles.options import add_options, parsed, set_exit_code

__all__ = ["OutsideMember", "add_options", "set_exit_code", "set_outside_count"]

_turns = itertools.count()


@events.init.add_listener  # type: ignore[untyped-decorator]  # locust's EventHook is untyped
def set_outside_count(environment: Environment, **_kwargs: Any) -> None:
    """As many outside members as ``--outside-members`` whatever the total."""
    OutsideMember.fixed_count = parsed(environment).outside_members


class OutsideMember(HttpUser):
    fixed_count = 1
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.base = str(options.mock_url or self.host).rstrip("/")
        self.day = options.visitor_day
        self.box = options.visitor_box
        self.classes = [int(c) for c in options.outside_classes.split(",") if c]
        turn = next(_turns)  # one per member: its own account and its own choices
        self.random = random.Random(turn)
        accounts = [a for a in options.outside_accounts.split(",") if a]
        email = accounts[turn % len(accounts)]
        log_in(
            self,
            base=self.base,
            email=email,
            password=options.visitor_password,
            name="outside login",
        )

    @task
    def book(self) -> None:
        class_id = self.random.choice(self.classes)
        form = {"id": class_id, "day": self.day, "insist": 0, "box": self.box}
        with self.client.post(
            f"{self.base}/api/book", data=form, name="outside book", catch_response=True
        ) as response:
            answer = response.json() if response.ok else {}
            if "bookState" not in answer:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
