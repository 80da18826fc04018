"""Fixtures: a mock server on a free loopback port, started per test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from mock_aimharder.model.config import MockConfig
from mock_aimharder.server.app import create_app
from mock_aimharder.server.serving import serve
from tests.mock_aimharder.support import StartMock


@pytest.fixture
def start_mock() -> Iterator[StartMock]:
    """``start_mock(config, seed=0) -> base URL``; every server started is stopped at teardown."""
    with ExitStack() as stack:

        def start(config: MockConfig, *, seed: int = 0) -> str:
            return stack.enter_context(serve(create_app(config, seed=seed)))

        yield start
