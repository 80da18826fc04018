"""``python -m sim replay RUN_ID [--scenario FILE] [--report DIR] [--json]``: one replication of a
report again, alone: its timeline (``sim.experiments.timeline``) and its verdict, or its journal's
lines; with ``--report``, whether its journal hash is the report's (``sim.experiments.replay``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from commandline.conventions import add_command
from scheduler.core.verdict import BOOKED, WAITLISTED
from sim.cli.arguments import add_scenario, scenario_from
from sim.experiments.replay import REPORTED, replay, reported_hash, run_id
from sim.experiments.timeline import Step, timeline
from sim.model.replication import Replication
from sim.selection import rules

__all__ = ["DIFFERS", "add_replay_parser", "run_replay", "timeline_lines", "verdict_line"]

DIFFERS = 1  # the exit code when the journal hash is not the report's

_EPILOG = f"""\
exit codes: 0 replayed (with --report: its journal hash is the report's);
{DIFFERS} with --report, its journal hash differs from the report's;
2 a bad run id, scenario or report folder."""


def add_replay_parser(commands: Any, default_scenario: Path) -> None:
    command = add_command(
        commands,
        "replay",
        help="rerun one replication of a report: its timeline, inversions marked, and verdict",
        description="Run one replication of a report again, alone, and print its timeline (each\n"
        "attempt with its created_at rank, inversions marked) and its verdict; with\n"
        "--report, say whether its journal hash is the one the report recorded.",
        epilog=_EPILOG,
        example="staggered/20/3@1 --report out/report-20261206-120000",
    )
    command.add_argument(
        "run_id",
        metavar="RUN_ID",
        help="strategy/load/replication@seed, as data/replications.json lists it, e.g. "
        "staggered/20/3@1 (its strategy, load and replication among the scenario's, or the "
        "report's with --report)",
    )
    add_scenario(command, default_scenario)
    command.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help=f"a report's folder (sim report --out): compare the journal hash with its {REPORTED}"
        f", exit {DIFFERS} if it differs",
    )
    command.add_argument(
        "--json",
        action="store_true",
        help="JSON lines instead: the run (id, journal hash, seeds, summary, and with --report "
        "the report's hash), then each journal entry",
    )


def run_replay(args: argparse.Namespace) -> int:
    scenario = scenario_from(args.scenario, args.settings)
    expected = None if args.report is None else reported_hash(args.report, args.run_id)
    result = replay(scenario, args.run_id, reported=expected is not None)
    same = expected is None or expected == result.journal_hash
    if args.json:
        head: dict[str, Any] = {
            "run_id": run_id(result),
            "journal_hash": result.journal_hash,
            "seeds": result.seeds,
            "summary": result.summary.row(),
        }
        if expected is not None:
            head.update(report_journal_hash=expected, equals_report=same)
        print(json.dumps(head, default=str))
        for entry in result.journal:
            print(json.dumps(entry.to_json(), sort_keys=True))
        return 0 if same else DIFFERS
    print(f"run {run_id(result)} ({args.scenario})")
    print(f"journal sha256 {result.journal_hash}")
    for line in timeline_lines(timeline(result)):
        print(line)
    print(verdict_line(result))
    if expected is None:
        return 0
    if same:
        print(f"the journal hash equals the report's ({args.report})")
        return 0
    print(f"the journal hash differs from the report's ({args.report}): {expected}")
    print("was the report made with this scenario, --set and version? see its data/run.json")
    return DIFFERS


def timeline_lines(steps: Iterable[Step]) -> list[str]:
    """A legend, then per class a heading and one line per attempt: the journal's sequence
    number, when AimHarder processed it, its user's ``created_at`` rank, who, the answer, and
    the inversions it closed (``! N``)."""
    lines = [
        "at: when AimHarder processed the attempt, in seconds on its clock",
        "rank: created_at order in the class, 1 asked first; -: an outside member",
        "! N: an inversion: processed after N users of the class who asked later",
    ]
    current = None
    for step in steps:
        if step.class_id != current:
            current = step.class_id
            lines += [
                f"class {current}",
                f"{'seq':>5} {'at (s)':>9} {'rank':>4}  {'user':<22} answer",
            ]
        rank = "-" if step.rank is None else str(step.rank)
        answer = _answer(step.book_state) + (", again" if step.again else "")
        line = f"{step.seq:>5} {step.processed:>9.3f} {rank:>4}  {step.user:<22} {answer:<13}"
        lines.append(f"{line} ! {step.inversions}" if step.inversions else line.rstrip())
    return lines


def _answer(book_state: int | None) -> str:
    if book_state == BOOKED:
        return "booked"
    if book_state == WAITLISTED:
        return "waitlisted"
    return "no bookState" if book_state is None else f"refused {book_state}"


def verdict_line(result: Replication) -> str:
    """Safe or not (``sim.selection.rules``), and the run's order and places."""
    summary = result.summary
    unsafe = [
        f"{m.label} {value:.0%}" if m.is_share else f"{m.label} {value:g}"
        for m in rules.UNSAFE_WHEN
        if (value := getattr(summary, m))
    ]
    pairs = sum(c.pairs for c in result.classes)
    return (
        f"verdict: {'not safe (' + ', '.join(unsafe) + ')' if unsafe else 'safe'}; "
        f"{summary.inversions} of {pairs} same-class pairs inverted; "
        f"{summary.unfair} unfair; {summary.placed} of {summary.requests} placed"
    )
