"""examples/ as a newcomer uses it: the walkthrough (mock, logins, prebookings, the served
endpoint, one cron call, status) with the example files, their waits cut to seconds; and every
what-if scenario loads, changing the default scenario only where it says."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from harness.children import child, mock_command
from scheduler.cli import main as scheduler
from sim.scenario import Scenario
from tests.scheduler.served import cron, served

EXAMPLES = Path(__file__).parents[1] / "examples"
DEFAULT = Path(__file__).parents[1] / "sim" / "scenarios" / "default.toml"
SECRET = "example-secret-not-for-production"
SOON = {"30s": "2s", "45s": "3s"}  # the walkthrough's waits, cut for a test
CALLS = 60  # cron calls at most while the windows open (one a half second: 30 s)


def _sooner(text: str) -> str:
    return re.sub(r"\b(30s|45s)\b", lambda m: SOON[m.group(1)], text)


def _walkthrough_commands() -> str:
    readme = (EXAMPLES / "README.md").read_text()
    block = re.search(r"## Walkthrough.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None
    return block.group(1)


def test_the_walkthrough_books_the_first_two_requesters_and_refuses_the_third(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = _walkthrough_commands()
    for used in ("--config examples/gym.toml", "add examples/prebookings.csv", "/api/cron/"):
        assert used in commands
    gym, wanted = tmp_path / "gym.toml", tmp_path / "prebookings.csv"
    gym.write_text(_sooner((EXAMPLES / "gym.toml").read_text()))
    wanted.write_text(_sooner((EXAMPLES / "prebookings.csv").read_text()))
    assert "2s" in gym.read_text() and "3s" in wanted.read_text()
    db = f"sqlite:///{tmp_path / 'example.sqlite'}"
    with child("mock", mock_command(gym, seed=1), log=tmp_path / "mock.log") as mock:
        url = mock.url
        for user, password in re.findall(r"login --user (\S+) --password (\S+)", commands):
            assert scheduler(["login", "--user", user, "--password", password, "--db", db,
                              "--aimharder-url", url]) == 0  # fmt: skip
        assert scheduler(["add", str(wanted), "--db", db]) == 0
        assert f"CRON_SECRET={SECRET}" in commands
        serve = ["--db", db, "--aimharder-url", url, "--strategy", "sequential"]
        with served(serve, log=tmp_path / "serve.log", secret=SECRET) as server:
            assert cron(server.url, "another secret").status_code == 401
            for _ in range(CALLS):
                answer = cron(server.url, SECRET)
                assert answer.status_code == 200, answer.text
                capsys.readouterr()
                assert scheduler(["status", "--json", "--db", db]) == 0
                status = json.loads(capsys.readouterr().out)
                if status["counts"]["completed"] + status["counts"]["failed"] == 4:
                    break
                time.sleep(0.5)  # one cron call a half second, as a (fast) cron would
    outcome = [(p["user"].split("@")[0], p["class_id"], p["status"]) for p in status["prebookings"]]
    assert outcome == [
        ("ana", 1, "completed"),
        ("bruno", 1, "completed"),
        ("carla", 1, "failed"),
        ("ana", 2, "completed"),
    ]


@pytest.mark.parametrize("path", sorted((EXAMPLES / "scenarios").glob("*.toml")), ids=str)
def test_each_what_if_changes_one_section_of_the_default(path: Path) -> None:
    what_if, default = Scenario.from_file(path), Scenario.from_file(DEFAULT)
    assert what_if.name == path.stem
    sections = ("cron", "platform", "database", "aimharder", "client", "workload", "experiment")
    changed = [s for s in sections if getattr(what_if, s) != getattr(default, s)]
    assert len(changed) == 1
    assert what_if.policy == default.policy
    assert f"--scenario examples/scenarios/{path.name}" in path.read_text()
