"""The API token: made on first start (mode 0600), required on every endpoint but the
health check, as a Bearer token or as the password of HTTP basic auth (what git sends;
any user name)."""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from pathlib import Path

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from minidyno.dashboard.sessions import COOKIE


def ensure_token(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def presented_token(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


UNAUTHORIZED = ("missing or wrong API token: run `minidyno git:remote -a APP` for git, or set "
                "MINIDYNO_API_TOKEN")
CHALLENGE = {"WWW-Authenticate": 'Basic realm="minidyno"'}


def authorized(connection: HTTPConnection) -> bool:
    """The token (Bearer, or basic auth's password), or the dashboard's session cookie."""
    if connection.app.state.sessions.valid(connection.cookies.get(COOKIE)):
        return True
    expected: str = connection.app.state.token
    given = presented_token(connection.headers.get("authorization", ""))
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def require_token(connection: HTTPConnection) -> None:
    """For HTTP requests and WebSockets alike (an interactive `run` is a WebSocket)."""
    if not authorized(connection):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED, headers=CHALLENGE)
