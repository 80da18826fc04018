"""The cron secret: refused without it, refused when wrong, refused when none is configured."""

from __future__ import annotations

import pytest

from scheduler.auth import CronAuth


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer wrong", "Basic s3cret", "s3cret", "Bearer s3cre"],
)
def test_anything_but_the_secret_is_refused(header: str | None) -> None:
    verdict = CronAuth("s3cret").check(header)
    assert (verdict.allowed, verdict.status) == (False, 401)
    assert "s3cret" not in verdict.reason


@pytest.mark.parametrize("header", ["Bearer s3cret", "bearer s3cret", "Bearer  s3cret "])
def test_the_secret_is_accepted(header: str) -> None:
    assert CronAuth("s3cret").check(header).allowed


@pytest.mark.parametrize("secret", [None, ""])
@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer undefined", "Bearer None"])
def test_no_configured_secret_refuses_everything(secret: str | None, header: str | None) -> None:
    # The seed's endpoint accepted "Bearer undefined" when CRON_SECRET was unset.
    verdict = CronAuth(secret).check(header)
    assert (verdict.allowed, verdict.status) == (False, 503)
    assert "CRON_SECRET is not configured" in verdict.reason
