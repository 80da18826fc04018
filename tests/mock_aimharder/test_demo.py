"""The README's demo runs end to end: too early, two booked, one refused, a journal."""

from __future__ import annotations

import pytest

from mock_aimharder.server import demo


def test_the_demo_books_two_of_three_after_the_opening_and_prints_the_journal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo.main()
    out = capsys.readouterr().out
    assert "más de 4 días de antelación" in out
    assert out.count("-> bookState 1 (booked)") == 2
    assert out.count("-> bookState -1 (full)") == 1
    assert "The journal" in out and "server stopped." in out
