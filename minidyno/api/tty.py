"""/apps/{app}/dynos/tty: an interactive one-off dyno (`minidyno run bash`) over a
WebSocket. Binary frames carry the terminal's bytes both ways, so typing, Ctrl-C (the
dyno's TTY turns it into SIGINT) and full-screen programs work; text frames carry
control messages: `{"resize": [rows, cols]}` in, `{"exit": N}` out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

from docker.errors import DockerException
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from minidyno.runtime import oneoff
from minidyno.state import releases
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/dynos", tags=["dynos"])


@router.websocket("/tty")
async def interactive(
    websocket: WebSocket, app: str, command: str, platform: PlatformDep, rows: int = 24, cols: int = 80
) -> None:
    with platform.db.connect() as conn:
        release = releases.current(conn, app)
    await websocket.accept()
    if release is None:
        await websocket.send_text(json.dumps({"error": f"{app} has no release yet; push it first"}))
        await websocket.close()
        return
    name = oneoff.next_run_name(platform.runtime, app)
    # Interactive runs ride Docker's attach socket, so they stay with the Docker runtime.
    container = platform.runtime.create(release, name, command, tty=True)
    platform.logs.platform(app, name, f"Starting process with command `{command}` (attached)")
    attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
    raw: socket.socket = attached._sock
    raw.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        container.start()
        with contextlib.suppress(DockerException):
            container.resize(height=rows, width=cols)
        await websocket.send_text(json.dumps({"dyno": name}))
        pump_in = asyncio.create_task(_terminal_to_dyno(websocket, raw, container, loop))
        await _dyno_to_terminal(websocket, raw, loop)
        pump_in.cancel()
        code = (await asyncio.to_thread(container.wait))["StatusCode"]
        platform.logs.platform(app, name, f"Process exited with status {code}")
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.send_text(json.dumps({"exit": code}))
            await websocket.close()
    finally:
        raw.close()
        with contextlib.suppress(DockerException):
            container.remove(force=True)


async def _dyno_to_terminal(
    websocket: WebSocket, raw: socket.socket, loop: asyncio.AbstractEventLoop
) -> None:
    while data := await loop.sock_recv(raw, 65536):
        await websocket.send_bytes(data)


async def _terminal_to_dyno(
    websocket: WebSocket, raw: socket.socket, container, loop: asyncio.AbstractEventLoop
) -> None:
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes"):
                await loop.sock_sendall(raw, message["bytes"])
            elif message.get("text"):
                rows, cols = json.loads(message["text"]).get("resize", (0, 0))
                if rows and cols:
                    await asyncio.to_thread(container.resize, height=rows, width=cols)
    except WebSocketDisconnect:
        pass
    with contextlib.suppress(DockerException):
        await asyncio.to_thread(container.kill)
