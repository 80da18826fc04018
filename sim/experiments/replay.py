"""One replication again, alone, from its identifier: ``python -m sim replay ID --scenario FILE``.

An identifier is ``strategy/load/replication@seed`` (``run_id``), e.g. ``staggered/20/3@20251001``:
with the scenario it names every random number the run drew (``sim.model.streams``), so the replay
prints the same journal, and the same journal hash, as the run in the report did. The strategy,
load and replication must be among the scenario's (its sweep's: the runs a report lists in
``data/replications.json``); ``reported_hash`` reads a report's hash of one run from there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy
from sim.model.replication import Replication, run_replication
from sim.scenario import Scenario

__all__ = ["REPORTED", "check_run_id", "parse_run_id", "replay", "reported_hash", "run_id"]

REPORTED = Path("data") / "replications.json"  # in a report's folder: every run id and hash

_ID = re.compile(r"(?P<strategy>[a-z_-]+)/(?P<load>\d{1,4})/(?P<replication>\d{1,6})@(?P<seed>\d+)")


def run_id(replication: Replication) -> str:
    seeds = replication.seeds
    return f"{replication.strategy}/{replication.load}/{replication.replication}@{seeds['seed']}"


def parse_run_id(text: str) -> tuple[str, int, int, int]:
    match = _ID.fullmatch(text)
    if match is None:
        raise ConfigurationError(
            f"run id {text!r}; expected strategy/load/replication@seed, e.g. staggered/20/3@1"
        )
    name = match["strategy"]
    strategy(name)  # refuses an unknown one, naming the known
    load = int(match["load"])
    if load < 1:
        raise ConfigurationError(f"run id {text!r}: load {load}; expected >= 1")
    return name, load, int(match["replication"]), int(match["seed"])


def check_run_id(scenario: Scenario, text: str) -> None:
    """Refuses an identifier whose strategy, load or replication the scenario's sweep never
    ran, naming the valid ones."""
    name, load, replication, _ = parse_run_id(text)
    plan = scenario.experiment
    if name not in plan.strategies:
        raise ConfigurationError(
            f"run id {text!r}: strategy {name!r}; expected one of the scenario's {plan.strategies}"
        )
    if load not in plan.loads:
        raise ConfigurationError(
            f"run id {text!r}: load {load}; expected one of the scenario's {plan.loads}"
        )
    if replication >= plan.replications:
        raise ConfigurationError(
            f"run id {text!r}: replication {replication}; expected 0 to "
            f"{plan.replications - 1} (the scenario's {plan.replications} replications; a report "
            "run with more: --report DIR or --set experiment.replications=N)"
        )


def replay(scenario: Scenario, text: str, *, reported: bool = False) -> Replication:
    """The run again, with its journal and its evidence (the store's rows: ``created_at``).
    ``reported``: a report lists the run (``reported_hash``), which then vouches for it in
    place of the scenario's sizes (``sim report --replications`` may have run more)."""
    if not reported:
        check_run_id(scenario, text)
    name, load, replication, seed = parse_run_id(text)
    scenario = scenario.variant(experiment={"seed": seed})
    return run_replication(scenario, name, load, replication, keep_journal=True, keep_evidence=True)


def reported_hash(folder: Path, text: str) -> str:
    """The journal hash the report in ``folder`` (``sim report --out``) recorded for run
    ``text``."""
    path = folder / REPORTED
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        hashes = {str(row["run_id"]): str(row["journal_hash"]) for row in rows}
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConfigurationError(
            f"--report {str(folder)!r}: {path} unreadable ({exc}); expected a report's folder"
        ) from exc
    if text not in hashes:
        raise ConfigurationError(
            f"run id {text!r} is not in the report {str(folder)!r}; expected one of its "
            f"{len(hashes)} runs ({REPORTED})"
        )
    return hashes[text]
