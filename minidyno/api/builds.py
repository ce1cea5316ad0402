"""/apps/{app}/builds: turn a source tarball into a release, streaming the build.

The git pre-receive hook posts here with `git archive` of the pushed commit; anything
else that has a tarball can deploy the same way (Heroku's `builds:create`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from minidyno.api.streaming import stream_work
from minidyno.compile.source import Source
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/builds", tags=["builds"])


@router.post("", response_class=StreamingResponse)
async def create_build(
    app: str, request: Request, platform: PlatformDep, commit: str = ""
) -> StreamingResponse:
    source = Source(tarball=await request.body(), commit=commit or "unknown")

    def work(say):
        release = platform.deployer.deploy(app, source, say)
        return {"release": release.version, "url": platform.settings.app_url(app)}

    return stream_work(work)
