"""/apps/{app}/dynos/tty: an interactive one-off dyno (`minidyno run bash`) over a
WebSocket. Binary frames carry the terminal's bytes both ways, so typing, Ctrl-C (the
dyno's TTY turns it into SIGINT) and full-screen programs work; text frames carry
control messages: `{"resize": [rows, cols]}` in, `{"exit": N}` out."""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from minidyno.api.attached import Attached, attached
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
    async with attached(platform, release, name, command) as dyno:
        await dyno.resize(rows, cols)
        await websocket.send_text(json.dumps({"dyno": name}))
        pump_in = asyncio.create_task(_terminal_to_dyno(websocket, dyno))
        try:
            async for data in dyno.output():
                await websocket.send_bytes(data)
        finally:
            pump_in.cancel()
        code = await dyno.exit_code()
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.send_text(json.dumps({"exit": code}))
            await websocket.close()


async def _terminal_to_dyno(websocket: WebSocket, dyno: Attached) -> None:
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes"):
                await dyno.send(message["bytes"])
            elif message.get("text"):
                rows, cols = json.loads(message["text"]).get("resize", (0, 0))
                if rows and cols:
                    await dyno.resize(rows, cols)
    except WebSocketDisconnect:
        pass
    await dyno.kill()
