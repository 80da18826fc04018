"""The report's glossary, "Words used here": written last, from the rest of the page, so that it
defines only the terms the page uses (``sim/report/templates/glossary.md.j2``).

The report's template leaves ``PLACE`` where the glossary goes; ``with_glossary`` puts it
there once every section is written.
"""

from __future__ import annotations

import re

from sim.report.rendering import render_markdown

__all__ = ["PLACE", "glossary_markdown", "with_glossary"]

PLACE = "<!-- glossary -->"


def glossary_markdown(page: str) -> str:
    """The glossary of the terms ``page`` uses (whole words, any case)."""

    def used(*terms: str) -> bool:
        return any(
            re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", page, re.IGNORECASE)
            for term in terms
        )

    return render_markdown("glossary", used=used)


def with_glossary(page: str) -> str:
    """``page`` with its glossary in ``PLACE``."""
    return page.replace(PLACE, glossary_markdown(page.replace(PLACE, "")), 1)
