"""Cron callers: many invocations of the scheduler's endpoint at once, and intruders.

``CronCaller`` is the external cron and its retries: it POSTs the endpoint with
``Authorization: Bearer <secret>`` again and again, each user on one scheduler (round robin),
so the invocations overlap on the shared database. A scheduler with all its invocations taken
answers 503 ``busy`` at once; the trigger retries such a call, so it is reported apart
(``CRON_BUSY_REQUEST``), not as a failure. Anything else but 200 is a failure.

``Intruder`` calls without the secret, with a wrong one, and with the seed's ``Bearer
undefined``: every call must be refused with 401 (README: "answers 401 without the right
Authorization"); a 2xx fails with ``ACCEPTED_UNAUTHORIZED``, which fails the run.
"""

from __future__ import annotations

import itertools
import json

from locust import HttpUser, between, task

from loadtests.locustfiles import (
    ACCEPTED_UNAUTHORIZED,
    CRON_BUSY_REQUEST,
    CRON_PATH,
    CRON_REQUEST,
    INTRUDER_REQUEST,
)
from loadtests.locustfiles.options import add_options, set_exit_code

__all__ = ["CronCaller", "Intruder", "add_options", "set_exit_code"]

_turns = itertools.count()


def _scheduler_url(user: HttpUser) -> str:
    urls = [u for u in user.environment.parsed_options.scheduler_urls.split(",") if u]
    return (urls[next(_turns) % len(urls)] if urls else str(user.host)).rstrip("/")


class CronCaller(HttpUser):
    """One overlapping cron call after another, with the secret."""

    weight = 1
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.endpoint = _scheduler_url(self) + CRON_PATH
        secret = self.environment.parsed_options.cron_secret
        self.headers = {"Authorization": f"Bearer {secret}"}

    @task
    def invoke(self) -> None:
        with self.client.post(
            self.endpoint, headers=self.headers, name=CRON_REQUEST, catch_response=True, timeout=15
        ) as response:
            if response.status_code == 503 and _busy(response.text):
                response.request_meta["name"] = CRON_BUSY_REQUEST
                response.success()
                return
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            results = response.json().get("results")
            if not isinstance(results, dict) or "total" not in results:
                response.failure(f"no results in the answer: {response.text[:200]}")


def _busy(text: str) -> bool:
    """Whether an answer is the scheduler's "all invocations taken" refusal."""
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("busy") is True


WRONG_HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"Authorization": "Bearer undefined"},  # the seed's endpoint accepted this one
    {"Authorization": "Bearer not-the-secret"},
    {"Authorization": "Basic bm8tc2VjcmV0"},
)


class Intruder(HttpUser):
    """Calls the endpoint without the right secret; only a 401 is a success."""

    fixed_count = 1
    wait_time = between(0.1, 0.3)

    def on_start(self) -> None:
        self.endpoint = _scheduler_url(self) + CRON_PATH
        self.headers = itertools.cycle(WRONG_HEADERS)

    @task
    def intrude(self) -> None:
        with self.client.post(
            self.endpoint,
            headers=next(self.headers),
            name=INTRUDER_REQUEST,
            catch_response=True,
            timeout=15,
        ) as response:
            if 200 <= response.status_code < 300:
                response.failure(f"{ACCEPTED_UNAUTHORIZED}: HTTP {response.status_code}")
            elif response.status_code != 401:
                response.failure(f"HTTP {response.status_code}; expected 401")
            else:
                response.success()
