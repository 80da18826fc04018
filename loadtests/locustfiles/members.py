"""What the users that act as gym members share: logging in to the mock AimHarder."""

from __future__ import annotations

from locust import HttpUser

__all__ = ["log_in"]


def log_in(user: HttpUser, *, base: str, email: str, password: str, name: str) -> None:
    """JSON login (mock_aimharder/API.md); the session cookie stays in ``user``'s client. A
    refusal is a failure of the request named ``name``."""
    body = {"username": email, "password": password, "iniframe": 0}
    with user.client.post(
        f"{base}/api/login", json=body, name=name, catch_response=True
    ) as response:
        auth = response.json().get("data", {}).get("auth", {}) if response.ok else {}
        if auth.get("authOK") is not True:
            response.failure(f"login of {email!r} refused: {response.text[:200]}")
