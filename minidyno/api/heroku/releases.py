"""Releases (`heroku releases`, `releases:info`, `rollback`): minidyno's release
history; a rollback is a new release of an old one's slug and config, made before the
answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from minidyno.api.heroku.account import owner
from minidyno.api.heroku.paging import page
from minidyno.api.heroku.shapes import app_ref, find_app, identity, pick, release_ref, timestamp
from minidyno.errors import UserError
from minidyno.platform import Platform
from minidyno.state import releases
from minidyno.state.apps import App
from minidyno.state.releases import Release
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app_id_or_name}/releases")


class ReleaseCreate(BaseModel):
    #: The release to roll back to: its id or version.
    release: str


def described(app: App, release: Release, current: int | None) -> dict[str, Any]:
    slug = release.slug
    return {
        **release_ref(app, release.version),
        "description": release.description,
        "status": release.status,
        "current": release.version == current,
        "eligible_for_rollback": slug is not None and release.status == "succeeded",
        "app": app_ref(app),
        "user": owner(),
        "slug": {"id": identity("slug", app.name, slug.image)} if slug else None,
        "addon_plan_names": [],
        "output_stream_url": None,
        "created_at": timestamp(release.created_at),
        "updated_at": timestamp(release.created_at),
    }


def _history(platform: Platform, app_id_or_name: str) -> tuple[App, list[dict[str, Any]]]:
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
        history = releases.history(conn, app.name)
        current = releases.current(conn, app.name)
    version = current.version if current else None
    return app, [described(app, r, version) for r in history]


@router.get("")
def list_releases(app_id_or_name: str, request: Request, platform: PlatformDep) -> JSONResponse:
    return page(request, _history(platform, app_id_or_name)[1], "version")


@router.get("/{release}")
def get_release(app_id_or_name: str, release: str, platform: PlatformDep) -> dict[str, Any]:
    """By id or version (`3`, as the CLI sends `v3`)."""
    app, found = _history(platform, app_id_or_name)
    missing = f"{app.name} has no release {release}; `heroku releases` lists them"
    return pick(found, release, ("id", "version"), missing)


@router.get("/{release}/config-vars")
def release_config_vars(app_id_or_name: str, release: str, platform: PlatformDep) -> dict[str, str]:
    """The config vars that release ran with."""
    found = get_release(app_id_or_name, release, platform)
    with platform.db.connect() as conn:
        return releases.get(conn, found["app"]["name"], found["version"]).config


@router.post("", status_code=201)
def rollback(app_id_or_name: str, body: ReleaseCreate, platform: PlatformDep) -> dict[str, Any]:
    target = get_release(app_id_or_name, body.release, platform)
    if not target["slug"]:
        raise UserError(f"v{target['version']} has no slug to roll back to")
    made = platform.config.rollback(target["app"]["name"], target["version"], lambda line: None)
    return get_release(target["app"]["name"], str(made.version), platform)
