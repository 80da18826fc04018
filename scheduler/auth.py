"""Who may start an invocation: the ``Authorization: Bearer <CRON_SECRET>`` check.

The seed project compared ``Bearer ${CRON_SECRET}`` as a string, so with the secret unset it
accepted ``Bearer undefined`` (mock_aimharder/API.md, "Its cron secret"). Here an unset or empty
secret refuses everything, and the comparison takes the same time whatever the header holds.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

__all__ = ["CronAuth", "Verdict"]

BEARER = "bearer "


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    allowed: bool
    status: int  # the HTTP status to answer with when refused
    reason: str  # safe to show: never contains the secret or the header's value


class CronAuth:
    """Checks the header against the configured secret in constant time."""

    def __init__(self, secret: str | None) -> None:
        self._secret = secret.encode() if secret else None

    @property
    def configured(self) -> bool:
        return self._secret is not None

    def check(self, authorization: str | None) -> Verdict:
        if self._secret is None:
            return Verdict(
                allowed=False,
                status=503,
                reason="CRON_SECRET is not configured: the cron endpoint refuses every call",
            )
        if not authorization or authorization[: len(BEARER)].lower() != BEARER:
            return Verdict(
                allowed=False, status=401, reason="expected 'Authorization: Bearer <secret>'"
            )
        offered = authorization[len(BEARER) :].strip().encode()
        if not hmac.compare_digest(offered, self._secret):
            return Verdict(allowed=False, status=401, reason="wrong cron secret")
        return Verdict(allowed=True, status=200, reason="ok")
