"""/doctor: will this source work on Heroku? It is built and run once in a throwaway
dyno, streaming what happens, and ends with the report; /apps/{app}/doctor is an app's
last report (the dashboard shows it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from minidyno.api.streaming import stream_work
from minidyno.compile.source import Source
from minidyno.errors import NotFound
from minidyno.state import apps, doctor_reports
from minidyno.web.deps import PlatformDep

router = APIRouter(tags=["doctor"])


@router.post("/doctor", response_class=StreamingResponse)
async def examine(
    request: Request, platform: PlatformDep, app: str = "", commit: str = ""
) -> StreamingResponse:
    """`app`, when given, keeps the report as the app's last; none need exist."""
    if app:
        with platform.db.connect() as conn:
            apps.get(conn, app)
    source = Source(tarball=await request.body(), commit=commit or "work tree")
    return stream_work(lambda say: platform.doctor.examine(source, app or None, say))


@router.get("/apps/{app}/doctor")
def last_report(app: str, platform: PlatformDep) -> dict[str, Any]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        report = doctor_reports.last(conn, app)
    if report is None:
        raise NotFound(f"{app} has no doctor report yet: run minidyno doctor -a {app} in its source")
    return report
