"""The mock's whole journal, read page by page from ``GET /_admin/journal``.

The mock answers at most a page of entries per request (``since`` and ``limit``), so that a
journal of a long load run never becomes one answer of many megabytes; every reader that wants
all of it pages through here. The number of requests is bounded by the journal's length as the
first page states it, plus what was added while reading (at most ``MAX_PAGES`` in all).
"""

from __future__ import annotations

from typing import Any

import httpx

from harness.tls import shared_tls

__all__ = ["MAX_PAGES", "PAGE", "journal_entries"]

PAGE = 5000  # entries per request: ~1.5 MB of JSON
MAX_PAGES = 1000  # five million entries: far beyond any run here


def journal_entries(
    base_url: str, *, since: int = 0, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """Every entry with ``seq`` greater than ``since``, in order, as the mock's JSON objects."""
    entries: list[dict[str, Any]] = []
    with httpx.Client(base_url=base_url, timeout=timeout, verify=shared_tls()) as client:
        for _ in range(MAX_PAGES):
            params = {"since": since, "limit": PAGE}
            page = client.get("/_admin/journal", params=params).raise_for_status().json()
            entries.extend(page["entries"])
            if not page.get("more") or not page["entries"]:
                return entries
            since = page["entries"][-1]["seq"]
    raise RuntimeError(f"the journal at {base_url} has more than {MAX_PAGES} pages of {PAGE}")
