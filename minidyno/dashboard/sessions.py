"""Dashboard logins: a one-time code (from `minidyno dashboard`) or the API token
becomes an HttpOnly session cookie. Kept in memory: a restarted server asks to log in
again, which is the safe side."""

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
        self._sessions: dict[str, float] = {}
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
            self._sessions[session] = time.time() + SESSION_SECONDS
        return session

    def valid(self, session: str | None) -> bool:
        with self._lock:
            return bool(session) and self._sessions.get(session, 0.0) > time.time()

    def close(self, session: str | None) -> None:
        with self._lock:
            self._sessions.pop(session or "", None)
