"""The report end to end on a tiny scenario: every file written, every plot embedded."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scheduler.core.strategies import strategy_names
from sim.cli.main import main
from sim.experiments.trigger_presets import presets
from sim.model.summary import RUN_MEASURES, Measure
from sim.report.files import build_report, gather
from sim.scenario import Scenario
from sim.selection.per_load import REPORT_OBJECTIVES

WON = Measure.PLACES_WON.column  # data/ names each measure with its unit
INVERTED = Measure.INVERSION_RATE.column

TINY = {
    "name": "tiny",
    "workload": {"minutes": 2},
    "experiment": {
        "replications": 2,
        "loads": [2, 6],
        "stagger_gaps": [0.0, 0.2],
        "gap_load": 4,
        "drain_minutes": 1,
        "limits": [10.0, 60.0],
        "trigger_loads": [4],
        "trigger_replications": 1,
        "world_load": 4,
        "world_replications": 2,
        "outside_bursts": [0, 6],
        "send_offsets": [-0.5, 0.0],
        "offset_burst": 4,
        # KN stops at 12 replications a strategy instead of 50: it chooses here what it chooses
        # at 50 (parallel alone, fastest-safe at 6; ties in every other cell), so both kinds of
        # cell are still checked, for a sixth of KN's time (most of this report's experiments).
        "kn_max_replications": 12,
    },
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    scenario = Scenario.from_data(TINY)
    seed = Scenario.from_data({"experiment": {"replications": 2}})
    with ThreadPoolExecutor(max_workers=2) as pool:  # any Executor will do
        findings = gather(scenario, seed_scenario=seed, executor=pool)
    build_report(findings, out)
    return out


def _figures_named(report: Path) -> list[str]:
    """The PNG files the Markdown shows, each once."""
    return re.findall(r"!\[[^\]]*\]\(figures/([^)]+\.png)\)", (report / "report.md").read_text())


def test_every_figure_has_its_data(report: Path) -> None:
    pngs = sorted(p.name for p in (report / "figures").glob("*.png"))
    assert pngs == sorted(_figures_named(report))
    assert "tradeoff.png" in pngs
    for stem in (
        "sweep",
        "replications",
        "stagger_gaps",
        "one_invocation",
        "seed_tables",
        "outside_demand",
        "losing_places",
        "send_offsets",
        "auto_against_best",
    ):
        assert (report / "data" / f"{stem}.csv").stat().st_size > 0
        assert json.loads((report / "data" / f"{stem}.json").read_text())
    sweep = json.loads((report / "data" / "sweep.json").read_text())
    assert {(r["point"], r["load"]) for r in sweep} == {
        (s, n) for s in strategy_names() for n in (2, 6)
    }


def test_the_html_page_embeds_every_plot_as_a_readable_png(report: Path) -> None:
    import matplotlib.image  # noqa: PLC0415 (here, not in every pytest worker that collects this)

    html = (report / "report.html").read_text()
    sources = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(sources) == len(_figures_named(report))
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_the_markdown_answers_the_seeds_questions(report: Path) -> None:
    text = (report / "report.md").read_text()
    for heading in ("## Recommendation", "Stagger gap", "Scaling Limits", "Expected Metrics"):
        assert heading in text
    assert "How many prebookings can one invocation take?" in text


def test_the_trigger_section_is_generated_from_every_preset_at_every_limit(report: Path) -> None:
    text = (report / "report.md").read_text()
    section = text[text.index("## Which trigger and limit") :]
    rows = json.loads((report / "data" / "trigger_presets.json").read_text())
    names = {name for _, preset in presets() for name in [preset.name]}
    assert len(names) == 7
    assert {(r["preset"], r["limit"]) for r in rows} == {(n, x) for n in names for x in (10, 60)}
    for name in names:  # in the table, or named as unable to serve
        assert f"| {name} | 10 s (10 s) |" in section or (
            "Cannot serve this bot" in section and name in section
        )
    assert "Vercel Hobby cron" in section[section.index("Cannot serve") :]


def test_the_world_sections_cover_every_strategy_and_auto_is_in_every_table(report: Path) -> None:
    text = (report / "report.md").read_text()
    for heading in ("## What speed buys", "## Should the bot fire a little early?", "`auto`"):
        assert heading in text
    speed = json.loads((report / "data" / "outside_demand.json").read_text())
    assert {(r["point"], r["burst"]) for r in speed} == {
        (s, b) for s in strategy_names() for b in (0, 6)
    }
    offsets = json.loads((report / "data" / "send_offsets.json").read_text())
    assert {r["point"] for r in offsets} == set(strategy_names())
    for r in speed:  # places won is a share; with no outsiders every place is ours to win
        assert 0.0 <= r[WON] <= 1.0
    no_outsiders = [r for r in speed if r["burst"] == 0]
    with_outsiders = {(r["point"], r["trigger"]): r for r in speed if r["burst"] == 6}
    for r in no_outsiders:
        assert r[WON] >= with_outsiders[(r["point"], r["trigger"])][WON]


def test_the_command_refuses_a_bad_scenario_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[cron]\nmode = "hourly"\n')
    assert main(["report", "--scenario", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "cron.mode" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


PROBE = """<script>window.addEventListener("load", () => {
  const images = [...document.images];
  document.body.setAttribute("data-images", images.length);
  document.body.setAttribute(
    "data-loaded", images.filter((i) => i.complete && i.naturalWidth > 0).length);
});</script>"""


def images_loaded_in_chromium(page: Path, scratch: Path) -> tuple[int, int]:
    """(images, loaded) as headless Chromium sees ``page``, through a probe added to a copy."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is needed: `make test` installs it", pytrace=False)
    probe = scratch / "probe.html"
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update",
        f"--user-data-dir={scratch / 'profile'}", "--dump-dom",
    ]  # fmt: skip
    done = subprocess.run(
        [chromium, *flags, probe.as_uri()], check=False, capture_output=True, text=True, timeout=120
    )
    body = re.search(r'<body data-images="(\d+)" data-loaded="(\d+)"', done.stdout)
    assert body is not None, done.stderr[-2000:]
    return int(body.group(1)), int(body.group(2))


def test_every_plot_loads_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    count = len(_figures_named(report))
    assert images_loaded_in_chromium(report / "report.html", tmp_path) == (count, count)


def test_the_chromium_check_sees_a_broken_plot(report: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    html = (report / "report.html").read_text()
    broken.write_text(html.replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1))
    count = len(_figures_named(report))
    assert images_loaded_in_chromium(broken, tmp_path) == (count, count - 1)


def test_each_recommendation_cell_is_a_choice_with_its_guarantee_or_a_tie(report: Path) -> None:
    rows = json.loads((report / "data" / "selections.json").read_text())
    assert {(r["load"], r["objective"]) for r in rows} == {
        (n, o) for n in (2, 6) for o in REPORT_OBJECTIVES
    }
    for row in rows:
        chosen = row["chosen"].split()
        assert chosen
        if len(chosen) == 1:
            assert row["verdict"] == f"{chosen[0]} (delta {row['delta']:g}, PCS >= 95%)"
        else:
            assert row["verdict"].startswith("any of " + ", ".join(chosen))
    text = (report / "report.md").read_text()
    assert "95% paired-difference interval" in text


def test_intervals_on_counts_rates_and_durations_never_go_below_zero(report: Path) -> None:
    sweep = json.loads((report / "data" / "sweep.json").read_text())
    lows = [row[f"{Measure(m).column}_low"] for row in sweep for m in RUN_MEASURES]
    assert min(lows) >= 0.0
    assert any(row[f"{INVERTED}_low"] == 0.0 < row[INVERTED] for row in sweep)


def test_the_page_opens_with_the_answer_box_and_its_figure(report: Path) -> None:
    html = (report / "report.html").read_text()
    start = html.index(">The answer</h2>")
    section = html[start : html.index("<h2", start)]
    assert "<blockquote>" in section and "per class" in section  # the box, one entry a range
    assert re.search(r'<img alt="trade-off" src="data:image/png;base64,[^"]{100,}"', section)
    assert html.index('class="toc"') < start  # the table of contents comes first


def test_a_run_of_the_report_replays_to_the_report_s_journal_hash(
    report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # TINY as a file, as far as one replication reads it (the other keys plan experiments).
    path = tmp_path / "tiny.toml"
    path.write_text(
        'name = "tiny"\n[workload]\nminutes = 2\n'
        "[experiment]\nreplications = 2\nloads = [2, 6]\ndrain_minutes = 1\n"
    )
    [first, *_] = json.loads((report / "data" / "replications.json").read_text())
    argv = ["replay", first["run_id"], "--scenario", str(path), "--report", str(report)]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"the journal hash equals the report's ({report})"
    )
