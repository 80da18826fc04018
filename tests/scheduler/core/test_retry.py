"""The retry rule: which failures are worth another attempt, and when it may be made."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.core.errors import DriverError, HttpStatusError, SessionExpiredError, TransportError
from scheduler.core.retry import is_transient, retry_at
from scheduler.core.strategies import PolicyConfig

CONFIG = PolicyConfig()  # 3 attempts; waits 0.2 then 0.4; margin 1 s


@pytest.mark.parametrize(
    "error",
    [
        TransportError("connection reset", now=0),
        HttpStatusError(500, now=0),
        HttpStatusError(502, now=0),
        HttpStatusError(503, now=0),
        HttpStatusError(504, now=0),
        HttpStatusError(429, now=0, retry_after=1.0),
    ],
    ids=repr,
)
def test_no_answer_a_5xx_and_a_429_are_transient(error: DriverError) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        HttpStatusError(400, now=0),
        HttpStatusError(401, now=0),
        HttpStatusError(403, now=0),
        HttpStatusError(404, now=0),
        SessionExpiredError("logout: 1", now=0),
    ],
    ids=repr,
)
def test_a_refusal_and_an_expired_session_are_not_transient(error: DriverError) -> None:
    assert not is_transient(error)


def test_the_wait_doubles_from_the_first_back_off() -> None:
    assert retry_at(CONFIG, attempts=1, now=1.0, deadline=8.0) == pytest.approx(1.2)
    assert retry_at(CONFIG, attempts=2, now=1.0, deadline=8.0) == pytest.approx(1.4)


def test_no_retry_once_the_attempts_are_spent() -> None:
    assert retry_at(CONFIG, attempts=3, now=1.0, deadline=8.0) is None


def test_a_longer_retry_after_is_honoured() -> None:
    assert retry_at(CONFIG, attempts=1, now=1.0, deadline=8.0, asked_wait=2.5) == 3.5


def test_a_shorter_retry_after_does_not_shorten_the_back_off() -> None:
    assert retry_at(CONFIG, attempts=1, now=1.0, deadline=8.0, asked_wait=0.01) == pytest.approx(
        1.2
    )


def test_a_retry_must_leave_the_margin_before_the_deadline() -> None:
    assert retry_at(CONFIG, attempts=1, now=6.0, deadline=7.25) == pytest.approx(6.2)
    assert retry_at(CONFIG, attempts=1, now=6.0, deadline=7.0) is None
    assert retry_at(CONFIG, attempts=1, now=1.0, deadline=8.0, asked_wait=6.5) is None


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.integers(1, 6),
    now=st.floats(0.0, 10.0),
    deadline=st.floats(0.0, 10.0),
    asked=st.none() | st.floats(0.0, 30.0),
    max_attempts=st.integers(1, 5),
)
def test_a_retry_is_never_early_never_past_the_margin_never_beyond_the_attempts(
    attempts: int, now: float, deadline: float, asked: float | None, max_attempts: int
) -> None:
    config = PolicyConfig(max_attempts=max_attempts)
    at = retry_at(config, attempts=attempts, now=now, deadline=deadline, asked_wait=asked)
    if at is not None:
        assert attempts < max_attempts
        assert at + config.margin <= deadline
        assert at >= now + (asked or 0.0)
        assert at >= now + config.retry_delay
