"""Accounts and login sessions: who may book, and which cookie values prove it.

The session cookie is ``amhrdrauth`` with a value ``<userId>|<unixExpiry>|<hex>``, the shape of
the sample in Marc-Roig/AlphaBot (mock_aimharder/API.md, "Login, both flows, and the session
cookie"); the server keeps the live values, so a forged or expired one is simply unknown. Time comes
in as ``now`` (wall-clock seconds).

Each session also has a refresh token (the login's ``refreshToken``, the form login's
``token=``): ``/setrefresh`` installs the session for it, ``/api/tokenUpdate`` extends the
session by the lifetime and hands out a new token (kappys1's refresh service).
Repeated wrong passwords lock an account for a while ("demasiadas veces", fitbot), when
``lockout`` is set.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import unquote

from mock_aimharder.model.config import UserAccount

__all__ = ["SESSION_COOKIE", "Account", "Accounts", "LoginRefusal", "Session"]

SESSION_COOKIE = "amhrdrauth"
"""The cookie every box route checks (API.md: checked by Marc-Roig and kiru22)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """A member who can log in."""

    id: int
    email: str
    password: str
    name: str

    @classmethod
    def of(cls, user: UserAccount) -> Account:
        """The account a validated ``UserAccount`` describes (its id already assigned)."""
        if user.id is None:
            raise ValueError(f"user {user.email!r} has no id; expected one assigned by MockConfig")
        name = user.name or user.email.split("@", 1)[0]
        return cls(id=user.id, email=user.email, password=user.password, name=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A logged-in session: the cookie value and until when it is valid."""

    cookie: str
    user_id: int
    expires_at: float
    token: str


class LoginRefusal(StrEnum):
    """Why a login was refused."""

    WRONG = "wrong"  # unknown e-mail or wrong password ("incorrecto")
    LOCKED = "locked"  # too many wrong passwords in a row ("demasiadas veces")


class Accounts:
    """The member registry and the live sessions."""

    def __init__(
        self,
        accounts: Iterable[Account] = (),
        *,
        session_ttl: float,
        token: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self.session_ttl = session_ttl
        self._token = token
        self._by_id: dict[int, Account] = {}
        self._by_email: dict[str, Account] = {}
        self._sessions: dict[str, Session] = {}
        self._by_token: dict[str, str] = {}  # refresh token -> session cookie
        self._failures: dict[int, int] = {}  # account id -> wrong passwords in a row
        self._locked_until: dict[int, float] = {}
        self._lockout_after: int | None = None
        self._lockout_seconds = 0.0
        self.add(accounts)

    def lockout(self, *, after: int | None, seconds: float) -> None:
        """Lock an account ``seconds`` long after ``after`` wrong passwords in a row.

        ``after`` None: never."""
        self._lockout_after, self._lockout_seconds = after, seconds

    def add(self, accounts: Iterable[Account]) -> None:
        """Add or replace accounts (by id); their live sessions stay valid."""
        for account in accounts:
            old = self._by_id.get(account.id)
            if old is not None:
                self._by_email.pop(old.email.lower(), None)
            self._by_id[account.id] = account
            self._by_email[account.email.lower()] = account

    def replace(self, accounts: Iterable[Account]) -> None:
        """Keep exactly ``accounts``; the sessions of removed accounts die with them."""
        self._by_id.clear()
        self._by_email.clear()
        self.add(accounts)
        self._sessions = {k: s for k, s in self._sessions.items() if s.user_id in self._by_id}
        self._by_token = {t: c for t, c in self._by_token.items() if c in self._sessions}

    def clear_sessions(self) -> None:
        """Log everybody out, and forget wrong passwords and lockouts."""
        self._sessions.clear()
        self._by_token.clear()
        self._failures.clear()
        self._locked_until.clear()

    def get(self, user_id: int) -> Account | None:
        """The account with this id, if any."""
        return self._by_id.get(user_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def login(self, email: str, password: str, *, now: float) -> Session | LoginRefusal:
        """A new session when the e-mail (any case) and password match and the account is not
        locked; why not otherwise."""
        account = self._by_email.get(email.strip().lower())
        if account is None:
            return LoginRefusal.WRONG
        if self._locked_until.get(account.id, float("-inf")) > now:
            return LoginRefusal.LOCKED
        if not secrets.compare_digest(account.password.encode(), password.encode()):
            failures = self._failures.get(account.id, 0) + 1
            self._failures[account.id] = failures
            if self._lockout_after is not None and failures >= self._lockout_after:
                self._locked_until[account.id] = now + self._lockout_seconds
                del self._failures[account.id]
            return LoginRefusal.WRONG
        self._failures.pop(account.id, None)
        expires = now + self.session_ttl
        cookie = f"{account.id}|{int(expires)}|{self._token()}"
        session = Session(
            cookie=cookie, user_id=account.id, expires_at=expires, token=self._token()
        )
        self._sessions[cookie] = session
        self._by_token[session.token] = cookie
        return session

    def session(self, cookie: str | None, *, now: float) -> Session | None:
        """The live session of a cookie value (raw or URL-encoded); None if unknown or dead."""
        if not cookie:
            return None
        session = self._sessions.get(unquote(cookie).strip('"'))
        if session is None or session.expires_at <= now:
            return None
        return session

    def authenticate(self, cookie: str | None, *, now: float) -> Account | None:
        """The account behind a live cookie value (raw or URL-encoded); None if unknown or dead."""
        session = self.session(cookie, now=now)
        return None if session is None else self._by_id.get(session.user_id)

    def by_token(self, token: str, *, now: float) -> Session | None:
        """The live session a refresh token belongs to."""
        cookie = self._by_token.get(token)
        return None if cookie is None else self.session(cookie, now=now)

    def extend(self, session: Session, *, now: float) -> Session:
        """The session valid for another lifetime from ``now``, under a new refresh token."""
        extended = replace(session, expires_at=now + self.session_ttl, token=self._token())
        self._sessions[session.cookie] = extended
        self._by_token.pop(session.token, None)
        self._by_token[extended.token] = session.cookie
        return extended

    def logout(self, cookie: str | None) -> None:
        """End the session of a cookie value, if it has one."""
        session = self._sessions.pop(unquote(cookie or "").strip('"'), None)
        if session is not None:
            self._by_token.pop(session.token, None)
