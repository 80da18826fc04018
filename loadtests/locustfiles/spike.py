"""``WindowSpike``: the load of the minute a booking window opens.

Production's cron calls once a minute, with jitter and retries; many users' prebookings
becoming ready at the same instant is when invocations pile up. The shape: a quarter of the
users (at least the fixed ones plus one caller) until shortly before ``--spike-at``, all of
``--users`` for ``--spike-hold`` seconds from it, a quarter again until ``--run-time``, then
stop (``tick`` returns None). ``use_common_options`` keeps ``--users``, ``--spawn-rate`` and
``--run-time`` in force (locust's "custom load shape" docs), so ``--run-time`` also stops it.
"""

from __future__ import annotations

import time

from locust import LoadTestShape

from loadtests.locustfiles.options import parsed
from loadtests.shape import spike_users

__all__ = ["WindowSpike"]


class WindowSpike(LoadTestShape):
    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        if self.runner is None:
            raise RuntimeError("the shape ticked before locust gave it a runner")
        options = parsed(self.runner.environment)
        wanted = spike_users(
            time.perf_counter() - self.start_time,  # get_run_time(), which is untyped
            peak=int(options.num_users),
            floor=options.mock_visitors + 2,
            spike_at=options.spike_at,
            hold=options.spike_hold,
            end=float(options.run_time or 0),
        )
        return None if wanted is None else (wanted, float(options.spawn_rate))
