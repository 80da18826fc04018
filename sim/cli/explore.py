"""``python -m sim explore``: the real core through many seeded worlds full of faults, every
guarantee checked after each run (``sim.experiments.explore``); ``--replay SEED`` runs one world
again and prints its timeline. Exit 1 when a guarantee broke, 2 on bad input."""

from __future__ import annotations

import argparse
from typing import Any

from commandline.conventions import add_command, add_verbosity, seed
from commandline.durations import duration
from commandline.progress import stages
from commandline.suggestions import closest, plainly
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy_names
from sim.experiments.executors import add_executor_arguments, check_executor, open_executor
from sim.experiments.explore import MAX_RUNS, MAX_SECONDS, explore, judge, run_world
from sim.experiments.guarantees import Violation
from sim.experiments.shrink import shrink
from sim.experiments.worlds import World, draw, parse, token
from sim.faults import FAULTS
from sim.model.replication import Replication

__all__ = ["add_explore_parser", "run_explore", "timeline"]

DEFAULT_RUNS = 200
SHOWN_VIOLATIONS = 10  # a failure's violations printed; the replay prints them all


def add_explore_parser(commands: Any) -> None:
    command = add_command(
        commands,
        "explore",
        help="seeded worlds full of faults, every guarantee checked",
        description="Run the real scheduler core through many simulated worlds full of faults\n"
        "(lost answers, kills, late landings...) and check every guarantee after each.\n"
        "A failure is reduced to a small world and printed with a --replay token.\n"
        "Exit 1 when a guarantee broke.",
        example="--time 60s",
    )
    command.set_defaults(typed=command.prog)  # the replay lines name the command as typed
    budget = command.add_mutually_exclusive_group()
    budget.add_argument(
        "--runs",
        type=int,
        metavar="N",
        help=f"worlds to run (default: {DEFAULT_RUNS}; at most {MAX_RUNS})",
    )
    budget.add_argument(
        "--time",
        type=duration,
        metavar="DURATION",
        help="run worlds for this long instead (seconds, or 60s, 5m)",
    )
    command.add_argument("--seed", type=seed, default=1, metavar="N", help="the exploration's seed")
    command.add_argument(
        "--faults",
        default="all",
        metavar="NAMES",
        help=f"faults to draw: all, none, or a comma list of {plainly(FAULTS)}",
    )
    command.add_argument(
        "--strategy",
        default="all",
        metavar="NAMES",
        help=f"strategies to draw: all, or a comma list of {plainly(strategy_names())}",
    )
    command.add_argument(
        "--replay",
        metavar="SEED",
        help="run one world again (a seed printed by a failure, reduced or not) with its timeline",
    )
    add_executor_arguments(command)
    add_verbosity(command)


def _chosen(text: str, known: tuple[str, ...] | list[str], flag: str, *, none: bool) -> list[str]:
    if text == "all":
        return list(known)
    if none and text == "none":
        return []
    names = [name.strip() for name in text.split(",") if name.strip()]
    wrong = [name for name in names if name not in known]
    if wrong or not names:
        expected = plainly(["all", *(["none"] if none else []), *known])
        guess = closest(wrong[0], known) if wrong else None
        hint = "" if guess is None else f"; did you mean {guess!r} for {wrong[0]!r}?"
        raise ConfigurationError(
            f"{flag} {text!r}; expected one of {expected} or a comma list{hint}"
        )
    return names


def run_explore(args: argparse.Namespace) -> int:
    faults = _chosen(args.faults, FAULTS, "--faults", none=True)
    strategies = _chosen(args.strategy, strategy_names(), "--strategy", none=False)
    if args.runs is not None and not 1 <= args.runs <= MAX_RUNS:
        raise ConfigurationError(
            f"--runs {args.runs}; expected a whole number from 1 to {MAX_RUNS}"
        )
    if args.time is not None and not 0 < args.time <= MAX_SECONDS:
        raise ConfigurationError(f"--time {args.time:g} s; expected more than 0, at most 24h")
    check_executor(args.executor, processes=args.processes)
    if args.replay is not None:
        return _replay(parse(args.replay, strategies=strategies, faults=faults))
    runs = DEFAULT_RUNS if args.runs is None and args.time is None else args.runs
    with open_executor(args.executor, processes=args.processes) as pool:
        found = explore(
            seed=args.seed,
            runs=runs,
            seconds=args.time,
            strategies=strategies,
            faults=faults,
            executor=pool,
            progress=stages(not args.quiet),
        )
    workers = 1 if args.executor == "inline" else args.processes
    rate = found.runs / found.seconds if found.seconds > 0 else 0.0
    print(
        f"explore: {found.runs} runs in {found.seconds:.1f} s: {rate:.1f} runs/s "
        f"({rate / workers:.1f} per process, {workers} process(es)); seed {args.seed}"
    )
    if found.failure is None:
        print("every guarantee held")
        return 0
    failed = found.failure
    _print_violations(f"run {failed.run} broke", failed.violations)
    print(f"world {failed.world.seed}: {failed.world.describe()}")
    reduced = shrink(failed.world, failed.violations[0].guarantee, judge)
    drawn = draw(failed.world.seed, strategies=strategies, faults=faults)
    print(f"reduced in {reduced.tries} tries to: {reduced.world.describe()}")
    flags = _flags(args)
    typed = getattr(args, "typed", "python -m sim explore")
    print(f"replay: {typed}{flags} --replay {token(failed.world, drawn)}")
    print(f"replay reduced: {typed}{flags} --replay {token(reduced.world, drawn)}")
    return 1


def _flags(args: argparse.Namespace) -> str:
    """The options a replay needs to draw the same world: the faults and strategies asked."""
    flags = "" if args.faults == "all" else f" --faults {args.faults}"
    return flags + ("" if args.strategy == "all" else f" --strategy {args.strategy}")


def _print_violations(heading: str, violations: tuple[Violation, ...]) -> None:
    guarantees = sorted({v.guarantee.value for v in violations})
    print(f"{heading}: {'; '.join(guarantees)}")
    for violation in violations[:SHOWN_VIOLATIONS]:
        involved = ", ".join(violation.prebookings) or "-"
        print(f"  {violation.guarantee.value}: {involved}: {violation.detail}")
    if len(violations) > SHOWN_VIOLATIONS:
        print(f"  ... and {len(violations) - SHOWN_VIOLATIONS} more")


def _replay(world: World) -> int:
    replication, violations = run_world(world)
    print(f"world {world.seed}: {world.describe()}")
    print(f"journal sha256 {replication.journal_hash}")
    for line in timeline(replication):
        print(line)
    if not violations:
        print("every guarantee held")
        return 0
    _print_violations("broke", violations)
    return 1


def timeline(replication: Replication) -> list[str]:
    """Everything that happened in the run, by time (the model's clock): invocations, faults,
    requests sent and heard, AimHarder's processing, then where every prebooking ended."""
    evidence = replication.evidence
    events: list[tuple[float, int, str]] = []
    for record in replication.invocations:
        events.append((record.started_at, 0, f"{record.instance_id} starts"))
        end = "killed" if record.killed else "duplicate" if record.duplicate else "answers"
        events.append((record.ended_at, 4, f"{record.instance_id} {end} ({record.status})"))
    for entry in replication.journal:
        state = entry.book_state
        events.append((entry.processed_wall, 2, f"AimHarder #{entry.seq} {entry.user}: {state}"))
    if evidence is not None:
        for struck in evidence.struck:
            events.append(
                (struck.at, 1, f"fault {struck.fault} on {struck.subject} {struck.detail}")
            )
        for e in evidence.exchanges:
            events.append((e.sent_at, 1, f"{e.instance_id} sends {e.request} {e.prebooking_id}"))
            if e.heard_at is not None:
                place = ", holds the place" if e.holds_place else ""
                line = f"{e.instance_id} hears {e.request} {e.prebooking_id}: {e.heard}{place}"
                events.append((e.heard_at, 3, f"{line} ({e.detail or 'ok'})"))
    lines = [f"{at:10.3f}  {what}" for at, _, what in sorted(events)]
    if evidence is not None:
        for row in evidence.rows:
            lines.append(f"end  {row.id} {row.status.value} after {row.attempts} attempt(s)")
    return lines
