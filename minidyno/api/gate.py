"""The gate every HTTP request passes before any route runs: the token is checked and
the body's size capped *before* a byte of the body is read.

FastAPI reads (and parses) a request's body before it runs a route's dependencies, so
the token check of the routes alone let anyone make the server read a large JSON body.
Here an unauthenticated request is answered 401 at once, a body that says it is too
large 413, and one that turns out too large while streaming is cut off.
"""

from __future__ import annotations

import re

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minidyno.api.heroku.errors import MEDIA_TYPE, answer
from minidyno.web.auth import CHALLENGE, UNAUTHORIZED, authorized

#: What anyone may ask for: the health check, the dashboard's pages (which ask to log
#: in themselves) and their static files, and a log session's stream (its URL holds
#: its own secret, as Logplex's do).
PUBLIC = re.compile(r"^/(health|login|logout|static/.*|dashboard/apps/[^/]+|log-sessions/[^/]+)?$")
#: Where a body is a push: git's receive-pack (at minidyno's URL or Heroku's) and the
#: source tarball of a build or of a doctor run.
PUSHES = re.compile(r"^/(git/[^/]+/git-receive-pack|[^/]+\.git/git-receive-pack|apps/[^/]+/builds|doctor)$")
#: Every other body is a little JSON (config vars are at most 32 KiB, Heroku's limit).
JSON_LIMIT = 1024 * 1024


class Gate:
    def __init__(self, app: ASGIApp, max_push_bytes: int) -> None:
        self.app = app
        self.max_push_bytes = max_push_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not PUBLIC.match(path) and not authorized(HTTPConnection(scope)):
            await _answer(scope, receive, send, 401, UNAUTHORIZED, CHALLENGE)
            return
        limit = self.max_push_bytes if PUSHES.match(path) else JSON_LIMIT
        declared = HTTPConnection(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(scope, receive, send, 413, _too_large(path, limit))
            return
        await self.app(scope, _capped(receive, limit), send)


def _capped(receive: Receive, limit: int) -> Receive:
    """A body that grows past `limit` while streaming (chunked, no Content-Length) ends
    as if the client went away: the route stops reading and nothing is kept."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                return {"type": "http.disconnect"}
        return message

    return capped


def _too_large(path: str, limit: int) -> str:
    if PUSHES.match(path):
        return (
            f"this push is larger than {limit // 2**20} MiB: keep large files out of the "
            "repo, or raise MINIDYNO_MAX_PUSH_MB"
        )
    return f"the request body is larger than {limit // 1024} KiB"


async def _answer(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> None:
    """minidyno's error shape, or the Platform API's for Heroku's clients."""
    if MEDIA_TYPE in HTTPConnection(scope).headers.get("accept", ""):
        response = answer(status, message, headers)
    else:
        response = JSONResponse({"error": message}, status_code=status, headers=headers)
    await response(scope, receive, send)
