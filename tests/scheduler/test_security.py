"""Security: who may start an invocation, what never leaks, where the servers listen.

- the cron endpoint refuses a missing, empty or wrong secret (401), and everything when no
  secret is configured (503), whatever the header says;
- the secret, the database password and users' cookies appear in no answer and no log line
  (the real ``python -m scheduler serve`` process's whole log is read);
- both servers listen on 127.0.0.1 unless told otherwise; the mock's admin API can be off.
"""

from __future__ import annotations

import inspect
import logging
import time
from pathlib import Path

import httpx
import pytest

from harness.gym import enqueue, log_in_all, users
from harness.tls import shared_tls
from mock_aimharder.__main__ import _parser as mock_parser
from mock_aimharder.model.config import MockConfig, UserAccount
from mock_aimharder.server.app import create_app as create_mock
from mock_aimharder.server.serving import serve
from scheduler.app import CRON_PATH, create_app
from scheduler.cli import _parser as scheduler_parser
from scheduler.cli import main as scheduler_main
from scheduler.settings import Settings
from scheduler.store import MemoryStore, open_store
from tests.scheduler.real import mock_gym
from tests.scheduler.served import cron, served

pytestmark = pytest.mark.long(10)  # seconds: see tests/conftest.py

SECRET = "s3cr3t-" + "9f" * 16


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        f"Bearer {SECRET[:-1]}",  # a prefix of the secret
        f"Bearer {SECRET}x",  # the secret and more
        f"Basic {SECRET}",  # the secret under another scheme
        SECRET,  # the bare secret, no scheme
        "Bearer undefined",  # the seed's hole (mock_aimharder/API.md, "Its cron secret")
    ],
)
def test_the_cron_endpoint_refuses_a_missing_empty_or_wrong_secret(
    authorization: str | None,
) -> None:
    store = MemoryStore()
    headers = {} if authorization is None else {"Authorization": authorization}
    with serve(create_app(Settings(cron_secret=SECRET), store=store)) as url:
        answer = httpx.post(url + CRON_PATH, headers=headers, timeout=10, verify=shared_tls())
    assert answer.status_code == 401
    assert answer.json()["success"] is False
    assert SECRET not in answer.text


@pytest.mark.parametrize("configured", [None, ""])
@pytest.mark.parametrize("offered", ["Bearer undefined", "Bearer", "Bearer null", None])
def test_with_no_secret_configured_every_call_is_refused(
    configured: str | None, offered: str | None
) -> None:
    settings = Settings.from_environment(
        {"CRON_SECRET": configured} if configured is not None else {}
    )
    assert settings.cron_secret is None  # an empty CRON_SECRET is no secret
    headers = {} if offered is None else {"Authorization": offered}
    with serve(create_app(settings, store=MemoryStore())) as url:
        answer = httpx.post(url + CRON_PATH, headers=headers, timeout=10, verify=shared_tls())
    assert answer.status_code == 503
    assert answer.json()["success"] is False


def test_no_secret_password_or_cookie_reaches_an_answer_or_a_log_line(tmp_path: Path) -> None:
    athletes = users(2)
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    log = tmp_path / "serve.log"
    with open_store(db) as store, mock_gym(2) as mock_url:
        log_in_all(store, mock_url, athletes)
        sessions = [store.get_session(u) for u in athletes]
        cookies = [v for s in sessions if s is not None for v in s.cookies.values()]
        assert len(cookies) >= len(athletes)
        enqueue(store, athletes, available_at=time.time() - 1)
        args = ["--db", db, "--aimharder-url", mock_url]
        answers: list[httpx.Response] = []
        with served(args, log=log, secret=SECRET) as server:
            answers.append(cron(server.url, "wrong-" + SECRET))
            answers.append(cron(server.url, SECRET))
        unreachable = "postgresql://harness:pw-hunter2@127.0.0.1:1/nowhere"
        down_log = tmp_path / "down.log"
        with served(["--db", unreachable], log=down_log, secret=SECRET) as server:
            answers.append(cron(server.url, SECRET))
    assert [a.status_code for a in answers] == [401, 200, 503]
    assert answers[1].json()["results"]["completed"] == 2
    written = log.read_text() + down_log.read_text() + "".join(a.text for a in answers)
    assert "refused" in written and "invocation" in written  # the log did record the calls
    for secret in [SECRET, "pw-hunter2", *cookies]:
        assert secret not in written
    assert "Traceback" not in written


def test_both_servers_listen_on_loopback_by_default(tmp_path: Path) -> None:
    assert scheduler_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert mock_parser().parse_args([]).host == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with served(["--db", db, "--create"], log=tmp_path / "serve.log", secret=SECRET) as server:
        assert server.url.startswith("http://127.0.0.1:")


def test_the_mock_admin_api_can_be_switched_off() -> None:
    config = MockConfig(
        users=[UserAccount(email="ana@example.com", password="pw")], admin_enabled=False
    )
    with (
        serve(create_mock(config, seed=1)) as url,
        httpx.Client(base_url=url, timeout=10, verify=shared_tls()) as http,
    ):
        refused = [
            http.get("/_admin/config").status_code,
            http.put("/_admin/config", json={"admin_enabled": True}).status_code,
            http.get("/_admin/journal").status_code,
            http.post("/_admin/reset").status_code,
        ]
        login = http.post("/api/login", json={"mail": "ana@example.com", "pw": "pw"})
    assert refused == [404, 404, 404, 404]
    assert login.status_code < 500


CREDENTIAL_URLS = [
    "postgresql://harness:pw-userinfo@127.0.0.1:1/nowhere",
    "postgresql://harness@127.0.0.1:1/nowhere?password=pw-query",
    "postgresql:///nowhere?host=127.0.0.1&port=1&user=harness&password=pw-hostform",
    "postgresql://harness@127.0.0.1:1/nowhere?sslpassword=pw-sslkey&sslmode=disable",
]


@pytest.mark.parametrize("url", CREDENTIAL_URLS, ids=["userinfo", "query", "host=", "ssl"])
def test_no_form_of_database_password_reaches_the_cli_the_answer_or_the_log(
    tmp_path: Path,
    url: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 22, item 5: only ``user:password@`` was masked; ``?password=`` came out in clear.

    The commands run in this process, as ``python -m scheduler`` runs them: what they print is
    read at the file descriptors, what they log from every record at every level. The served
    endpoint runs in a process of its own, and its whole log is read.
    """
    secret = url.split("pw-", 1)[1].split("&", 1)[0]
    caplog.set_level(logging.DEBUG)
    assert scheduler_main(["invoke", "--db", url]) != 0
    assert scheduler_main(["status", "--db", url]) != 0
    printed = capfd.readouterr()
    log = tmp_path / "down.log"
    with served(["--db", url], log=log, secret=SECRET) as server:
        answer = cron(server.url, SECRET)
    assert answer.status_code == 503
    written = printed.out + printed.err + caplog.text + answer.text + log.read_text()
    assert "127.0.0.1" in written  # the URL is shown, masked
    assert f"pw-{secret}" not in written
