"""``--html``: one page with the harness's verdict on top of locust's own report of the run.

locust writes its HTML report (``--html``: request statistics, failures, charts) from the run
alone; whether the run passed is decided afterwards, by the check of the mock's journal against
the store (``loadtests.check``), and that decides the exit code. So the verdict, its counts and
every violation are inserted into locust's page once the check is done, as a section of their
own before the element locust's script draws into (``<div id="root">``), which is left as it
was. When locust wrote no page (it failed to start), the page is the verdict alone.
"""

from __future__ import annotations

import html
from pathlib import Path

from loadtests.check import ViolationKind
from loadtests.locustfiles import CRON_REQUEST
from loadtests.summary import Summary

__all__ = ["LISTED", "verdict_section", "with_verdict", "write_page"]

LISTED = 100  # violations of one kind listed on the page; summary.json has them all
SECTION_ID = "harness-verdict"
_ROOT = '<div id="root">'  # where locust's report script draws (locust/webui/dist/report.html)
_STYLE = (
    "font-family: system-ui, sans-serif; color: #111; background: #fff; max-width: 1100px; "
    "margin: 16px auto; padding: 12px 24px; border: 3px solid {colour}; border-radius: 8px"
)
_CELL = "padding: 2px 12px 2px 0; text-align: {align}"


def _e(value: object) -> str:
    return html.escape(str(value))


def _counts(summary: Summary) -> list[tuple[str, str]]:
    verdict = summary.verdict
    return [
        ("prebookings", str(verdict.prebookings)),
        ("ready", str(verdict.ready)),
        ("booked once", str(verdict.booked_once)),
        ("places won", f"{verdict.places_won:.0%}"),
        ("placed after a refusal", str(verdict.placed_after_refusal)),
        ("outside placed", str(verdict.outside_placed)),
        ("locust's exit code", str(summary.locust_exit_code)),
    ]


def _table(rows: list[tuple[str, str]], heading: str) -> str:
    cells = "".join(
        f'<tr><td style="{_CELL.format(align="left")}">{_e(name)}</td>'
        f'<td style="{_CELL.format(align="right")}">{_e(value)}</td></tr>'
        for name, value in rows
    )
    return (
        f'<table style="border-collapse: collapse; display: inline-table; margin-right: 48px; '
        f'vertical-align: top"><tr><th colspan="2" style="text-align: left">{_e(heading)}</th>'
        f"</tr>{cells}</table>"
    )


def _violations(summary: Summary) -> str:
    items = []
    for kind in ViolationKind:
        listed = [v for v in summary.verdict.violations if v.kind is kind]
        items += [
            f"<li><b>{_e(kind.value)}</b> {_e(v.subject)}: {_e(v.detail)}</li>"
            for v in listed[:LISTED]
        ]
        if len(listed) > LISTED:
            more = len(listed) - LISTED
            items.append(f"<li>... {more} more {_e(kind.value)} in summary.json</li>")
    if not items:
        return "<p>No violation.</p>"
    return f"<h2>Violations</h2><ul>{''.join(items)}</ul>"


def verdict_section(summary: Summary) -> str:
    """The harness's verdict as an HTML section: passed or failed and why, the plan, the counts,
    each kind of violation counted, then the violations themselves."""
    plan = summary.plan
    word, colour = ("PASSED", "#1b7f3b") if summary.ok else ("FAILED", "#b3261e")
    cron = summary.requests.get(CRON_REQUEST)
    calls = "" if cron is None else f"; {cron.count} cron calls, {cron.failures} failed"
    kinds = [(kind.value, str(summary.verdict.count(kind))) for kind in ViolationKind]
    return (
        f'<section id="{SECTION_ID}" style="{_STYLE.format(colour=colour)}">'
        f'<h1 style="margin: 4px 0; color: {colour}">{word}</h1>'
        f"<p>{_e(summary.reason())}</p>"
        f"<p>The harness's check: the mock's journal (what AimHarder processed) against the "
        f"store, which decides the exit code ({0 if summary.ok else 1}). Strategy "
        f"{_e(plan.get('strategy'))}, {_e(plan.get('schedulers'))} schedulers, "
        f"{_e(summary.peak_users)} users at the peak, {_e(plan.get('run_time'))} s of load, "
        f"store {_e(summary.store)}{_e(calls)}.</p>"
        f"{_table(_counts(summary), 'counted')}{_table(kinds, 'violations')}"
        f"{_violations(summary)}"
        f"<p>Below: locust's own report of the run, its request statistics and charts.</p>"
        f"</section>"
    )


def with_verdict(locust_page: str, summary: Summary) -> str:
    """``locust_page`` with the verdict section first in its body (before locust's root)."""
    section = verdict_section(summary)
    at = locust_page.rfind(_ROOT)
    if at < 0:  # another layout: first thing in the body, else first thing at all
        body = locust_page.find("<body")
        at = locust_page.find(">", body) + 1 if body >= 0 else 0
    return locust_page[:at] + section + locust_page[at:]


def write_page(path: Path, summary: Summary) -> None:
    """Writes the verdict into the page locust wrote at ``path`` (or a page of its own)."""
    try:
        page = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        page = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>load run'
        page += "</title></head><body></body></html>"
    path.write_text(with_verdict(page, summary), encoding="utf-8")
