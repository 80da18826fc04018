"""``--html``: the harness's verdict and violations on top of locust's own page (issue 27,
item 5). The end-to-end run with ``--html`` is in ``test_runs.py``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from loadtests.check import Violation, ViolationKind
from loadtests.verdict_page import LISTED, with_verdict, write_page
from tests.loadtests.test_summary import summary

# The shape of locust's report (locust/webui/dist/report.html): its script draws into the root.
LOCUST = (
    '<!DOCTYPE html><html lang="en"><head><title>Locust</title></head><body>\n'
    '    <div id="root"></div>\n    <script>window.templateArgs = {"stats": []}</script>\n'
    "</body></html>"
)


def test_the_verdict_comes_first_in_locusts_page_which_is_left_whole() -> None:
    page = with_verdict(LOCUST, summary(20, opened=30.0, booked=True))
    section, locust = page.split('<div id="root">')
    assert section.startswith(LOCUST[: LOCUST.index('<div id="root">')])
    assert '<section id="harness-verdict"' in section
    assert "PASSED" in section and "all 20 ready prebookings booked once" in section
    assert "No violation." in section
    assert '<div id="root">' + locust == LOCUST[LOCUST.index('<div id="root">') :]


def test_a_failed_run_lists_its_violations_escaped_and_bounded() -> None:
    run = summary(LISTED + 5, opened=30.0, booked=False)  # every one overdue
    strange = Violation(kind=ViolationKind.PHANTOM, subject="p<1>", detail="<script>x</script>")
    verdict = dataclasses.replace(run.verdict, violations=(*run.verdict.violations, strange))
    page = with_verdict(LOCUST, dataclasses.replace(run, verdict=verdict))
    assert "FAILED" in page and f"{LISTED + 5} overdue, 1 phantom" in page
    assert page.count("<li><b>overdue</b>") == LISTED
    assert "... 5 more overdue in summary.json" in page
    assert "<b>phantom</b> p&lt;1&gt;: &lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page


def test_without_a_locust_page_the_page_is_the_verdict_alone(tmp_path: Path) -> None:
    path = tmp_path / "run.html"
    write_page(path, summary(20, opened=30.0, booked=True))
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<section id="harness-verdict"' in page
