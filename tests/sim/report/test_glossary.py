"""The glossary defines the terms the page uses, and only those."""

from __future__ import annotations

from sim.report.glossary import PLACE, glossary_markdown, with_glossary
from sim.selection.rules import TIE


def test_a_term_is_defined_only_when_the_page_uses_it() -> None:
    plain = glossary_markdown("sequential books 95% within 3 s")
    assert "**Prebooking**" in plain  # every page talks of prebookings and strategies
    for term in ("**Phantom**", "**Orphan**", "**KN**", "**Inversion**", "**Tie**"):
        assert term not in plain
    used = glossary_markdown("one phantom, two orphans, KN chose; inversions 0.1; auto tied")
    for term in ("**Phantom**", "**Orphan**", "**KN**", "**Inversion**", "**Tie**"):
        assert term in used
    assert TIE.meaning.split()[0] in used


def test_whole_words_only_and_the_glossary_does_not_count_itself() -> None:
    assert "**Double**" not in glossary_markdown("doubled the doubly double-checked")
    page = f"# Report\n\n{PLACE}\n\nNothing unfinished here."
    text = with_glossary(page)
    assert PLACE not in text and "**Unfinished**" in text and "**Phantom**" not in text
