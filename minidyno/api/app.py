"""The control plane's FastAPI application."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from minidyno.api import (
    addons,
    apps,
    builds,
    certs,
    config,
    doctor,
    dynos,
    eco_hours,
    formation,
    keyvalue,
    logs,
    metrics,
    releases,
    router_settings,
    scheduler,
    tty,
)
from minidyno.api.gate import Gate
from minidyno.api.heroku import app as heroku
from minidyno.api.heroku.app import HerokuSwitch
from minidyno.api.heroku.rendezvous import Rendezvous
from minidyno.dashboard import pages
from minidyno.errors import UserError
from minidyno.git import http as git_http
from minidyno.platform import Platform
from minidyno.web.auth import ensure_token, require_token
from minidyno.web.sessions import Sessions


def create_app(platform: Platform, rendezvous: Rendezvous | None = None) -> FastAPI:
    """`rendezvous`: where `heroku run` attaches, served beside the API by `minidyno
    server` (a new one, not listening, when none is given)."""
    # The schema describes every route: served to token holders only (and no docs
    # page, which would load its scripts from a CDN).
    api = FastAPI(
        title="minidyno", summary="Heroku on one machine", docs_url=None, redoc_url=None, openapi_url=None
    )
    api.state.platform = platform
    api.state.token = ensure_token(platform.settings.token_path)
    api.state.sessions = Sessions()
    api.state.dashboard_origins = platform.settings.dashboard_origins

    @api.exception_handler(UserError)
    async def user_error(_: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @api.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    protected = [Depends(require_token)]

    @api.get("/openapi.json", dependencies=protected, include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(api.openapi())

    for module in (
        apps,
        builds,
        doctor,
        metrics,
        releases,
        config,
        formation,
        dynos,
        eco_hours,
        tty,
        router_settings,
        addons,
        keyvalue,
        scheduler,
        logs,
        certs,
    ):
        api.include_router(module.router, dependencies=protected)
    api.include_router(addons.backups_router, dependencies=protected)
    api.include_router(router_settings.platform_router, dependencies=protected)
    api.include_router(pages.router)
    api.mount("/static", StaticFiles(directory=pages.HERE / "static"), name="static")
    api.include_router(git_http.router)
    api.include_router(git_http.heroku_router)
    platform_api = heroku.create(platform, rendezvous or Rendezvous(platform), api.state)
    api.add_middleware(HerokuSwitch, heroku=platform_api)
    api.add_middleware(Gate, max_push_bytes=platform.settings.max_push_mb * 2**20)
    return api
