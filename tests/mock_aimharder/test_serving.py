"""``serve`` (any ASGI app, a free port, a clean stop) and ``python -m mock_aimharder``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from harness.children import child
from mock_aimharder.model.errors import ServingError
from mock_aimharder.server.serving import bind_socket, serve

ROOT = Path(__file__).resolve().parents[2]


def _bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    return app


def test_serve_yields_a_loopback_url_on_a_free_port_and_stops_on_exit() -> None:
    with serve(_bare_app()) as url:
        answer = httpx.get(f"{url}/ping").json()
    assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) > 0
    assert answer == {"pong": True}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/ping")


def test_serve_refuses_a_port_in_use_with_a_clear_error() -> None:
    taken = bind_socket("127.0.0.1", 0)
    taken.listen()
    try:
        port = taken.getsockname()[1]
        with (
            pytest.raises(ServingError, match=f"cannot bind 127.0.0.1:{port}"),
            serve(_bare_app(), port=port),
        ):
            pass
    finally:
        taken.close()


def test_serve_reports_an_app_that_fails_to_start() -> None:
    with pytest.raises(ServingError, match="exited before start-up"), serve("no.such.module:app"):
        pass


def test_the_command_line_serves_a_config_file_on_the_port_it_prints(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text('[[users]]\nemail = "ana@example.test"\npassword = "pw"\n')
    command = [sys.executable, "-m", "mock_aimharder", "--port", "0", "--config", str(config)]
    with child("mock_aimharder", command) as mock:
        body = {"username": "ana@example.test", "password": "pw", "fingerprint": "f"}
        answer = httpx.post(f"{mock.url}/api/login", json=body, timeout=10).json()
        line = mock.log_text().splitlines()[0]
    assert line == f"mock_aimharder listening on {mock.url}"
    assert mock.url.startswith("http://127.0.0.1:")
    assert answer["data"]["userData"]["id"] == 100001


def test_the_command_line_refuses_a_bad_config_file_with_exit_status_2(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text("[[classes]]\nid = 1\nday = '2025'\ntime = '18:00'\n")
    command = [sys.executable, "-m", "mock_aimharder", "--port", "0", "--config", str(config)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert "classes.0.day" in done.stderr and "YYYYMMDD" in done.stderr
