"""``MockVisitor``: load on the mock AimHarder itself, the way a booking app uses it.

Each visitor logs in (JSON login, mock_aimharder/API.md), then lists the day's classes and
books its class; when it got a place it cancels it again so the next booking has room. Any
non-200 answer, and a booking answer without ``bookState``, is a failure. They book a class
of their own, so they never touch the prebookings the check judges.
"""

from __future__ import annotations

import itertools
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

from harness.measures import holds_place
from loadtests.locustfiles.members import log_in
from loadtests.locustfiles.options import add_options, parsed, set_exit_code

__all__ = ["MockVisitor", "add_options", "set_exit_code", "set_visitor_count"]

_turns = itertools.count()


@events.init.add_listener  # type: ignore[untyped-decorator]  # locust's EventHook is untyped
def set_visitor_count(environment: Environment, **_kwargs: Any) -> None:
    """As many visitors as ``--mock-visitors`` whatever the total (read by the dispatcher)."""
    MockVisitor.fixed_count = parsed(environment).mock_visitors


class MockVisitor(HttpUser):
    fixed_count = 1
    wait_time = between(0.1, 0.4)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.base = str(options.mock_url or self.host).rstrip("/")
        self.day = options.visitor_day
        self.box = options.visitor_box
        self.class_id = options.visitor_class
        accounts = [a for a in options.visitor_accounts.split(",") if a]
        email = accounts[next(_turns) % len(accounts)]
        log_in(
            self, base=self.base, email=email, password=options.visitor_password, name="mock login"
        )

    @task(3)
    def list_classes(self) -> None:
        query = {"day": self.day, "box": self.box, "familyId": ""}
        with self.client.get(
            f"{self.base}/api/bookings", params=query, name="mock list", catch_response=True
        ) as response:
            if not response.ok or "bookings" not in response.json():
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    @task(1)
    def book_and_cancel(self) -> None:
        form = {"id": self.class_id, "day": self.day, "insist": 0, "box": self.box}
        with self.client.post(
            f"{self.base}/api/book", data=form, name="mock book", catch_response=True
        ) as response:
            answer = response.json() if response.ok else {}
            if "bookState" not in answer:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
        if holds_place(answer["bookState"]) and answer.get("id"):
            with self.client.post(
                f"{self.base}/api/cancelBook",
                data={"id": answer["id"], "late": 0, "box": self.box},
                name="mock cancel",
                catch_response=True,
            ) as response:
                if not response.ok or response.json().get("cancelState") != 1:
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
