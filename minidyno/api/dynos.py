"""/apps/{app}/dynos: list (ps), restart, stop, and one-off dynos (run)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from minidyno.api.streaming import stream_work
from minidyno.errors import NotFound
from minidyno.platform import Platform
from minidyno.runtime import oneoff
from minidyno.runtime.driver import Dyno
from minidyno.state import apps, releases
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/dynos", tags=["dynos"])


class DynoInfo(BaseModel):
    name: str
    type: str
    state: str
    release: int
    command: str
    started_at: str | None
    age_seconds: float | None


class RunRequest(BaseModel):
    command: str
    detached: bool = False


@router.get("")
def list_dynos(app: str, platform: PlatformDep) -> list[DynoInfo]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
    return [describe(platform, dyno) for dyno in platform.runtime.dynos(app)]


def describe(platform: Platform, dyno: Dyno) -> DynoInfo:
    since = platform.supervisor.since(dyno)
    return DynoInfo(
        name=dyno.name,
        type=dyno.process_type,
        state=platform.supervisor.state_of(dyno),
        release=dyno.release,
        command=dyno.command,
        started_at=datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds") if since else None,
        age_seconds=round(time.time() - since, 1) if since else None,
    )


@router.post("/restart")
def restart_dynos(app: str, platform: PlatformDep, target: str | None = None) -> dict:
    return {"restarted": platform.scaler.restart(app, target)}


@router.post("/{name}/stop")
def stop_dyno(app: str, name: str, platform: PlatformDep) -> dict:
    platform.scaler.stop(app, name)
    return {"stopped": name}


@router.post("", response_class=StreamingResponse)
async def run_dyno(app: str, request: RunRequest, platform: PlatformDep) -> StreamingResponse:
    """A one-off dyno of the current release. Attached: its output as `{"out": …}`
    events, then `{"ok": true, "exit": N}`. Detached: its output goes to the logs."""
    with platform.db.connect() as conn:
        release = releases.current(conn, app)
    if release is None:
        raise NotFound(f"{app} has no release yet; push it before `run`")
    name = oneoff.next_run_name(platform.runtime, app)
    platform.logs.platform(app, name, f"Starting process with command `{request.command}`")
    if request.detached:
        platform.runtime.run_detached(release, name, request.command, platform.logs)
        return StreamingResponse(
            iter([json.dumps({"ok": True, "dyno": name}) + "\n"]), media_type="application/x-ndjson"
        )

    def work(say):
        code = platform.runtime.run(
            release, name, request.command, lambda chunk: say(chunk.decode("utf-8", "replace"))
        )
        platform.logs.platform(app, name, f"Process exited with status {code}")
        return {"exit": code, "dyno": name}

    return stream_work(work, key="out")
