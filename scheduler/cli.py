"""``python -m scheduler``: serve the cron endpoint, invoke once, add prebookings, show status.

Every command takes ``--db`` and ``--aimharder-url`` (else ``DATABASE_URL`` / ``AIMHARDER_URL``,
else a local SQLite file and the mock on 127.0.0.1:8000), ``--strategy`` and each policy
parameter as a flag (``--gap``, ``--max-in-flight`` ...), generated from ``PolicyConfig``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from scheduler.app import create_app
from scheduler.client import AimHarderClient
from scheduler.core.domain import Prebooking, Session, UserId
from scheduler.core.errors import ConfigurationError, SchedulerError, TransportError
from scheduler.core.status import Status
from scheduler.core.strategies import PolicyConfig, strategy, strategy_names
from scheduler.importing import read_prebooking_file
from scheduler.invoke import invoke
from scheduler.settings import DEFAULT_MAX_DURATION, Settings
from scheduler.store import open_store

__all__ = ["INTERRUPTED", "main"]

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


def _optional_int(text: str) -> int | None:
    return None if text.lower() == "none" else int(text)


def _boolean(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}; expected true or false")


# How each PolicyConfig annotation reads from the command line.
_PARSERS: dict[str, Callable[[str], Any]] = {
    "int | None": _optional_int,
    "int": int,
    "Seconds": float,
    "float": float,
    "bool": _boolean,
}
POLICY_FIELDS = [f for f in dataclasses.fields(PolicyConfig) if f.name != "name"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite path or database URL (default: $DATABASE_URL)")
    parser.add_argument("--aimharder-url", help="AimHarder base URL (default: $AIMHARDER_URL)")
    parser.add_argument(
        "--strategy", default="sequential", help=f"one of {strategy_names()} (sequential)"
    )
    parser.add_argument(
        "--max-duration",
        type=float,
        help="the platform's hard limit in seconds (10); the budget unless --budget is given",
    )
    for field in POLICY_FIELDS:
        flag = "--" + field.name.replace("_", "-")
        parser.add_argument(flag, type=_PARSERS[str(field.type)], help=f"policy: {field.type}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the cron endpoint (needs CRON_SECRET)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    commands.add_parser("invoke", help="one invocation now; its JSON answer on stdout")
    add = commands.add_parser("add", help="enqueue prebookings from a JSON or CSV file")
    add.add_argument("file", help="path, or - for standard input")
    add.add_argument("--format", choices=["json", "csv"], help="default: by the file's suffix")
    status = commands.add_parser("status", help="prebookings by status")
    status.add_argument("--rows", type=int, default=20, help="how many rows to list (20)")
    login = commands.add_parser("login", help="log a user in and store the session")
    login.add_argument("--user", required=True)
    login.add_argument("--password", required=True)
    for command in commands.choices.values():
        _common(command)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {f.name: getattr(args, f.name) for f in POLICY_FIELDS}
    limit = DEFAULT_MAX_DURATION if args.max_duration is None else args.max_duration
    given = {k: v for k, v in overrides.items() if v is not None}
    policy = strategy(args.strategy, max_duration=limit, **given)
    return Settings.from_environment(
        database_url=args.db, aimharder_url=args.aimharder_url, policy=policy, max_duration=limit
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)
    try:
        settings = settings_from(args)
        return _run(args, settings)
    except SchedulerError as exc:
        console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        return 2
    except KeyboardInterrupt:
        return INTERRUPTED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
        return 0
    if args.command == "add":  # the whole file is read and checked before the store is opened
        news = read_prebooking_file(args.file, fmt=args.format, now=time.time())
        with open_store(settings.database_url) as store:
            print(f"added {len(store.add(news))} prebookings")
        return 0
    with open_store(settings.database_url) as store:
        if args.command == "invoke":
            answer = asyncio.run(invoke(settings, store))
            print(json.dumps(answer.body, indent=2))
            return 0 if answer.status == 200 else 1
        if args.command == "login":
            session = asyncio.run(_login(settings, UserId(args.user), args.password))
            store.save_session(session, time.time())
            print(f"session stored for {args.user}")
            return 0
        _print_status(store.counts(), store.list()[: args.rows])
        return 0


async def _login(settings: Settings, user: UserId, password: str) -> Session:
    async with httpx.AsyncClient() as http:
        try:
            return await AimHarderClient(http, base_url=settings.aimharder_url).login(
                user, password
            )
        except TransportError as exc:
            raise ConfigurationError(
                f"AimHarder at {settings.aimharder_url} did not answer: {exc}; expected it "
                "reachable there (--aimharder-url or AIMHARDER_URL)"
            ) from None


def _print_status(counts: dict[Status, int], rows: list[Prebooking]) -> None:
    console = Console()
    summary = Table(title="prebookings by status")
    for status in Status:
        summary.add_column(status.value, justify="right")
    summary.add_row(*(str(counts[s]) for s in Status))
    console.print(summary)
    listing = Table(title=f"first {len(rows)} by created_at")
    for column in ("id", "user", "class", "day", "available_at", "status", "attempts", "error"):
        listing.add_column(column)
    for p in rows:
        listing.add_row(
            p.id,
            p.user,
            str(p.class_id),
            p.day,
            _utc(p.available_at),
            p.status.value,
            str(p.attempts),
            p.error or "",
        )
    console.print(listing)


def _utc(instant: float) -> str:
    """``instant`` as a UTC time, or as the raw number when no calendar holds it (a row
    written by hand or by an older version: the listing must still show it)."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(instant))
    except (OverflowError, OSError, ValueError):
        return repr(instant)
