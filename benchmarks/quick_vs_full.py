"""Does a what-if's quick look give the full report's answer? Measured in one run on this machine.

For each what-if (the four examples and three of our own, made with ``--set`` on the default
scenario), ``sim report`` runs twice, as a user would type it: the quick look, then ``--full``.
The table shows, at every load both tried, the answer (the fairest safe strategy, or "none
safe" and the fewest unfair outcomes) of each, whether they are equal, and each run's wall
time with the load average beside it, and its CPU seconds (the command's and its workers':
what a quiet two-core machine would need about half of, in wall time; the machine is shared,
so wall time alone says little).

Run from the top folder: .venv/bin/python -m benchmarks.quick_vs_full [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.selection.objectives import FAIREST_SAFE, UNFAIR_OUTCOMES


@dataclass(frozen=True, slots=True)
class WhatIf:
    name: str
    scenario: str
    sets: tuple[str, ...] = ()


WHAT_IFS = (
    WhatIf("three-classes", "examples/scenarios/three-classes.toml"),
    WhatIf("slow-aimharder", "examples/scenarios/slow-aimharder.toml"),
    WhatIf("jittery-cron", "examples/scenarios/jittery-cron.toml"),
    WhatIf("longer-limit", "examples/scenarios/longer-limit.toml"),
    WhatIf(
        "limit 60 s, 30 per class",
        "sim/scenarios/default.toml",
        ("platform.max_duration=60", "experiment.loads=[5,10,20,30]"),
    ),
    WhatIf(
        "two classes, limit 200",
        "sim/scenarios/default.toml",
        ("workload.classes_per_minute=2", "policy.limit=200"),
    ),
    WhatIf("a 20 s limit", "sim/scenarios/default.toml", ("platform.max_duration=20",)),
)

TIME_LIMIT = 1800.0  # s per run: a run that takes longer is a finding in itself


@dataclass(frozen=True, slots=True)
class Run:
    answers: dict[int, str]  # load -> the answer's strategies, or "none safe"
    wall: float
    cpu: float  # user + system of the command and its worker processes
    load_average: float


def run(what_if: WhatIf, *, full: bool, out: Path) -> Run:
    command = [sys.executable, "-m", "sim", "report", "--scenario", what_if.scenario, "-q"]
    command += [arg for key in what_if.sets for arg in ("--set", key)]
    command += ["--out", str(out), *(["--full"] if full else [])]
    started, before = time.perf_counter(), _children_cpu()
    subprocess.run(command, check=True, timeout=TIME_LIMIT, stdout=subprocess.DEVNULL)  # noqa: S603  (our own command)
    wall, cpu = time.perf_counter() - started, _children_cpu() - before
    rows = json.loads((out / "data" / "selections.json").read_text())
    chosen = {(r["load"], r["objective"]): r["chosen"].replace(" ", ", ") for r in rows}
    # What the answer box names at each load: the fairest safe, or with none safe, the fewest
    # unfair outcomes (sim.report.answer).
    answers = {
        load: fair or f"none safe; fewest unfair: {chosen[(load, UNFAIR_OUTCOMES)]}"
        for (load, objective), fair in chosen.items()
        if objective == FAIREST_SAFE
    }
    return Run(answers=answers, wall=wall, cpu=cpu, load_average=os.getloadavg()[0])


def _children_cpu() -> float:
    """CPU seconds of every child waited for so far (and of theirs: the report's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quick_vs_full")
    parser.add_argument("--only", choices=[w.name for w in WHAT_IFS], help="one what-if")
    args = parser.parse_args()
    console = Console(width=140)  # one row per load, however long the names
    table = Table(title="A what-if's quick look against its full report")
    for column in ("what-if", "load", "quick look", "full", "equal"):
        table.add_column(column)
    table.add_column("quick s, CPU-s (load)", justify="right")
    table.add_column("full s, CPU-s (load)", justify="right")
    chosen = [w for w in WHAT_IFS if args.only in (None, w.name)]
    with tempfile.TemporaryDirectory() as folder:
        for what_if in chosen:
            quick = run(what_if, full=False, out=Path(folder) / what_if.name / "quick")
            full = run(what_if, full=True, out=Path(folder) / what_if.name / "full")
            common = sorted(set(quick.answers) & set(full.answers))
            for i, load in enumerate(common):
                same = quick.answers[load] == full.answers[load]
                times = (
                    (f"{quick.wall:.1f}, {quick.cpu:.0f} ({quick.load_average:.1f})",
                     f"{full.wall:.0f}, {full.cpu:.0f} ({full.load_average:.1f})")
                    if i == 0 else ("", "")
                )  # fmt: skip
                table.add_row(
                    what_if.name if i == 0 else "",
                    str(load),
                    quick.answers[load],
                    full.answers[load],
                    "yes" if same else "NO",
                    *times,
                )
            console.print(f"{what_if.name}: done", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
