"""The sample report the documentation quotes, and the quotes themselves (issue 23, item 7).

README.md and docs/ quote a report's numbers only from ``docs/sample/report.md``: a quick look
on ``docs/sample/scenario.toml`` with a fixed seed, small enough to run again in every test run.
A page quotes the sample's answer box between ``BEGIN`` and ``END``; ``make sample`` writes the
sample and rewrites every quote (``python -m sim.report.sample REPORT PAGE...``), and
``tests/docs/test_sample.py`` runs the sample again and fails when its page, once the run's own
facts (commit, start, wall time) are set aside, or a quote differs.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BEGIN", "END", "QuoteError", "answer_box", "quoted", "without_run_facts"]

BEGIN = "<!-- sample: the answer (make sample writes it; do not edit) -->"
END = "<!-- /sample -->"
_ANSWER_HEADING = "## The answer"
# The facts of one run that differ from one run to the next (sim/report/templates/run.md.j2).
_RUN_FACTS = (
    (re.compile(r"prebooking-harness \S+ \(commit [^)]*\)"), "prebooking-harness VERSION (commit)"),
    (re.compile(r"started \S+ and run in \d+ s"), "started WHEN and run in N s"),
)


class QuoteError(ValueError):
    """A report without an answer box, or a page without its quote's markers."""


def answer_box(report: str) -> str:
    """The blockquote under the report's "The answer" heading, as it is written."""
    lines = report.splitlines()
    try:
        start = lines.index(_ANSWER_HEADING) + 1
    except ValueError:
        raise QuoteError(f"no {_ANSWER_HEADING!r} heading; expected a report's page") from None
    while start < len(lines) and not lines[start].startswith(">"):
        start += 1
    end = start
    while end < len(lines) and lines[end].startswith(">"):
        end += 1
    if end == start:
        raise QuoteError(f"no blockquote under {_ANSWER_HEADING!r}; expected the answer box")
    return "\n".join(lines[start:end])


def quoted(page: str, box: str) -> str:
    """``page`` with the text between its markers replaced by ``box``."""
    begin, end = page.find(BEGIN), page.find(END)
    if begin < 0 or end < begin:
        raise QuoteError(f"no {BEGIN!r} ... {END!r} in the page; expected the quote's markers")
    return page[: begin + len(BEGIN)] + "\n" + box + "\n" + page[end:]


def without_run_facts(report: str) -> str:
    """``report`` with what differs from one run of it to the next (the commit, the start and
    the wall time) replaced by placeholders."""
    for pattern, placeholder in _RUN_FACTS:
        report = pattern.sub(placeholder, report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.report.sample",
        description="Rewrite the sample's answer box quoted in each page.",
    )
    parser.add_argument("report", type=Path, help="the sample report's report.md")
    parser.add_argument("pages", type=Path, nargs="+", help="Markdown pages quoting it")
    args = parser.parse_args(argv)
    try:
        box = answer_box(args.report.read_text(encoding="utf-8"))
        for page in args.pages:
            text = page.read_text(encoding="utf-8")
            page.write_text(quoted(text, box), encoding="utf-8")
    except (OSError, QuoteError) as exc:
        print(f"python -m sim.report.sample: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
