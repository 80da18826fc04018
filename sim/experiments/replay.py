"""One replication again, alone, from its identifier: ``python -m sim replay ID --scenario FILE``.

An identifier is ``strategy/load/replication@seed`` (``run_id``), e.g. ``staggered/20/3@20251001``:
with the scenario it names every random number the run drew (``sim.model.streams``), so the replay
prints the same journal, and the same journal hash, as the run in the report did.
"""

from __future__ import annotations

import re

from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy
from sim.model.replication import Replication, run_replication
from sim.scenario import Scenario

__all__ = ["parse_run_id", "replay", "run_id"]

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


def replay(scenario: Scenario, text: str) -> Replication:
    name, load, replication, seed = parse_run_id(text)
    scenario = scenario.variant(experiment={"seed": seed})
    return run_replication(scenario, name, load, replication, keep_journal=True)
