"""A scheduler's settings: refused when they could not keep the scheduler's promises."""

from __future__ import annotations

import pytest

from scheduler.core.errors import ConfigurationError
from scheduler.settings import Settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"aimharder_url": "127.0.0.1:8000"}, "expected an http:// or https:// URL"),
        ({"max_duration": 0.0}, "max_duration=0.0; expected a number of seconds > 0"),
        ({"max_duration": float("nan")}, "max_duration=nan"),
    ],
)
def test_bad_settings_are_refused_naming_the_value(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings(**values)  # type: ignore[arg-type]


def test_the_secret_never_shows_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(Settings(cron_secret="s3cret"))
