"""Git's smart HTTP protocol, served by git itself.

The endpoints only move bytes: `git upload-pack` / `git receive-pack --stateless-rpc`
speak the protocol, and the pre-receive hook (run by receive-pack) builds. Hook output
is streamed back as it is produced, so build lines reach the pusher live.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from minidyno.errors import NotFound
from minidyno.git import repos
from minidyno.platform import Platform
from minidyno.state import apps
from minidyno.web.auth import require_token
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/git", tags=["git"], dependencies=[Depends(require_token)])
#: Heroku's own shape of a git URL, `https://git.heroku.com/<app>.git`: what the heroku
#: CLI's `git:remote` and `apps:create` write, at the host it talks to.
heroku_router = APIRouter(tags=["git"], dependencies=[Depends(require_token)])

SERVICES = ("git-upload-pack", "git-receive-pack")


def _pkt_line(text: str) -> bytes:
    return f"{len(text) + 4:04x}{text}".encode()


def _repo_for(platform: Platform, repo: str) -> str:
    name = repo.removesuffix(".git")
    with platform.db.connect() as conn:
        apps.get(conn, name)
    path = repos.ensure(platform.settings, name)
    return str(path)


def _service(name: str) -> str:
    if name not in SERVICES:
        raise NotFound(f"unknown git service {name!r}; use a stock git client")
    return name.removeprefix("git-")


def _git_env(platform: Platform, request: Request, app: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        MINIDYNO_HOOK_APP=app,
        MINIDYNO_HOOK_API=platform.settings.api_url,
        MINIDYNO_HOOK_TOKEN=request.app.state.token,
    )
    if protocol := request.headers.get("git-protocol"):
        env["GIT_PROTOCOL"] = protocol
    return env


async def _git(
    platform: Platform, request: Request, repo: str, *args: str, stdin: int | None = None
) -> asyncio.subprocess.Process:
    """git's upload-pack or receive-pack on an app's repo, with this server's hooks."""
    return await asyncio.create_subprocess_exec(
        "git",
        "-c",
        f"core.hooksPath={repos.hooks_path(platform.settings)}",
        *args,
        _repo_for(platform, repo),
        stdin=stdin,
        stdout=asyncio.subprocess.PIPE,
        env=_git_env(platform, request, repo.removesuffix(".git")),
        start_new_session=True,  # its own process group: the hook goes with it
    )


@router.get("/{repo}/info/refs")
@heroku_router.get("/{repo}.git/info/refs")
async def info_refs(repo: str, service: str, request: Request, platform: PlatformDep) -> Response:
    proc = await _git(platform, request, repo, _service(service), "--stateless-rpc", "--advertise-refs")
    refs, _ = await proc.communicate()
    body = _pkt_line(f"# service={service}\n") + b"0000" + refs
    return Response(
        body,
        media_type=f"application/x-{service}-advertisement",
        headers={"Cache-Control": "no-cache"},
    )


#: One receive-pack at a time per app: git checks a pushed ref's old value only after
#: the pre-receive hook (the build and release) ran, so two pushes at once would both
#: deploy and then one would fail to move the ref. In turn, the hook sees the ref as the
#: pusher must have seen it, or refuses before building.
_pushing: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


@router.post("/{repo}/{service}")
@heroku_router.post("/{repo}.git/{service}")
async def rpc(repo: str, service: str, request: Request, platform: PlatformDep) -> StreamingResponse:
    turn = _pushing[repo.removesuffix(".git")] if _service(service) == "receive-pack" else None
    if turn:
        await turn.acquire()
    try:
        proc = await _git(
            platform, request, repo, _service(service), "--stateless-rpc", stdin=asyncio.subprocess.PIPE
        )
    except BaseException:
        if turn:
            turn.release()
        raise
    output: asyncio.Queue[bytes] = asyncio.Queue()
    reader = asyncio.create_task(_drain(proc.stdout, output))
    await _feed(request, proc.stdin, gzipped=request.headers.get("content-encoding") == "gzip")

    async def body() -> AsyncIterator[bytes]:
        try:
            while chunk := await output.get():
                yield chunk
            await reader
            await proc.wait()
        finally:
            # A pusher who hangs up takes receive-pack and its hook along, so the hook's
            # build request ends too and the build stops (minidyno.abandon).
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                await proc.wait()
            if turn:
                turn.release()

    return StreamingResponse(
        body(), media_type=f"application/x-{service}-result", headers={"Cache-Control": "no-cache"}
    )


async def _feed(request: Request, stdin: asyncio.StreamWriter, gzipped: bool) -> None:
    """The whole request body into git's stdin before the response starts: git reads
    all of it before it answers, and the body is streamed, never held in memory."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    async for chunk in request.stream():
        stdin.write(inflate.decompress(chunk) if inflate else chunk)
        await stdin.drain()
    if inflate:
        stdin.write(inflate.flush())
    stdin.close()


async def _drain(stdout: asyncio.StreamReader, output: asyncio.Queue[bytes]) -> None:
    """Read git's output as it comes (so it never blocks on a full pipe), ending with b""."""
    while chunk := await stdout.read(65536):
        await output.put(chunk)
    await output.put(b"")
