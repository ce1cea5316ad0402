"""/apps/{app}/config: config vars. A change is a new release, streamed like a build
because its release phase and restarts print as they go."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from minidyno.api.streaming import stream_work
from minidyno.state import apps, config_vars
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/config", tags=["config"])


@router.get("")
def get_config(app: str, platform: PlatformDep) -> dict[str, str]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return config_vars.get_all(conn, app)


@router.patch("", response_class=StreamingResponse)
async def update_config(
    app: str, changes: dict[str, str | None], platform: PlatformDep, restart: bool = True
) -> StreamingResponse:
    """Set each name to its value, or unset it with null (Heroku's Platform API shape)."""

    def work(say):
        release = platform.config.change(app, changes, say, restart=restart)
        return {"release": release.version if release else None}

    return stream_work(work)
