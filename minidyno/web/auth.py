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

from minidyno.web.sessions import COOKIE


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


UNAUTHORIZED = (
    "missing or wrong API token: run `minidyno git:remote -a APP` for git, or set MINIDYNO_API_TOKEN"
)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="minidyno"'}


#: The header (or, for a WebSocket, the subprotocol `csrf.<token>`) that carries the
#: dashboard session's CSRF token.
CSRF_HEADER = "x-csrf-token"


def authorized(connection: HTTPConnection) -> bool:
    """The token (Bearer, or basic auth's password), or the dashboard's session cookie
    on a request that the dashboard's own page made."""
    expected: str = connection.app.state.token
    given = presented_token(connection.headers.get("authorization", ""))
    if given:
        return hmac.compare_digest(given.encode(), expected.encode())
    csrf = connection.app.state.sessions.csrf_token(connection.cookies.get(COOKIE))
    return csrf is not None and _from_dashboard(connection, csrf)


def _from_dashboard(connection: HTTPConnection, csrf: str) -> bool:
    """Made by a dashboard page: from one of its origins (a browser names the origin of
    cross-origin and WebSocket requests, and says `Sec-Fetch-Site`), with the session's
    CSRF token, which no other page can read."""
    headers = connection.headers
    origin = headers.get("origin")
    if origin is not None and origin not in connection.app.state.dashboard_origins:
        return False
    if headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    offered = headers.get(CSRF_HEADER, "")
    if not offered and connection.scope["type"] == "websocket":
        protocols = headers.get("sec-websocket-protocol", "").replace(",", " ").split()
        offered = next((p.removeprefix("csrf.") for p in protocols if p.startswith("csrf.")), "")
    return bool(offered) and hmac.compare_digest(offered.encode(), csrf.encode())


def require_token(connection: HTTPConnection) -> None:
    """For HTTP requests and WebSockets alike (an interactive `run` is a WebSocket)."""
    if not authorized(connection):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED, headers=CHALLENGE)
