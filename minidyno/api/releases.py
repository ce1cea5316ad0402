"""/apps/{app}/releases: the history of what ran."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel

from minidyno.api.streaming import stream_work
from minidyno.errors import NotFound
from minidyno.release.deploy import build_log_path
from minidyno.state import apps, releases
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/releases", tags=["releases"])


class ReleaseInfo(BaseModel):
    version: int
    description: str
    status: str
    created_at: str
    commit: str | None
    stack: str | None
    process_types: list[str]


@router.get("")
def list_releases(app: str, platform: PlatformDep) -> list[ReleaseInfo]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        history = releases.history(conn, app)
    return [
        ReleaseInfo(
            version=r.version,
            description=r.description,
            status=r.status,
            created_at=r.created_at,
            commit=r.commit_sha,
            stack=r.stack,
            process_types=list(r.processes),
        )
        for r in history
    ]


class RollbackRequest(BaseModel):
    #: The release to go back to; the one before the current when absent.
    rollback: int | None = None


@router.post("", response_class=StreamingResponse)
async def create_rollback(app: str, request: RollbackRequest, platform: PlatformDep) -> StreamingResponse:
    def work(say):
        return {"release": platform.config.rollback(app, request.rollback, say).version}

    return stream_work(work)


@router.get("/{version}/build", response_class=PlainTextResponse)
def build_log(app: str, version: int, platform: PlatformDep) -> str:
    """What the build of vN printed (builds that made no release keep theirs too)."""
    path = build_log_path(platform.settings, app, version)
    if not path.exists():
        raise NotFound(f"v{version} of {app} has no build log (config changes and rollbacks build nothing)")
    return path.read_text(encoding="utf-8", errors="replace")
