"""Mock processes reused across real runs (``harness.mocks``): the same configuration gets the
same process back, reset to the state of a fresh one with the run's seed; another
configuration gets a process of its own; every one stops with the block."""

from __future__ import annotations

import httpx
import pytest

from harness.journal import journal_entries
from harness.mocks import reused_mocks
from tests.mock_aimharder import support as mock


async def _book_once(url: str) -> None:
    async with mock.jarless_client(url) as client:
        answer = await mock.book(client, await mock.login(client, mock.email(0)))
    assert answer["bookState"] == 1


async def test_a_configuration_seen_before_gets_its_process_back_as_if_fresh() -> None:
    gym = mock.config_with(users=mock.users(1), classes=[mock.a_class()], admin_enabled=True)
    other = gym.model_copy(update={"users": mock.users(2)})
    with reused_mocks() as mock_for:
        first = mock_for(gym, 1)
        await _book_once(first)
        assert len(journal_entries(first)) == 1
        again = mock_for(gym, 2)
        assert again == first
        assert journal_entries(again) == []  # the booking and its journal are gone
        await _book_once(again)  # the one place is free again
        assert mock_for(other, 1) != first
    with pytest.raises(httpx.TransportError):  # stopped with the block
        httpx.get(f"{first}/_admin/journal", timeout=2.0)
