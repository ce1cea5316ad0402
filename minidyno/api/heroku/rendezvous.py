"""Heroku's rendezvous: how `heroku run` attaches to its one-off dyno.

`POST /apps/{app}/dynos` with `attach: true` answers `rendezvous://127.0.0.1:PORT/SECRET`.
The CLI opens TLS to that port (minidyno's CA, which Node trusts through
`NODE_EXTRA_CA_CERTS`), sends the secret and `\\r\\n`, and reads one chunk that it
throws away (Heroku's `rendezvous\\r\\n`); from then on the bytes are the dyno's
terminal both ways. The dyno starts only once its client is there, so no output is
lost, and it is removed when it exits or its client goes away. A secret is good once,
for a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import ssl
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from docker.errors import DockerException

from minidyno.api.attached import Attached, attached
from minidyno.platform import Platform
from minidyno.runtime import oneoff
from minidyno.state.releases import Release

log = logging.getLogger("minidyno.rendezvous")

#: How long a client has to attach after asking for the dyno.
ATTACH_WITHIN = 60.0
#: Between the greeting and what follows: the CLI drops its whole first read, so the
#: greeting must arrive alone (the dyno is made and attached meanwhile).
GREETING_PAUSE = 0.3


@dataclass(frozen=True)
class _Waiting:
    release: Release
    name: str
    command: str
    expires: float


class Rendezvous:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._waiting: dict[str, _Waiting] = {}
        self._lock = threading.Lock()
        self._attached: set[asyncio.Task] = set()

    @property
    def enabled(self) -> bool:
        return self.platform.settings.rendezvous_port != 0

    def offer(self, release: Release, command: str, env: dict[str, str]) -> tuple[str, str]:
        """A one-off dyno waiting for its client: its name and its `attach_url`. `env`
        (`heroku run -e`, the terminal's TERM) is added to the release's config vars."""
        ready = dataclasses.replace(release, config={**release.config, **env})
        secret = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            for key in [k for k, w in self._waiting.items() if w.expires < now]:
                del self._waiting[key]
            # A name no dyno has yet, nor another client still on its way.
            taken = {w.name for w in self._waiting.values() if w.release.app == release.app}
            name = oneoff.next_run_name(self.platform.runtime, release.app, taken)
            self._waiting[secret] = _Waiting(ready, name, command, now + ATTACH_WITHIN)
        return (name, f"rendezvous://127.0.0.1:{self.platform.settings.rendezvous_port}/{secret}")

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        """Listening while the server runs; at its end every attached dyno goes too (so a
        `heroku run` left open cannot hold the server's shutdown)."""
        settings = self.platform.settings
        leaf = self.platform.ca.leaf(settings.home / "rendezvous", "rendezvous", ("127.0.0.1", "localhost"))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(leaf.cert, leaf.key)
        try:
            server = await asyncio.start_server(
                self._attach, settings.bind, settings.rendezvous_port, ssl=context
            )
        except OSError as exc:
            raise SystemExit(
                f"the rendezvous port {settings.rendezvous_port} is taken ({exc.strerror}): set "
                "MINIDYNO_RENDEZVOUS_PORT to a free port, or 0 to turn `heroku run` off"
            ) from None
        try:
            yield
        finally:
            server.close()
            for task in list(self._attached):
                task.cancel()
            await asyncio.gather(*self._attached, return_exceptions=True)

    def _take(self, secret: str) -> _Waiting | None:
        with self._lock:
            waiting = self._waiting.pop(secret, None)
        return waiting if waiting and waiting.expires >= time.time() else None

    async def _attach(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._attached.add(task)
        try:
            line = await asyncio.wait_for(reader.readline(), 10)
            waiting = self._take(line.decode(errors="replace").strip().split("?")[0])
            writer.write(b"rendezvous\r\n")
            await writer.drain()
            quiet_until = asyncio.get_running_loop().time() + GREETING_PAUSE
            if waiting is None:
                await asyncio.sleep(GREETING_PAUSE)
                writer.write(b"this rendezvous is unknown or over: run `heroku run` again\r\n")
                return
            dyno_of = attached(self.platform, waiting.release, waiting.name, waiting.command, quiet_until)
            async with dyno_of as dyno:
                await _relay(dyno, reader, writer)
        except (OSError, TimeoutError, ValueError, ssl.SSLError, DockerException) as exc:
            log.warning("a rendezvous ended early: %s", exc)
        finally:
            self._attached.discard(task)
            with contextlib.suppress(OSError, ssl.SSLError):
                writer.close()


async def _relay(dyno: Attached, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The dyno's terminal to the client and back, until the dyno exits."""
    inbound = asyncio.create_task(_client_to_dyno(reader, dyno))
    try:
        async for data in dyno.output():
            writer.write(data)
            await writer.drain()
    finally:
        inbound.cancel()
    await dyno.exit_code()
    # The client is done; the dyno's removal need not hold it.
    writer.close()


async def _client_to_dyno(reader: asyncio.StreamReader, dyno: Attached) -> None:
    """What the client types (`\\x04` when its stdin ends, which the dyno's terminal
    reads as end of input). A client gone ends the dyno, as on Heroku."""
    with contextlib.suppress(OSError, ssl.SSLError):
        while data := await reader.read(65536):
            await dyno.send(data)
    await dyno.kill()
