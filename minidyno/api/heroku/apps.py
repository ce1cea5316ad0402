"""Apps (`heroku apps`, `apps:create`, `apps:info`, `apps:destroy`, `maintenance:on`):
minidyno's apps in Heroku's shape, made, changed and destroyed by the same steps as
minidyno's own API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from minidyno.api import apps as own_apps
from minidyno.api import router_settings
from minidyno.api.heroku.account import owner
from minidyno.api.heroku.paging import page
from minidyno.api.heroku.shapes import app_id, find_app, identity, timestamp
from minidyno.errors import NotFound, UserError
from minidyno.platform import Platform
from minidyno.state import apps, releases
from minidyno.state.apps import App
from minidyno.web.deps import PlatformDep

router = APIRouter()

#: minidyno's one region: this machine.
REGION = {"id": identity("region", "local"), "name": "local"}


class AppCreate(BaseModel):
    name: str | None = None
    region: str | None = None
    stack: str | None = None


class AppUpdate(BaseModel):
    maintenance: bool | None = None
    name: str | None = None
    build_stack: str | None = None


def described(platform: Platform, app: App) -> dict[str, Any]:
    with platform.db.connect() as conn:
        current = releases.current(conn, app.name)
    # minidyno picks the stack at each build, by the app's Python version.
    stack = app.stack or "auto"
    stack_ref = {"id": identity("stack", stack), "name": stack}
    return {
        "id": app_id(app),
        "name": app.name,
        "created_at": timestamp(app.created_at),
        "updated_at": timestamp(current.created_at if current else app.created_at),
        "released_at": timestamp(current.created_at) if current else None,
        "stack": stack_ref,
        "build_stack": stack_ref,
        "generation": {"id": identity("generation", "cedar"), "name": "cedar"},
        "web_url": platform.settings.app_url(app.name),
        "git_url": platform.settings.git_url(app.name),
        "owner": owner(),
        "region": REGION,
        "maintenance": app.maintenance,
        "acm": False,
        "create_status": "complete",
        "archived_at": None,
        "buildpack_provided_description": "Python" if current and not current.from_dockerfile else None,
        "internal_routing": None,
        "organization": None,
        "team": None,
        "space": None,
        "repo_size": None,
        "slug_size": None,
    }


def _listed(platform: Platform, request: Request) -> JSONResponse:
    with platform.db.connect() as conn:
        found = apps.all_apps(conn)
    return page(request, [described(platform, a) for a in found], "name")


@router.get("/apps")
def list_apps(request: Request, platform: PlatformDep) -> JSONResponse:
    return _listed(platform, request)


@router.get("/users/{user}/apps")
def list_user_apps(user: str, request: Request, platform: PlatformDep) -> JSONResponse:
    """`~` (or the account's email or id) is the one user there is."""
    return _listed(platform, request)


@router.post("/apps", status_code=201)
def create_app(body: AppCreate, platform: PlatformDep) -> dict[str, Any]:
    if body.region not in (None, REGION["name"], REGION["id"]):
        raise UserError(f"minidyno runs apps on this machine only: leave out --region {body.region}")
    created = own_apps.create_app(own_apps.AppCreate(name=body.name), platform)
    return get_app(created.name, platform)


@router.get("/apps/{app_id_or_name}")
def get_app(app_id_or_name: str, platform: PlatformDep) -> dict[str, Any]:
    with platform.db.connect() as conn:
        return described(platform, find_app(conn, app_id_or_name))


@router.patch("/apps/{app_id_or_name}")
def update_app(app_id_or_name: str, body: AppUpdate, platform: PlatformDep) -> dict[str, Any]:
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
    if body.name not in (None, app.name):
        raise UserError("minidyno cannot rename an app yet: create a new one and push to it")
    if body.maintenance is not None:
        router_settings.update_settings(
            app.name, router_settings.RouterSettings(maintenance=body.maintenance), platform
        )
    return get_app(app.name, platform)


@router.get("/apps/{app_id_or_name}/collaborators")
def list_collaborators(app_id_or_name: str, platform: PlatformDep) -> list[dict[str, Any]]:
    """Nobody but the owner: minidyno has one user."""
    get_app(app_id_or_name, platform)
    return []


@router.get("/apps/{app_id_or_name}/pipeline-couplings")
def pipeline_coupling(app_id_or_name: str, platform: PlatformDep) -> dict[str, Any]:
    """minidyno has no pipelines, so no app is coupled to one (Heroku answers 404)."""
    raise NotFound(f"{get_app(app_id_or_name, platform)['name']} is not in a pipeline")


@router.delete("/apps/{app_id_or_name}")
def destroy_app(app_id_or_name: str, platform: PlatformDep) -> dict[str, Any]:
    """The CLI has asked for the confirmation already (`--confirm APP`)."""
    gone = get_app(app_id_or_name, platform)
    own_apps.destroy_app(gone["name"], platform, confirm=gone["name"])
    return gone
