"""Accounts and login sessions: who may book, and which cookie values prove it.

The session cookie is ``amhrdrauth`` with a value ``<userId>|<unixExpiry>|<hex>``, the shape of
the sample in Marc-Roig/AlphaBot (AIMHARDER-API.md §1.A); the server keeps the live values, so
a forged or expired one is simply unknown. Time comes in as ``now`` (wall-clock seconds).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from mock_aimharder.model.config import UserAccount

__all__ = ["SESSION_COOKIE", "Account", "Accounts", "Session"]

SESSION_COOKIE = "amhrdrauth"
"""The cookie every box route checks (AIMHARDER-API.md §1, checked by Marc-Roig and kiru22)."""


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
        self.add(accounts)

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

    def clear_sessions(self) -> None:
        """Log everybody out."""
        self._sessions.clear()

    def get(self, user_id: int) -> Account | None:
        """The account with this id, if any."""
        return self._by_id.get(user_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def login(self, email: str, password: str, *, now: float) -> Session | None:
        """A new session when the e-mail (any case) and password match; None otherwise."""
        account = self._by_email.get(email.strip().lower())
        if account is None or not secrets.compare_digest(account.password, password):
            return None
        expires = now + self.session_ttl
        cookie = f"{account.id}|{int(expires)}|{self._token()}"
        session = Session(cookie=cookie, user_id=account.id, expires_at=expires)
        self._sessions[cookie] = session
        return session

    def authenticate(self, cookie: str | None, *, now: float) -> Account | None:
        """The account behind a live cookie value (raw or URL-encoded); None if unknown or dead."""
        if not cookie:
            return None
        session = self._sessions.get(unquote(cookie).strip('"'))
        if session is None or session.expires_at <= now:
            return None
        return self._by_id.get(session.user_id)
