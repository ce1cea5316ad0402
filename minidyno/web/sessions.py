"""Dashboard logins: a one-time code (from `minidyno dashboard`) or the API token
becomes an HttpOnly session cookie. Kept in memory: a restarted server asks to log in
again, which is the safe side.

Each session also has a CSRF token, which the dashboard's pages carry and its scripts
send back in a header: a page of another origin gets the cookie sent along (cookies
ignore ports, so any page on 127.0.0.1 is "same-site"), but never the token."""

from __future__ import annotations

import secrets
import threading
import time

CODE_SECONDS = 300
SESSION_SECONDS = 12 * 3600
COOKIE = "minidyno_session"


class Sessions:
    def __init__(self) -> None:
        self._codes: dict[str, float] = {}
        #: session -> (expiry, CSRF token)
        self._sessions: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def new_code(self) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = time.time() + CODE_SECONDS
        return code

    def redeem(self, code: str) -> str | None:
        """A session for a code not used before and not expired; the code is spent."""
        with self._lock:
            expires = self._codes.pop(code, 0.0)
        return self.open() if expires > time.time() else None

    def open(self) -> str:
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session] = (time.time() + SESSION_SECONDS, secrets.token_urlsafe(32))
        return session

    def valid(self, session: str | None) -> bool:
        return self.csrf_token(session) is not None

    def csrf_token(self, session: str | None) -> str | None:
        """The session's CSRF token while the session lasts."""
        with self._lock:
            expires, token = self._sessions.get(session or "", (0.0, ""))
        return token if expires > time.time() else None

    def close(self, session: str | None) -> None:
        with self._lock:
            self._sessions.pop(session or "", None)
