"""A one-off dyno with a terminal, attached before it starts so that not a byte of its
output is lost: what `minidyno run` (a WebSocket, api/tty.py) and `heroku run` (the
rendezvous, api/heroku/rendezvous.py) put between their client and the dyno.

Interactive runs ride Docker's attach socket, so they stay with the Docker runtime.
Every Docker call runs off the event loop; the dyno is removed however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

from docker.errors import DockerException
from docker.models.containers import Container

from minidyno.platform import Platform
from minidyno.state.releases import Release


@dataclass
class Attached:
    container: Container
    raw: socket.socket
    platform: Platform
    app: str
    name: str

    async def output(self) -> AsyncIterator[bytes]:
        """What the dyno's terminal prints, until it closes."""
        loop = asyncio.get_running_loop()
        while data := await loop.sock_recv(self.raw, 65536):
            yield data

    async def send(self, data: bytes) -> None:
        await asyncio.get_running_loop().sock_sendall(self.raw, data)

    async def resize(self, rows: int, cols: int) -> None:
        with contextlib.suppress(DockerException):
            await asyncio.to_thread(self.container.resize, height=rows, width=cols)

    async def kill(self) -> None:
        with contextlib.suppress(DockerException):
            await asyncio.to_thread(self.container.kill)

    async def exit_code(self) -> int:
        """Its exit status once it ended, logged as the platform logs every dyno's."""
        code = (await asyncio.to_thread(self.container.wait))["StatusCode"]
        self.platform.logs.platform(self.app, self.name, f"Process exited with status {code}")
        return code


@contextlib.asynccontextmanager
async def attached(
    platform: Platform, release: Release, name: str, command: str, not_before: float = 0.0
) -> AsyncIterator[Attached]:
    """`not_before`: the event loop's time before which the dyno must not start (its
    client wants nothing printed until then); it is made and attached meanwhile."""
    container = await asyncio.to_thread(platform.runtime.create, release, name, command, True)
    raw: socket.socket | None = None
    try:
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        raw = (await asyncio.to_thread(container.attach_socket, params=params))._sock
        raw.setblocking(False)
        platform.logs.platform(release.app, name, f"Starting process with command `{command}` (attached)")
        await asyncio.sleep(not_before - asyncio.get_running_loop().time())
        await asyncio.to_thread(container.start)
        yield Attached(container, raw, platform, release.app, name)
    finally:
        if raw is not None:
            raw.close()
        with contextlib.suppress(DockerException):
            await asyncio.to_thread(container.remove, force=True)
