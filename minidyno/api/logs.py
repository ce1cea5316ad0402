"""/apps/{app}/logs: the app's log stream as text lines; `tail=true` keeps the
response open and sends each new line as it is published."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from minidyno.logs.bus import LogBus
from minidyno.logs.format import LogFilter, LogLine
from minidyno.state import apps
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/logs", tags=["logs"])


@router.get("", response_class=StreamingResponse)
def get_logs(
    app: str,
    platform: PlatformDep,
    num: int = 100,
    tail: bool = False,
    dyno: str | None = None,
    source: str | None = None,
    process_type: str | None = None,
) -> StreamingResponse:
    with platform.db.connect() as conn:
        apps.get(conn, app)
    only = LogFilter(dyno=dyno, source=source, process_type=process_type)
    lines = (
        "".join(f"{entry.text}\n" for entry in batch)
        for batch in batches(platform.logs, app, num, only, tail)
    )
    return StreamingResponse(lines, media_type="text/plain; charset=utf-8")


def batches(bus: LogBus, app: str, num: int, only: LogFilter, tail: bool) -> Iterator[list[LogLine]]:
    """The last `num` lines (at most 1500, as Heroku keeps), then, tailing, each batch as
    it is published (empty when nothing came for 10 s, a chance to keep the line alive)."""
    follower = bus.subscribe(app) if tail else None
    yield bus.recent(app, max(0, min(num, 1500)), only)
    if follower is None:
        return
    try:
        while True:
            batch = follower.get_batch(timeout=10)
            yield [entry for entry in batch if entry.process == "logs" or only.matches(entry)]
    finally:
        bus.unsubscribe(app, follower)
