"""/apps: create, list, inspect and destroy apps."""

from __future__ import annotations

import shutil

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.api.dynos import DynoInfo, describe
from minidyno.errors import UserError
from minidyno.git import repos
from minidyno.naming import check_app_name, random_app_name
from minidyno.platform import Platform
from minidyno.runtime.driver import Dyno, by_app
from minidyno.state import apps, releases
from minidyno.state.releases import Release
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps", tags=["apps"])


class AppCreate(BaseModel):
    name: str | None = None


class AppInfo(BaseModel):
    name: str
    created_at: str
    stack: str | None
    web_url: str
    git_url: str
    release: int | None
    dynos: list[DynoInfo]


def _info(platform: Platform, name: str) -> AppInfo:
    with platform.db.connect() as conn:
        app = apps.get(conn, name)
        current = releases.current(conn, name)
    return _described(platform, app, current, platform.runtime.dynos(name))


def _described(platform: Platform, app: apps.App, current: Release | None, dynos: list[Dyno]) -> AppInfo:
    return AppInfo(
        name=app.name,
        created_at=app.created_at,
        stack=app.stack,
        web_url=platform.settings.app_url(app.name),
        git_url=platform.settings.git_url(app.name),
        release=current.version if current else None,
        dynos=[describe(platform, d) for d in dynos],
    )


@router.get("")
def list_apps(platform: PlatformDep) -> list[AppInfo]:
    """Every app from one read of the state and one listing of the engine, however many
    apps there are (a class's hundred)."""
    with platform.db.connect() as conn:
        found = apps.all_apps(conn)
        current = releases.current_of_all(conn)
    dynos = by_app(platform.runtime.dynos())
    return [_described(platform, a, current.get(a.name), dynos.get(a.name, [])) for a in found]


@router.post("", status_code=201)
def create_app(body: AppCreate, platform: PlatformDep) -> AppInfo:
    name = check_app_name(body.name) if body.name else random_app_name()
    with platform.db.connect() as conn:
        apps.create(conn, name)
    repos.ensure(platform.settings, name)
    platform.sync_router()
    return _info(platform, name)


@router.get("/{name}")
def get_app(name: str, platform: PlatformDep) -> AppInfo:
    return _info(platform, name)


@router.delete("/{name}")
def destroy_app(name: str, platform: PlatformDep, confirm: str = "") -> dict:
    if confirm != name:
        raise UserError(
            f"destroying {name} removes its dynos, releases, repo and data; confirm with --confirm {name}"
        )
    with platform.locks.of(name):
        with platform.db.connect() as conn:
            apps.get(conn, name)
        platform.runtime.remove_app(name)
        platform.doctor.forget(name)
        if platform.metrics:
            platform.metrics.forget(name)
        for folder in (repos.path(platform.settings, name), *platform.settings.app_dirs(name)):
            shutil.rmtree(folder, ignore_errors=True)
        with platform.db.connect() as conn:
            apps.delete(conn, name)
        platform.logs.forget(name)
    platform.sync_router()
    return {"destroyed": name}
