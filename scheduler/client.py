"""AimHarder over HTTP: log in, book, read the listing, with the paths and fields clients use.

The client turns HTTP into domain values and domain errors and decides nothing: whether a refusal
is final, whether to retry, what counts as booked, all live in the core (``scheduler.core.flows``).
It keeps no clock either: the driver stamps each error it throws into a flow with its own.
Sources for every path and field: mock_aimharder/API.md (each cites the public client it rests on).
Requests go through the invocation's ``scheduler.connections``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode

from scheduler.connections import Connections, HttpAnswer
from scheduler.core.domain import BookingResult, Prebooking, Seconds, Session, UserId
from scheduler.core.errors import (
    HttpStatusError,
    LoginRefused,
    SessionExpiredError,
)

__all__ = ["AimHarderClient", "LoginRefused", "cookie_header", "fingerprint_for"]

SESSION_COOKIE = "amhrdrauth"
FORM = "application/x-www-form-urlencoded"


def fingerprint_for(user: str) -> str:
    """A stable 50-character device fingerprint derived from the e-mail.

    Public clients derive one from the e-mail so AimHarder does not see a new device on every
    run (mock_aimharder/API.md: epereztg and danielcasanovasgayoso).
    """
    return hashlib.sha256(user.encode()).hexdigest()[:50]


def cookie_header(cookies: Mapping[str, str]) -> str:
    """A session's ``Cookie`` header: its cookies as ``name=value`` pairs, as a browser
    joins them."""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class AimHarderClient:
    """One invocation's client of AimHarder at ``base_url`` (the mock in this project).

    One exchange books for many users, each request with its own user's session in an explicit
    ``Cookie`` header, and with nothing of any other user's: the exchange keeps no cookie it
    hears (``scheduler.connections``).
    """

    def __init__(self, http: Connections, *, base_url: str) -> None:
        self._exchange = http
        self._base = base_url.rstrip("/")

    async def login(self, user: UserId, password: str, *, timeout: Seconds = 10.0) -> Session:
        """The JSON login (mock_aimharder/API.md); the session is the cookies it sets."""
        body = {
            "username": user,
            "password": password,
            "fingerprint": fingerprint_for(user),
            "iniframe": 0,
        }
        answer = await self._send(
            "POST",
            "/api/login",
            timeout=timeout,
            body=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        payload = _json_object(answer)
        auth = payload.get("data", {}).get("auth", {}) if isinstance(payload, dict) else {}
        if not (isinstance(auth, dict) and auth.get("authOK") is True):
            raise LoginRefused(f"AimHarder refused the login of {user!r}: {payload.get('error')!r}")
        cookies = _cookies_set(answer.set_cookies)
        if SESSION_COOKIE not in cookies:
            raise LoginRefused(f"login of {user!r} answered authOK but set no {SESSION_COOKIE}")
        return Session(user=user, cookies=cookies)

    async def book(
        self, prebooking: Prebooking, session: Session, *, timeout: Seconds
    ) -> BookingResult:
        """``POST /api/book`` with the form fields every public client sends
        (mock_aimharder/API.md)."""
        form = {
            "id": str(prebooking.class_id),
            "day": prebooking.day,
            "insist": "0",
            "familyId": "",
        }
        answer = await self._send(
            "POST",
            f"/api/book?{urlencode({'box': str(prebooking.box)})}",
            timeout=timeout,
            body=urlencode(form).encode(),
            headers={"content-type": FORM, "cookie": cookie_header(session.cookies)},
        )
        payload = _json_object(answer)
        if payload.get("logout"):
            raise SessionExpiredError(f"session of {session.user!r} has expired")
        return _booking_result(payload, answer)

    async def place(
        self, prebooking: Prebooking, session: Session, *, timeout: Seconds
    ) -> int | None:
        """The user's ``bookState`` in the prebooking's class from ``GET /api/bookings``.

        None when the class lists no state for the user (no place, no waitlist place); a class
        missing from the day's listing also holds no place of the user's.
        """
        query = urlencode({"day": prebooking.day, "box": str(prebooking.box), "familyId": ""})
        answer = await self._send(
            "GET",
            f"/api/bookings?{query}",
            timeout=timeout,
            body=None,
            headers={"cookie": cookie_header(session.cookies)},
        )
        payload = _json_object(answer)
        if payload.get("logout"):
            raise SessionExpiredError(f"session of {session.user!r} has expired")
        classes = payload.get("bookings")
        if not isinstance(classes, list):
            raise HttpStatusError(answer.status, body=f"listing without bookings: {_text(answer)}")
        for listed in classes:
            if isinstance(listed, dict) and str(listed.get("id")) == str(prebooking.class_id):
                state = listed.get("bookState")
                return state if isinstance(state, int) and not isinstance(state, bool) else None
        return None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        timeout: Seconds,
        body: bytes | None,
        headers: Mapping[str, str],
    ) -> HttpAnswer:
        answer = await self._exchange.send(
            method, self._base + path, body=body, headers=headers, timeout=timeout
        )
        if answer.status != 200:
            raise HttpStatusError(
                answer.status, retry_after=_retry_after(answer.retry_after), body=_text(answer)
            )
        return answer


def _text(answer: HttpAnswer) -> str:
    return answer.body.decode("utf-8", errors="replace")


def _json_object(answer: HttpAnswer) -> dict[str, Any]:
    try:
        payload = json.loads(answer.body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise HttpStatusError(answer.status, body=f"not a JSON object: {_text(answer)}")
    return payload


def _booking_result(payload: Mapping[str, Any], answer: HttpAnswer) -> BookingResult:
    state = payload.get("bookState")
    if isinstance(state, str) and state.lstrip("-").isdigit():
        state = int(state)
    if not isinstance(state, int) or isinstance(state, bool):
        raise HttpStatusError(
            answer.status, body=f"booking answer without bookState: {_text(answer)}"
        )
    reservation = payload.get("id")
    return BookingResult(
        book_state=state,
        reservation_id=None if reservation in (None, "") else str(reservation),
        message=payload.get("errorMssg") or None,
        message_lang=payload.get("errorMssgLang") or None,
    )


def _cookies_set(headers: tuple[str, ...]) -> dict[str, str]:
    """The non-empty cookies a set of ``Set-Cookie`` headers sets, by name (a malformed
    header sets none)."""
    jar: SimpleCookie = SimpleCookie()
    for header in headers:
        try:
            jar.load(header)
        except CookieError:
            continue
    return {name: morsel.value for name, morsel in jar.items() if morsel.value}


def _retry_after(value: str | None) -> float | None:
    """Seconds from ``Retry-After``; the HTTP-date form is ignored (AimHarder sends none)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
