"""/apps/{app}/settings and /apps/{app}/domains: how the router treats an app —
whether its web dynos sleep (ps:type), maintenance mode, custom domains."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.errors import UserError
from minidyno.state import apps, domains
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}", tags=["router settings"])


class RouterSettings(BaseModel):
    dyno_type: Literal["eco", "basic"] | None = None
    maintenance: bool | None = None


class RouterSettingsOut(BaseModel):
    dyno_type: str
    maintenance: bool
    idle: bool


@router.get("/settings")
def get_settings(app: str, platform: PlatformDep) -> RouterSettingsOut:
    with platform.db.connect() as conn:
        row = apps.get(conn, app)
    return RouterSettingsOut(dyno_type=row.dyno_type, maintenance=row.maintenance, idle=row.idle)


@router.patch("/settings")
def update_settings(app: str, changes: RouterSettings, platform: PlatformDep) -> RouterSettingsOut:
    """`basic` wakes a sleeping app for good; maintenance answers H80 until turned off."""
    with platform.locks.of(app):
        with platform.db.connect() as conn:
            apps.get(conn, app)
            if changes.dyno_type:
                apps.set_flag(conn, app, "dyno_type", changes.dyno_type)
            if changes.maintenance is not None:
                apps.set_flag(conn, app, "maintenance", changes.maintenance)
        if changes.maintenance is not None:
            state = "on" if changes.maintenance else "off"
            platform.logs.platform(app, "api", f"Maintenance mode {state}")
    if changes.dyno_type == "basic":
        platform.idler.wake(app)
    platform.sync_router()
    return get_settings(app, platform)


@router.get("/domains")
def list_domains(app: str, platform: PlatformDep) -> list[str]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return [f"{app}.{platform.settings.domain}", *domains.for_app(conn, app)]


@router.post("/domains", status_code=201)
def add_domain(app: str, hostname: str, platform: PlatformDep) -> dict[str, str]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        added = domains.add(conn, app, hostname, platform.settings.domain)
    platform.sync_router()
    return {"hostname": added}


@router.delete("/domains/{hostname}")
def remove_domain(app: str, hostname: str, platform: PlatformDep) -> dict[str, str]:
    with platform.db.connect() as conn:
        domains.remove(conn, app, hostname)
    platform.sync_router()
    return {"removed": hostname}


platform_router = APIRouter(prefix="/platform", tags=["router settings"])


class PlatformSettings(BaseModel):
    idle_timeout: int | None = None
    #: The account's eco dyno hours a month.
    eco_hours: float | None = None


@platform_router.get("")
def get_platform_settings(platform: PlatformDep) -> PlatformSettings:
    return PlatformSettings(
        idle_timeout=platform.idler.idle_timeout, eco_hours=platform.eco_hours.quota / 3600
    )


@platform_router.patch("")
def update_platform_settings(changes: PlatformSettings, platform: PlatformDep) -> PlatformSettings:
    """The idle timeout and the eco hours pool until the server restarts (short ones
    show sleeping, and a pool running out, in class). Both are checked before either
    changes."""
    if changes.idle_timeout is not None and changes.idle_timeout < 1:
        raise UserError("the idle timeout is a number of seconds, 1 or more")
    if changes.eco_hours is not None and changes.eco_hours < 0:
        raise UserError("the eco hours pool is a number of hours, 0 or more")
    if changes.idle_timeout is not None:
        platform.idler.idle_timeout = changes.idle_timeout
    if changes.eco_hours is not None:
        platform.eco_hours.quota = changes.eco_hours * 3600
    return get_platform_settings(platform)
