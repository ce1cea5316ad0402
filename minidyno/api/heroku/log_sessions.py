"""Log sessions (`heroku logs`): a POST makes one and answers its `logplex_url`; the CLI
then reads that URL as Server-Sent Events, one `data:` line per log line.

The CLI sends no token to the `logplex_url` (Logplex's URLs carry their own), so the URL
holds a secret of its own, good for one app and filter for an hour. A tail the CLI
reconnects (it does after a dropped stream, with `Last-Event-ID`) goes on from now
rather than sending the history again.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from minidyno.api.heroku.shapes import from_epoch, identity
from minidyno.api.logs import batches
from minidyno.errors import NotFound
from minidyno.logs.format import LogFilter
from minidyno.state import apps
from minidyno.web.deps import PlatformDep

router = APIRouter()
#: The stream itself, which the CLI reads with no token: its secret is the key.
stream_router = APIRouter()

_BREAKS = re.compile(r"\r\n|\r|\n")
#: How long a `logplex_url` stays good.
LIFETIME = 3600.0
#: Where the CLI's log stream is read, without the token: PUBLIC in the gate.
PATH = "/log-sessions/"


class LogSessionCreate(BaseModel):
    dyno: str | None = None
    lines: int = 100
    source: str | None = None
    tail: bool = False


@dataclass(frozen=True)
class _Session:
    app: str
    lines: int
    tail: bool
    only: LogFilter
    expires: float


class LogSessions:
    """The open sessions by secret; an expired one is dropped when the next opens."""

    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def open(self, app: str, body: LogSessionCreate) -> tuple[str, float]:
        secret, now = secrets.token_urlsafe(32), time.time()
        session = _Session(app, body.lines, body.tail, _filter(body.dyno, body.source), now + LIFETIME)
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s.expires < now]:
                del self._sessions[key]
            self._sessions[secret] = session
        return secret, now

    def get(self, secret: str) -> _Session:
        with self._lock:
            session = self._sessions.get(secret)
        if session is None or session.expires < time.time():
            raise NotFound("this log session is over; run `heroku logs` again")
        return session


def _filter(dyno: str | None, source: str | None) -> LogFilter:
    """`-d web.1` is one dyno and `-d web` (or `-p web`) its type, as Logplex reads
    them; `-s heroku` is the platform's own lines, which minidyno calls `minidyno`."""
    if source == "heroku":
        source = "minidyno"
    if dyno and "." not in dyno:
        return LogFilter(source=source, process_type=dyno)
    return LogFilter(dyno=dyno, source=source)


@router.post("/apps/{app}/log-sessions", status_code=201)
def create_log_session(app: str, body: LogSessionCreate, request: Request, platform: PlatformDep) -> dict:
    with platform.db.connect() as conn:
        apps.get(conn, app)
    secret, now = request.app.state.log_sessions.open(app, body)
    return {
        "id": identity("log-session", app, secret),
        "logplex_url": f"{str(request.base_url).rstrip('/')}{PATH}{secret}",
        "created_at": from_epoch(now),
        "updated_at": from_epoch(now),
    }


@stream_router.get(PATH + "{secret}")
def read_log_session(secret: str, request: Request, platform: PlatformDep) -> StreamingResponse:
    session = request.app.state.log_sessions.get(secret)
    again = "last-event-id" in request.headers
    found = batches(platform.logs, session.app, 0 if again else session.lines, session.only, session.tail)

    def events() -> Iterator[str]:
        for batch in found:
            if not batch:
                yield ": still here\n\n"
            for entry in batch:
                # An event's data ends at any line break, `\r` included (a progress bar's).
                data = "".join(f"data: {part}\n" for part in _BREAKS.split(entry.text))
                yield f"id: {entry.timestamp.timestamp():.6f}\n{data}\n"

    return StreamingResponse(events(), media_type="text/event-stream")
