"""A served process admits ``max_invocations`` invocations at once; a call beyond them is
answered at once with 503 and ``Retry-After``, claims nothing, and the next call after one ends
is admitted again. Without it, every call joins the invocations' one event loop, which falls
behind and sends late."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mock_aimharder.server.serving import serve
from scheduler.app import BUSY_RETRY_AFTER, CRON_PATH, create_app
from scheduler.core.domain import InstanceId
from scheduler.core.errors import ConfigurationError
from scheduler.core.strategies import strategy
from scheduler.settings import MAX_INVOCATIONS_CEILING, Settings
from scheduler.store import MemoryStore

SECRET = "admission-test-secret"


class HeldStore(MemoryStore):
    """Holds each delivery's note until released, and says when one is being held."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.noted: list[InstanceId] = []

    def begin_delivery(self, instance_id: InstanceId, now: float, *, hold: float) -> bool:
        self.noted.append(instance_id)
        self.entered.set()
        self.release.wait(timeout=30)
        return super().begin_delivery(instance_id, now, hold=hold)


def _call(url: str, delivery: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {SECRET}", "X-Delivery-Id": delivery}
    return httpx.post(url + CRON_PATH, headers=headers, timeout=30)


def test_a_call_beyond_the_admitted_invocations_is_answered_busy_at_once_and_noted_nowhere() -> (
    None
):
    store = HeldStore()
    policy = strategy("parallel", max_duration=10.0)
    settings = Settings(policy=policy, max_duration=10.0, cron_secret=SECRET, max_invocations=1)
    with serve(create_app(settings, store=store)) as url, ThreadPoolExecutor(1) as pool:
        first = pool.submit(_call, url, "msg_first")
        assert store.entered.wait(timeout=30)
        # The first invocation is held inside its store call; the second is answered while it is.
        refused = _call(url, "msg_second")
        assert not first.done()
        store.release.set()
        admitted = first.result(timeout=30)
        again = _call(url, "msg_third")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(BUSY_RETRY_AFTER)
    assert refused.json()["busy"] is True
    assert admitted.status_code == 200
    assert again.status_code == 200
    # The refused call noted no delivery id: its retry runs as a first delivery.
    assert [i for i in store.noted if "second" in i] == []


@pytest.mark.parametrize("given", ["0", "-3", str(MAX_INVOCATIONS_CEILING + 1), "many", "2.5"])
def test_a_bad_admission_limit_is_refused_in_one_line_naming_it(given: str) -> None:
    with pytest.raises(ConfigurationError, match=r"SCHEDULER_MAX_INVOCATIONS|max_invocations") as e:
        Settings.from_environment({"SCHEDULER_MAX_INVOCATIONS": given})
    assert "\n" not in str(e.value)


def test_the_admission_limit_is_read_from_the_environment() -> None:
    settings = Settings.from_environment({"SCHEDULER_MAX_INVOCATIONS": "3"})
    assert settings.max_invocations == 3
