"""One load run, start to verdict: the mock, N schedulers on one database, locust, the check.

Order: the mock AimHarder (its own process), the store (schema and the athletes' sessions,
logged in through the mock), N ``python -m scheduler serve`` processes sharing the database,
the prebooked classes and their prebookings (windows opening during the run), locust headless
as a subprocess (never imported here: it monkeypatches with gevent), then, once the in-flight
invocations have ended and every lease the run left has run out, the cron called once more
(so that an unknown outcome is settled as the next minute's call would; with late landings,
first once with every place held, then again once the late requests have landed:
``loadtests.late``), then the check of the
journal and the schedulers' history (``history-<n>.jsonl``: what they sent and heard) against
the store, written as ``summary.json`` (and with ``--html`` on top of locust's page:
``loadtests.verdict_page``). Everything started is stopped on the way out (``Children``),
whatever happened.
"""

from __future__ import annotations

import json
import math
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from harness.children import HOST, free_port, mock_command
from harness.journal import journal_entries
from harness.measures import Attempt, attempts
from harness.tls import shared_tls
from loadtests.check import MAX_DURATION, judge, too_short
from loadtests.errors import StartupError
from loadtests.gym import (
    BOX,
    PASSWORD,
    VISITOR_CLASS,
    Gym,
    log_in,
    mock_config,
    open_classes,
    seed_prebookings,
)
from loadtests.late import held_places
from loadtests.locustfiles import FOLDER
from loadtests.plan import RunPlan
from loadtests.preflight import check_out, check_store
from loadtests.processes import Children
from loadtests.progress import Progress
from loadtests.summary import Summary, accepted_without_secret, peak_users, read_requests
from loadtests.verdict_page import write_page
from scheduler.core.exchange import Exchange, exchanges
from scheduler.core.status import Status
from scheduler.core.strategies import strategy
from scheduler.settings import CRON_PATH
from scheduler.store import Store, display_url, normalize_url, open_store

__all__ = ["LOCUST_STARTUP", "STARTUP_TIMEOUT", "run", "store_url"]

STARTUP_TIMEOUT = 30.0  # seconds for one child to come up on a busy two-core machine
LOCUST_STARTUP = 1.5  # seconds from starting locust to its first user, measured roughly here
SETTLE_POLL = 0.2
SETTLE_CALLS = 3  # cron calls after the run at most: unknown rows settled, the rest taken up


def store_url(plan: RunPlan) -> str:
    """``--db``, or a fresh SQLite file in the output folder (any old one is removed)."""
    if plan.db is not None:
        return plan.db
    path = plan.out / "store.sqlite"
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path.resolve()}"


def run(plan: RunPlan, progress: Progress) -> Summary:
    """Run ``plan``, telling ``progress`` each phase; the summary is also written to
    ``out/summary.json``."""
    began = time.monotonic()
    check_out(plan.out)
    for index in range(plan.schedulers):
        _history_file(plan, index).unlink(missing_ok=True)
    db = store_url(plan)
    check_store(db)
    secret = secrets.token_hex(32)
    gym = Gym.for_plan(plan, now=time.time())
    prefix = plan.out / "locust"
    with Children(plan.out / "logs") as children:
        config = plan.out / "mock.json"
        faults = {"lost_answers": plan.lost_answers, "lost_answer_hold": plan.lost_answer_hold}
        late = {"late_landings": plan.late_landings, "late_landing_delay": plan.late_landing_delay}
        config.write_text(mock_config(gym, **faults, **late).model_dump_json())
        progress.phase("starting the mock AimHarder")
        mock_url = _start_mock(children, config, seed=plan.seed)
        with open_store(db) as store:
            progress.phase(f"logging in {len(gym.athletes)} athletes on {display_url(db)}")
            log_in(gym, store, mock_url)
            progress.phase(f"starting {plan.schedulers} schedulers ({plan.strategy})")
            urls = _start_schedulers(children, plan, db=db, mock_url=mock_url, secret=secret)
            start = time.time() + LOCUST_STARTUP
            progress.phase(
                f"seeding {plan.prebookings} prebookings in {plan.classes} classes; windows "
                f"open {plan.window_opens_after:g}-{plan.last_window_opens:g} s into the run"
            )
            open_classes(plan, gym, mock_url, start=start)
            seed_prebookings(plan, gym, store, start=start)
            progress.phase(
                f"running locust for {plan.run_time:g} s, {plan.users} users at the peak"
            )
            code = _run_locust(
                children,
                plan,
                gym=gym,
                urls=urls,
                mock_url=mock_url,
                secret=secret,
                prefix=prefix,
                progress=progress,
            )
            ended = time.time()
            progress.phase("waiting for the invocations in flight")
            _settle(store)
            lease = _lease(plan)
            if plan.late_landings:
                _refused_while_late(
                    plan, store, progress, url=urls[0], secret=secret, mock_url=mock_url, gym=gym
                )
            progress.phase("calling once more after the leases, to settle unknown answers")
            _call_after_the_leases(store, urls[0], secret, lease=lease)
            progress.phase("checking the mock's journal against the store")
            attempts = _attempts(mock_url)
            rows = store.list()
            verdict = judge(
                rows,
                attempts,
                now=time.time(),  # after the last calls: every window opened long before
                lease=lease,
                heard=_heard(plan),
                unauthorized_accepted=accepted_without_secret(prefix),
            )
    peak = peak_users(prefix)
    summary = Summary(
        plan={k: str(v) if isinstance(v, Path) else v for k, v in _fields(plan).items()},
        store=display_url(normalize_url(db)),
        locust_exit_code=code,
        peak_users=peak,
        peak_cron_users=max(0, peak - plan.fixed_users),
        requests=read_requests(prefix),
        verdict=verdict,
        seconds=time.monotonic() - began,
        too_short=too_short(rows, now=ended),
        enough_run_time=math.ceil(plan.last_window_opens + MAX_DURATION),
    )
    summary.write(plan.out / "summary.json")
    if plan.html is not None:  # locust's page, with the verdict on top (``verdict_page``)
        write_page(plan.html, summary)
    return summary


def _lease(plan: RunPlan) -> float:
    """The schedulers' lease, as they compute it from the flags they are given."""
    policy = strategy(
        plan.strategy,
        max_duration=MAX_DURATION,
        budget=plan.budget,
        lease_slack=plan.lease_slack,
    )
    return policy.lease


def _fields(plan: RunPlan) -> dict[str, object]:
    return {name: getattr(plan, name) for name in plan.__dataclass_fields__}


def _start_mock(children: Children, config: Path, *, seed: int) -> str:
    mock = children.start("mock", mock_command(config, seed=seed))
    return children.url(mock, timeout=STARTUP_TIMEOUT)


def _start_schedulers(
    children: Children, plan: RunPlan, *, db: str, mock_url: str, secret: str
) -> list[str]:
    started = []
    for index in range(plan.schedulers):  # all start at once, then each is waited for
        command = [sys.executable, "-m", "scheduler", "serve", "--host", HOST, "--port", "0"]
        command += ["--db", db, "--aimharder-url", mock_url, "--strategy", plan.strategy]
        command += ["--budget", repr(plan.budget), "--lease-slack", repr(plan.lease_slack)]
        command += ["--history", str(_history_file(plan, index))]
        started.append(children.start(f"scheduler{index}", command, env={"CRON_SECRET": secret}))
    return [children.url(server, timeout=STARTUP_TIMEOUT) for server in started]


def _locust_options(plan: RunPlan, gym: Gym, urls: list[str], mock_url: str) -> list[str]:
    files = ["cron.py", *(["mock.py"] if plan.mock_visitors else [])]
    files += ["outside.py"] if plan.outside_members else []
    files += ["spike.py"] if plan.shape == "spike" else []
    return [
        *("-f", ",".join(str(FOLDER / f) for f in files)),
        *("--host", urls[0], "--scheduler-urls", ",".join(urls), "--mock-url", mock_url),
        *("--mock-visitors", str(plan.mock_visitors), "--visitor-class", str(VISITOR_CLASS)),
        *("--visitor-day", gym.day, "--visitor-box", str(BOX)),
        *("--visitor-accounts", ",".join(gym.visitors), "--visitor-password", PASSWORD),
        *("--outside-members", str(plan.outside_members)),
        *("--outside-classes", ",".join(map(str, gym.class_ids))),
        *("--outside-accounts", ",".join(gym.outsiders)),
        *("--spike-at", str(plan.window_opens_after)),
        *("--spike-hold", str(round(plan.window_spread + 2.0, 3))),
    ]


def _run_locust(
    children: Children,
    plan: RunPlan,
    *,
    gym: Gym,
    urls: list[str],
    mock_url: str,
    secret: str,
    prefix: Path,
    progress: Progress,
) -> int:
    """Run locust headless (``plan.workers`` > 0: one master and that many workers)."""
    env = {"LOCUST_CRON_SECRET": secret}
    locust = [sys.executable, "-m", "locust"]
    options = _locust_options(plan, gym, urls, mock_url)
    command = [*locust, *options, "--headless", "--only-summary", "--loglevel", "WARNING"]
    command += ["-u", str(plan.users), "-r", str(plan.spawn_rate)]
    command += ["-t", f"{math.ceil(plan.run_time)}s", "--csv", str(prefix), "--csv-full-history"]
    command += ["--html", str(plan.html)] if plan.html is not None else []
    if plan.workers:
        port = free_port()
        command += ["--master", "--master-bind-host", HOST, "--master-bind-port", str(port)]
        command += ["--expect-workers", str(plan.workers), "--expect-workers-max-wait", "30"]
    master = children.start("locust", command, env=env).process
    for index in range(plan.workers):
        worker = [*locust, "-f", options[1], "--worker", "--master-host", HOST]
        worker += ["--master-port", str(port), "--loglevel", "WARNING"]
        children.start(f"locust-worker{index}", worker, env=env)
    limit = plan.run_time + STARTUP_TIMEOUT + 30
    try:
        return progress.wait_for_locust(
            master, prefix=prefix, run_time=plan.run_time, timeout=limit
        )
    except subprocess.TimeoutExpired:
        raise StartupError(f"locust did not finish within {limit:g} s; it was stopped") from None


def _settle(store: Store) -> None:
    """Wait (at most ``MAX_DURATION`` + 2 s) for invocations still in flight to end."""
    rounds = int((MAX_DURATION + 2) / SETTLE_POLL)
    for _ in range(rounds):
        if store.counts()[Status.EXECUTING] == 0:
            return
        time.sleep(SETTLE_POLL)


def _history_file(plan: RunPlan, index: int) -> Path:
    return plan.out / f"history-{index}.jsonl"


def _heard(plan: RunPlan) -> list[Exchange]:
    """Every scheduler's requests, from their history files."""
    notes = []
    for index in range(plan.schedulers):
        path = _history_file(plan, index)
        if path.exists():
            notes += [json.loads(line) for line in path.read_text().splitlines() if line]
    return exchanges(notes)


def _refused_while_late(
    plan: RunPlan,
    store: Store,
    progress: Progress,
    *,
    url: str,
    secret: str,
    mock_url: str,
    gym: Gym,
) -> None:
    """The issue's case: with every place held by another member, one call after the leases
    (the unknown ones are sent again and refused); the places given back; then a wait until
    every request sent so far has landed (the mock delays none longer)."""
    progress.phase("another member holds every place left; calling once more after the leases")
    lease = _lease(plan)
    with held_places(mock_url, gym.class_ids):
        _call_after_the_leases(store, url, secret, lease=lease, calls=1)
    progress.phase(f"the places given back; waiting {plan.late_landing_delay:g} s for late ones")
    time.sleep(plan.late_landing_delay + SETTLE_POLL)


def _call_after_the_leases(
    store: Store, url: str, secret: str, *, lease: float, calls: int = SETTLE_CALLS
) -> None:
    """Once the last lease the run left is over, call the cron as the next minute would, so that
    every unknown outcome is read from AimHarder's listing; at most ``calls`` calls."""
    for _ in range(calls):
        left = [p for p in store.list() if p.status in (Status.UNKNOWN, Status.EXECUTING)]
        if not left:
            return
        last = max(p.claimed_at or 0.0 for p in left)
        time.sleep(max(0.0, last + lease - time.time()) + SETTLE_POLL)  # the lease, no race
        headers = {"Authorization": f"Bearer {secret}"}
        httpx.post(url + CRON_PATH, headers=headers, timeout=MAX_DURATION + 5, verify=shared_tls())
        _settle(store)


def _attempts(mock_url: str) -> list[Attempt]:
    return attempts(journal_entries(mock_url))
