"""The activator: where nginx sends an app's requests while no web dyno of it is up.

It wakes an idle app (every request that arrives meanwhile waits on the same wake),
waits for starting dynos, and then forwards each held request, in order, to a dyno,
streaming both ways. What it cannot serve it answers itself with Heroku's errors: H14
(no web dynos), H10 (crashed), H20 (not up within 75 s), H12 (no response within
MINIDYNO_ROUTER_TIMEOUT, 30 s), H13 (closed without one), H82 (an eco app of a spent
eco dyno hours pool, left asleep). Once the app is up, nginx
routes to the dynos directly again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from minidyno.router import error_pages
from minidyno.runtime.idling import Idler, WakeFailed, WebStatus

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


class Activator:
    def __init__(
        self, idler: Idler, out_of_hours: Callable[[str], bool], dyno_at: Callable[[str], str], timeout: float
    ) -> None:
        self.idler = idler
        #: Whether an app is an eco app of a spent eco hours pool (H82, not woken).
        self.out_of_hours = out_of_hours
        #: The dyno (`web.1`) at an `ip:port`, for the router's log line.
        self.dyno_at = dyno_at
        #: MINIDYNO_ROUTER_TIMEOUT: H12 past it, as nginx does.
        self.timeout = timeout
        self._wakes: dict[str, asyncio.Task[list[str]]] = {}
        self._client: httpx.AsyncClient | None = None

    def asgi(self) -> Starlette:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=methods)])

    async def handle(self, request: Request) -> Response:
        app = request.headers.get("x-minidyno-app", "")
        if await asyncio.to_thread(self.out_of_hours, app):
            return _error("H82")
        status = await asyncio.to_thread(self.idler.web_status, app)
        if status == WebStatus.NONE:
            return _error("H14")
        if status == WebStatus.CRASHED:
            return _error("H10")
        try:
            addresses = await self._ready(app, status)
        except WakeFailed as failed:
            return _error(failed.code)
        return await self._forward(request, random.choice(addresses))

    async def _ready(self, app: str, status: str) -> list[str]:
        """Up addresses; one wake per app however many requests wait for it."""
        if status == WebStatus.UP and (found := self.idler.up_addresses(app)):
            return found
        task = self._wakes.get(app)
        if task is None or task.done():
            work = self.idler.wake_or_wait if status == WebStatus.IDLE else self.idler.wait_until_up
            task = self._wakes[app] = asyncio.create_task(asyncio.to_thread(work, app))
        return await asyncio.shield(task)

    async def _forward(self, request: Request, address: str) -> Response:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(float(self.timeout), connect=5))
        headers = [
            (k, v)
            for k, v in request.headers.items()
            if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-minidyno-")
        ]
        headers.append(("host", request.headers.get("host", "")))
        outbound = self._client.build_request(
            request.method,
            f"http://{address}{request.url.path}",
            params=request.url.query.encode() if request.url.query else None,
            headers=headers,
            content=request.stream(),
        )
        try:
            upstream = await self._client.send(outbound, stream=True)
        except httpx.TimeoutException:
            return _error("H12")
        except httpx.TransportError:
            return _error("H13")
        dyno = self.dyno_at(address)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in upstream.aiter_raw():
                    yield chunk
            finally:
                await upstream.aclose()

        # Every header line kept apart (two Set-Cookie stay two); the dyno's own
        # X-Minidyno-* headers are dropped, only the activator's are believed.
        response = StreamingResponse(body(), status_code=upstream.status_code)
        response.raw_headers = [
            (k.lower(), v)
            for k, v in upstream.headers.raw
            if k.lower().decode("latin-1") not in HOP_BY_HOP and not k.lower().startswith(b"x-minidyno-")
        ]
        response.raw_headers.append((b"x-minidyno-dyno", dyno.encode("latin-1")))
        return response


def _error(code: str) -> Response:
    return HTMLResponse(error_pages.render(code.lower()), status_code=503, headers={"x-minidyno-code": code})
