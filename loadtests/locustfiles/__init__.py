"""The locust files of the load runs (run by locust in its own process, never imported here).

    cron.py      CronCaller: POSTs the cron endpoint with the secret, spread over the schedulers;
                 Intruder: calls it without (or with a wrong) secret, where any 2xx is a failure
    mock.py      MockVisitor: logs in to the mock AimHarder, lists classes, books and cancels
    outside.py   OutsideMember: books the prebooked classes as another member, keeps its place
    members.py   the login the two share
    spike.py     WindowSpike: few users, all of them around the minute a window opens, few again
    options.py   the command-line options the files share (``--cron-secret``, ...) and the
                 exit code (``environment.process_exit_code``) they set

Importing any of them imports locust, which monkeypatches the standard library with gevent:
this package's ``__init__`` imports none of them, and ``loadtests.run`` starts locust as a
subprocess with their paths.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ACCEPTED_UNAUTHORIZED",
    "CRON_BUSY_REQUEST",
    "CRON_PATH",
    "CRON_REQUEST",
    "FOLDER",
    "INTRUDER_REQUEST",
]

FOLDER = Path(__file__).parent
CRON_PATH = "/api/cron/prebooking-scheduler"  # scheduler.app.CRON_PATH (a test keeps them equal)
CRON_REQUEST = "cron"
"""The name locust reports the cron calls under (stats and CSV rows)."""
CRON_BUSY_REQUEST = "cron busy"
"""The calls a scheduler refused at once, all its invocations taken (503 ``busy``): the
trigger retries them, so they are no failure, but they are counted apart from the runs."""
INTRUDER_REQUEST = "cron without secret"
ACCEPTED_UNAUTHORIZED = "accepted without the secret"
"""How a failure of an intruder's call that was accepted begins (in ``*_failures.csv``)."""
