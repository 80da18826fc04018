"""AimHarder over HTTP: log in, book, read the listing, with the paths and fields clients use.

The client turns HTTP into domain values and domain errors and decides nothing: whether a refusal
is final, whether to retry, what counts as booked, all live in the core (``scheduler.core.flows``).
It keeps no clock either: the driver stamps each error it throws into a flow with its own.
Sources for every path and field: mock_aimharder/API.md (each cites the public client it rests on).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from typing import Any
from urllib.parse import urlencode

import httpx

from scheduler.core.domain import BookingResult, Prebooking, Seconds, Session, UserId
from scheduler.core.errors import (
    HttpStatusError,
    LoginRefused,
    SessionExpiredError,
    TransportError,
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


class _KeepNone(CookiePolicy):
    """A cookie policy that stores no cookie and sends none."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = False

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


class AimHarderClient:
    """One invocation's connection to AimHarder (``base_url`` is the mock in this project).

    One ``http`` client books for many users, each request with its own user's session in an
    explicit ``Cookie`` header. The client's cookie jar is replaced by one that keeps nothing:
    httpx stores every ``Set-Cookie`` it hears in the client's jar and adds the jar to later
    requests, so a cookie set in an answer to one user would travel with another user's
    booking (and, with a different domain, beside that user's own ``amhrdrauth``).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
    ) -> None:
        http.cookies = CookieJar(policy=_KeepNone())
        self._http = http
        self._base = base_url.rstrip("/")

    async def login(self, user: UserId, password: str, *, timeout: Seconds = 10.0) -> Session:
        """The JSON login (mock_aimharder/API.md); the session is the cookies it sets."""
        body = {
            "username": user,
            "password": password,
            "fingerprint": fingerprint_for(user),
            "iniframe": 0,
        }
        response = await self._send("POST", "/api/login", timeout=timeout, json=body)
        payload = _json_object(response)
        auth = payload.get("data", {}).get("auth", {}) if isinstance(payload, dict) else {}
        if not (isinstance(auth, dict) and auth.get("authOK") is True):
            raise LoginRefused(f"AimHarder refused the login of {user!r}: {payload.get('error')!r}")
        cookies = {name: value for name, value in response.cookies.items() if value}
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
        response = await self._send(
            "POST",
            f"/api/book?{urlencode({'box': str(prebooking.box)})}",
            timeout=timeout,
            content=urlencode(form).encode(),
            headers={"content-type": FORM, "cookie": cookie_header(session.cookies)},
        )
        payload = _json_object(response)
        if payload.get("logout"):
            raise SessionExpiredError(f"session of {session.user!r} has expired")
        return _booking_result(payload, response)

    async def place(
        self, prebooking: Prebooking, session: Session, *, timeout: Seconds
    ) -> int | None:
        """The user's ``bookState`` in the prebooking's class from ``GET /api/bookings``.

        None when the class lists no state for the user (no place, no waitlist place); a class
        missing from the day's listing also holds no place of the user's.
        """
        query = urlencode({"day": prebooking.day, "box": str(prebooking.box), "familyId": ""})
        response = await self._send(
            "GET",
            f"/api/bookings?{query}",
            timeout=timeout,
            headers={"cookie": cookie_header(session.cookies)},
        )
        payload = _json_object(response)
        if payload.get("logout"):
            raise SessionExpiredError(f"session of {session.user!r} has expired")
        classes = payload.get("bookings")
        if not isinstance(classes, list):
            raise HttpStatusError(
                response.status_code, body=f"listing without bookings: {response.text}"
            )
        for listed in classes:
            if isinstance(listed, dict) and str(listed.get("id")) == str(prebooking.class_id):
                state = listed.get("bookState")
                return state if isinstance(state, int) and not isinstance(state, bool) else None
        return None

    async def _send(
        self, method: str, path: str, *, timeout: Seconds, **kwargs: Any
    ) -> httpx.Response:
        try:
            # The query is in ``path`` and the form in ``content``, encoded here: httpx's
            # ``params``, ``data`` and ``cookies`` cost some 0.2 ms a request more to merge.
            request = self._http.build_request(
                method, self._base + path, timeout=httpx.Timeout(timeout), **kwargs
            )
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            raise TransportError(f"{method} {path} timed out after {timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {path} failed: {exc!r}") from exc
        if response.status_code != httpx.codes.OK:
            raise HttpStatusError(
                response.status_code,
                retry_after=_retry_after(response.headers),
                body=response.text,
            )
        return response


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise HttpStatusError(response.status_code, body=f"not a JSON object: {response.text}")
    return payload


def _booking_result(payload: Mapping[str, Any], response: httpx.Response) -> BookingResult:
    state = payload.get("bookState")
    if isinstance(state, str) and state.lstrip("-").isdigit():
        state = int(state)
    if not isinstance(state, int) or isinstance(state, bool):
        raise HttpStatusError(
            response.status_code, body=f"booking answer without bookState: {response.text}"
        )
    reservation = payload.get("id")
    return BookingResult(
        book_state=state,
        reservation_id=None if reservation in (None, "") else str(reservation),
        message=payload.get("errorMssg") or None,
        message_lang=payload.get("errorMssgLang") or None,
    )


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``Retry-After``; the HTTP-date form is ignored (AimHarder sends none)."""
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
