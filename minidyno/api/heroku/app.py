"""The Platform API's FastAPI application, and the switch that sends Heroku's clients to
it in front of minidyno's own."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from starlette.datastructures import Headers, State
from starlette.types import ASGIApp, Receive, Scope, Send

from minidyno.api.heroku import account, addons, apps, config, data, dynos, errors, log_sessions, releases
from minidyno.api.heroku import domains as domain_routes
from minidyno.api.heroku.errors import MEDIA_TYPE
from minidyno.api.heroku.rendezvous import Rendezvous
from minidyno.platform import Platform
from minidyno.web.auth import require_token


def create(platform: Platform, rendezvous: Rendezvous, auth: State) -> FastAPI:
    """`auth`: the state the token check reads (the token, dashboard sessions), shared
    with minidyno's own API, so that each route checks the token as minidyno's do."""
    api = FastAPI(title="Heroku Platform API v3 (minidyno)", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.platform = platform
    api.state.rendezvous = rendezvous
    api.state.log_sessions = log_sessions.LogSessions()
    for key in ("token", "sessions", "dashboard_origins"):
        setattr(api.state, key, getattr(auth, key))
    errors.install(api)
    protected = [Depends(require_token)]
    for module in (account, apps, config, dynos, releases, addons, domain_routes, log_sessions, data):
        api.include_router(module.router, dependencies=protected)
    api.include_router(log_sessions.stream_router)
    return api


class HerokuSwitch:
    """Requests in Heroku's media type, and the log streams, go to the Platform API;
    the rest to minidyno's own. Behind the gate, so both take the same token."""

    def __init__(self, app: ASGIApp, heroku: ASGIApp) -> None:
        self.app = app
        self.heroku = heroku

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            MEDIA_TYPE in Headers(scope=scope).get("accept", "")
            or scope["path"].startswith(log_sessions.PATH)
        ):
            await self.heroku(scope, receive, send)
            return
        await self.app(scope, receive, send)
