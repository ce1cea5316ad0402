"""/apps/{app}/dynos: list (ps), restart, stop, and one-off dynos (run)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
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
from minidyno.state.releases import Release
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
    if request.detached:
        name = start_detached(platform, app, request.command).name
        return StreamingResponse(
            iter([json.dumps({"ok": True, "dyno": name}) + "\n"]), media_type="application/x-ndjson"
        )
    release, name = _oneoff(platform, app, request.command)

    def work(say):
        code = platform.runtime.run(
            release, name, request.command, lambda chunk: say(chunk.decode("utf-8", "replace"))
        )
        platform.logs.platform(app, name, f"Process exited with status {code}")
        return {"exit": code, "dyno": name}

    return stream_work(work, key="out")


def release_to_run(platform: Platform, app: str) -> Release:
    """What a one-off dyno runs: the current release, which a first push makes."""
    with platform.db.connect() as conn:
        release = releases.current(conn, app)
    if release is None:
        raise NotFound(f"{app} has no release yet; push it before `run`")
    return release


def _oneoff(platform: Platform, app: str, command: str) -> tuple[Release, str]:
    """The release a one-off dyno runs and its name (`run.N`), its start logged."""
    release = release_to_run(platform, app)
    name = oneoff.next_run_name(platform.runtime, app)
    platform.logs.platform(app, name, f"Starting process with command `{command}`")
    return release, name


@dataclass(frozen=True)
class Detached:
    """A one-off dyno started, for the caller to name in its answer."""

    name: str
    release: Release


def start_detached(platform: Platform, app: str, command: str) -> Detached:
    """`run:detached`: a one-off dyno whose output goes to the app's logs."""
    release, name = _oneoff(platform, app, command)
    platform.runtime.run_detached(release, name, command, platform.logs)
    return Detached(name, release)
