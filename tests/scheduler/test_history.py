"""The history's request keys: what joins a request's ``sent`` note to its ``heard`` note."""

from __future__ import annotations

from pathlib import Path

from scheduler.history import History


def test_no_two_requests_of_a_process_share_a_key_even_across_histories(tmp_path: Path) -> None:
    """Every invocation opens a History of its own; the next is often allocated where the last
    one was freed, so keys named after the object repeated, and one invocation's notes replaced
    another's when the history was read."""
    keys = []
    for _ in range(50):
        history = History(tmp_path / "history.jsonl")
        keys += [history.key(), history.key()]
        history.close()
        del history
    assert len(set(keys)) == len(keys)
