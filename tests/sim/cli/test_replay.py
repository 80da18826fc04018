"""``python -m sim replay``: a readable timeline with ranks and inversion marks, a verdict, raw
JSON lines on request, run ids checked against the scenario, and the report's hash compared."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.cli.replay import DIFFERS, timeline_lines, verdict_line
from sim.experiments.replay import replay
from sim.experiments.timeline import Step
from sim.scenario import Scenario

SMALL = 'name = "small"\n[workload]\nminutes = 2\n[experiment]\nseed = 3\n'
RUN = "parallel/10/1@3"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _report(folder: Path, hashes: dict[str, str]) -> Path:
    """A report's folder as ``sim report`` leaves it, as far as replay reads it."""
    (folder / "data").mkdir(parents=True)
    rows = [{"run_id": run, "journal_hash": digest} for run, digest in hashes.items()]
    (folder / "data" / "replications.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder


def _step(seq: int, rank: int | None, inversions: int, **more: object) -> Step:
    fields: dict[str, object] = {
        "class_id": 7,
        "user": f"u{seq}@sim.example",
        "processed": 60.0 + seq / 100,
        "book_state": 1,
        "again": False,
    }
    fields.update(more)
    return Step(seq=seq, rank=rank, inversions=inversions, **fields)  # type: ignore[arg-type]


def test_the_timeline_shows_ranks_answers_and_marks_inversions() -> None:
    steps = [
        _step(1, 2, 0),
        _step(2, 1, 1),
        _step(3, None, 0, user="outside-1@sim.example", book_state=-1),
        _step(4, 1, 0, again=True, book_state=0),
    ]
    assert timeline_lines(steps)[3:] == [
        "class 7",
        "  seq    at (s) rank  user                   answer",
        "    1    60.010    2  u1@sim.example         booked",
        "    2    60.020    1  u2@sim.example         booked        ! 1",
        "    3    60.030    -  outside-1@sim.example  refused -1",
        "    4    60.040    1  u4@sim.example         waitlisted, again",
    ]


def test_a_replay_prints_its_timeline_and_verdict_within_80_columns(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", RUN, "--scenario", str(scenario)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"run {RUN} ({scenario})"
    assert max(len(line) for line in lines[1:]) <= 80  # the first: the scenario's path
    marked = [line for line in lines if " ! " in line]
    assert marked and sum(int(line.rsplit("! ", 1)[1]) for line in marked) == int(
        lines[-1].split("; ")[1].split()[0]
    )
    assert lines[-1].startswith("verdict: safe; ")
    assert lines[-1].endswith("of 90 same-class pairs inverted; 4 unfair; 16 of 20 placed")


def test_the_verdict_names_what_made_a_run_unsafe(scenario: Path) -> None:
    result = replay(Scenario.from_file(scenario), RUN)
    unsafe = dataclasses.replace(result.summary, kill_rate=0.25, lost=2)
    assert verdict_line(dataclasses.replace(result, summary=unsafe)).startswith(
        "verdict: not safe (killed 25%, unfinished 2); "
    )


def test_json_prints_the_run_then_one_line_per_journal_entry(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", RUN, "--scenario", str(scenario), "--json"]) == 0
    first, *entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert first["run_id"] == RUN and len(first["journal_hash"]) == 64
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            "parallel/10/10@3",
            "replication 10; expected 0 to 9 (the scenario's 10 replications; a report run with "
            "more: --report DIR or --set experiment.replications=N)",
        ),
        ("parallel/11/1@3", "load 11; expected one of the scenario's [1, 5, 10, 20, 30, 40, 50]"),
    ],
)
def test_a_run_id_the_scenario_never_had_exits_2_naming_the_range(
    run: str, expected: str, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", run, "--scenario", str(scenario)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [f"error: run id {run!r}: {expected}"]


def test_the_report_s_hash_is_compared_and_a_difference_exits_1(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["replay", RUN, "--scenario", str(scenario), "--report"]
    assert main([*argv, str(_report(tmp_path / "other", {RUN: "0" * 64}))]) == DIFFERS == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith("the journal hash differs from the report's (")
    assert out[-2].endswith("): " + "0" * 64)

    assert main(["replay", RUN, "--scenario", str(scenario), "--json"]) == 0
    digest = json.loads(capsys.readouterr().out.splitlines()[0])["journal_hash"]
    same = _report(tmp_path / "same", {RUN: digest})
    assert main([*argv, str(same)]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1] == f"the journal hash equals the report's ({same})"
    )
    assert main([*argv, str(same), "--json"]) == 0
    head = json.loads(capsys.readouterr().out.splitlines()[0])
    assert head["equals_report"] is True and head["report_journal_hash"] == digest


def test_a_run_the_report_lists_replays_past_the_scenario_s_count(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    more = "parallel/10/12@3"  # a report run with --replications 13
    folder = _report(tmp_path / "r", {more: "0" * 64})
    assert main(["replay", more, "--scenario", str(scenario), "--report", str(folder)]) == 1
    assert capsys.readouterr().out.startswith(f"run {more} (")


def test_a_run_the_report_never_had_or_no_report_exits_2(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _report(tmp_path / "r", {"sequential/10/1@3": "0" * 64})
    argv = ["replay", RUN, "--scenario", str(scenario), "--report"]
    assert main([*argv, str(other)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: run id {RUN!r} is not in the report {str(other)!r}; expected one of its 1 runs "
        "(data/replications.json)"
    )
    assert main([*argv, str(tmp_path / "nowhere")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "expected a report's folder" in line


def test_the_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    out = capsys.readouterr().out
    assert "1 with --report, its journal hash differs from the report's" in out
    assert max(len(line) for line in out.splitlines()) <= 80
