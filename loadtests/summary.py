"""What a run measured, read back from locust's CSV files, and the run's summary.

locust writes ``<prefix>_stats.csv`` (one row per request name, with percentiles),
``<prefix>_failures.csv`` (one row per distinct error) and ``<prefix>_stats_history.csv``
(the user count over time); the columns are locust's own (``locust.stats``). The summary is
the measurements plus the check's verdict, as JSON and as a rich table.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from loadtests.check import MAX_DURATION, Verdict, ViolationKind
from loadtests.locustfiles import ACCEPTED_UNAUTHORIZED, CRON_REQUEST, INTRUDER_REQUEST

__all__ = [
    "SHOWN",
    "RequestStats",
    "Summary",
    "accepted_without_secret",
    "peak_users",
    "read_requests",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestStats:
    """One request name's row of ``_stats.csv``; times in milliseconds (None: no request)."""

    name: str
    count: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    rps: float


SHOWN = 3  # violations of one kind printed; summary.json has them all


def _number(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


def read_requests(prefix: Path) -> dict[str, RequestStats]:
    """Every row of ``<prefix>_stats.csv`` by request name (the total row is ``Aggregated``)."""
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {
            row["Name"]: RequestStats(
                name=row["Name"],
                count=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
                max_ms=_number(row["Max Response Time"]),
                rps=float(row["Requests/s"]),
            )
            for row in csv.DictReader(handle)
        }


def accepted_without_secret(prefix: Path) -> int:
    """How many intruder calls were accepted, from ``<prefix>_failures.csv``."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return 0
    with path.open(newline="") as handle:
        return sum(
            int(row["Occurrences"])
            for row in csv.DictReader(handle)
            if row["Name"] == INTRUDER_REQUEST and row["Error"].startswith(ACCEPTED_UNAUTHORIZED)
        )


def peak_users(prefix: Path) -> int:
    """The most users locust had running at once, from ``<prefix>_stats_history.csv``."""
    path = Path(f"{prefix}_stats_history.csv")
    if not path.exists():
        return 0
    with path.open(newline="") as handle:
        return max((int(row["User Count"]) for row in csv.DictReader(handle)), default=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """One run: its options, what locust measured, and the verdict; ``ok`` when all passed."""

    plan: dict[str, Any]
    store: str
    locust_exit_code: int
    peak_users: int
    peak_cron_users: int
    requests: dict[str, RequestStats]
    verdict: Verdict
    seconds: float
    too_short: bool = False  # every overdue prebooking opened too near the end to be taken
    enough_run_time: int = 0  # seconds of run time that leave the last window one limit

    @property
    def ok(self) -> bool:
        return self.locust_exit_code == 0 and self.verdict.ok

    def reason(self) -> str:
        """Why the run passed or failed, in one line."""
        verdict = self.verdict
        if self.ok:
            return (
                f"all {verdict.ready} ready prebookings booked once, none stuck, no intruder let in"
            )
        found = [f"{verdict.count(k)} {k.value}" for k in ViolationKind if verdict.count(k)]
        if self.locust_exit_code:
            found.append(f"locust exited with {self.locust_exit_code} (failed requests)")
        text = ", ".join(found)
        if self.too_short:
            text += (
                f"; the run was too short for its windows: the overdue ones opened under "
                f"{MAX_DURATION:g} s (one invocation's limit) before it ended; try "
                f"--run-time {self.enough_run_time}s or more"
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "plan": self.plan,
            "store": self.store,
            "locust_exit_code": self.locust_exit_code,
            "peak_users": self.peak_users,
            "peak_cron_users": self.peak_cron_users,
            "requests": {name: asdict(stats) for name, stats in self.requests.items()},
            "check": self.verdict.to_json(),
            "seconds": round(self.seconds, 2),
            "too_short": self.too_short,
            "reason": self.reason(),
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    def print(self, console: Console) -> None:
        """The requests, the check and the verdict, each within 80 columns; the verdict last."""
        requests = Table(
            title=f"locust requests (peak {self.peak_users} users)", box=box.SIMPLE_HEAD
        )
        for column in ("request", "count", "failed", "p50 ms", "p95 ms", "p99 ms", "req/s"):
            requests.add_column(column, justify="left" if column == "request" else "right")
        for stats in self.requests.values():
            requests.add_row(
                stats.name,
                str(stats.count),
                str(stats.failures),
                *(_ms(v) for v in (stats.p50_ms, stats.p95_ms, stats.p99_ms)),
                f"{stats.rps:.1f}",
            )
        console.print(requests)
        cron = self.requests.get(CRON_REQUEST)
        if cron is not None:
            console.print(
                f"cron invocations: {cron.count} by up to {self.peak_cron_users} callers, "
                f"p50 {_ms(cron.p50_ms)} ms, p95 {_ms(cron.p95_ms)} ms, "
                f"p99 {_ms(cron.p99_ms)} ms"
            )
        console.print(self._check_table())
        if self.verdict.heard:
            heard = ", ".join(f"{what} {n}" for what, n in sorted(self.verdict.heard.items()))
            console.print(f"the schedulers' history: {heard}", highlight=False)
        self._print_violations(console)
        word, style = ("PASSED", "bold green") if self.ok else ("FAILED", "bold red")
        console.print(f"[{style}]{word}[/{style}]: {self.reason()}", highlight=False)

    def _check_table(self) -> Table:
        """The counts and the violations side by side: two label-value pairs a row."""
        verdict = self.verdict
        counts = [
            ("prebookings", str(verdict.prebookings)),
            ("ready", str(verdict.ready)),
            ("booked once", str(verdict.booked_once)),
            ("places won", f"{verdict.places_won:.0%}"),
            ("outside placed", str(verdict.outside_placed)),
        ]
        found = [(k.value, str(verdict.count(k))) for k in ViolationKind]
        check = Table(title=f"check on {self.store}", box=box.SIMPLE_HEAD)
        for column, justify in (("counted", "left"), ("", "right"), ("violations", "left")):
            check.add_column(column, justify=justify)  # type: ignore[arg-type]
        check.add_column("", justify="right")
        for index in range(max(len(counts), len(found))):
            left = counts[index] if index < len(counts) else ("", "")
            right = found[index] if index < len(found) else ("", "")
            check.add_row(*left, *right)
        return check

    def _print_violations(self, console: Console) -> None:
        """At most ``SHOWN`` of each kind (all of them are in summary.json); none of the
        overdue ones when the run was too short, which the verdict says instead."""
        for kind in ViolationKind:
            if kind is ViolationKind.OVERDUE and self.too_short:
                continue
            listed = [v for v in self.verdict.violations if v.kind is kind]
            for violation in listed[:SHOWN]:
                console.print(
                    f"  {kind.value} {violation.subject}: {violation.detail}", highlight=False
                )
            if len(listed) > SHOWN:
                console.print(f"  ... {len(listed) - SHOWN} more {kind.value} in summary.json")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
