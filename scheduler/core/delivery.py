"""A delivery: one call of the trigger service, named by the id the service gives it.

At-least-once services (QStash, Vercel's newer schedules) now and then deliver one call twice,
both copies carrying the same id. An invocation takes its id from the delivery id when the call
has one, and the store notes each id as its invocation starts (``Store.begin_delivery``, one
atomic insert): a second invocation with an id noted less than the platform's limit ago is a
duplicate, sends nothing and says so in its answer. The claim is atomic too, so nothing would be
booked twice without this; it makes a duplicate cost one query, and visible. A retry is not a
duplicate: services that retry a failed call (QStash) send the same id again seconds later, so
an invocation that fails (503) drops its note first (``Store.forget_delivery``). A cut (504)
cannot, but any retry comes after the limit, when the note no longer counts.
"""

from __future__ import annotations

import re
from typing import Any

from scheduler.core.domain import InstanceId, Instant
from scheduler.core.errors import ConfigurationError

__all__ = ["DELIVERY_ID_PATTERN", "delivery_instance", "duplicate_answer"]

# Printable ASCII without spaces, at most 128 characters: the store's ``claimed_by`` column.
DELIVERY_ID_PATTERN = re.compile(r"[\x21-\x7e]{1,128}")


def delivery_instance(delivery_id: str) -> InstanceId:
    """The invocation id for a delivery id, refused when it could not be stored as one."""
    if not DELIVERY_ID_PATTERN.fullmatch(delivery_id):
        shown = delivery_id if len(delivery_id) <= 40 else delivery_id[:40] + "..."
        raise ConfigurationError(
            f"delivery id {shown!r}; expected 1 to 128 printable ASCII characters, no spaces"
        )
    return InstanceId(delivery_id)


def duplicate_answer(
    instance_id: InstanceId, *, started_at: Instant, now: Instant
) -> dict[str, Any]:
    """The answer to a duplicate delivery: a success (the work is another invocation's)."""
    return {
        "success": True,
        "duplicate": True,
        "message": "duplicate delivery: an invocation with this delivery id already ran or runs;"
        " nothing sent",
        "results": None,
        "instanceId": instance_id,
        "executionTimeMs": round((now - started_at) * 1000),
    }
