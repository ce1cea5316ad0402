"""/apps/{app}/addons: Postgres add-ons, their info, credentials for host tools, and
reset. Passwords appear only in DATABASE_URL (config:get) and the credentials
endpoint, never in listings or logs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel

from minidyno.addons import row_limit
from minidyno.addons.backups import Backup
from minidyno.api.streaming import stream_work
from minidyno.errors import UserError
from minidyno.platform import Platform
from minidyno.state import addons, apps
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/addons", tags=["addons"])


class AddonCreate(BaseModel):
    service: str = "postgres"
    plan: str | None = None


class AddonInfo(BaseModel):
    name: str
    service: str
    plan: str
    attached_as: str
    created_at: str


def _described(addon: addons.Addon) -> AddonInfo:
    return AddonInfo(
        name=addon.name,
        service=addon.service,
        plan=addon.plan,
        attached_as=addon.config_var,
        created_at=addon.created_at,
    )


def _find(platform: Platform, app: str, name: str) -> addons.Addon:
    """A Postgres add-on, for the pg: verbs."""
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return addons.get_of(conn, app, _named(name), "postgres", "DATABASE_URL", "a Postgres database")


def _find_any(platform: Platform, app: str, name: str) -> addons.Addon:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return addons.get(conn, app, _named(name), "postgres", "DATABASE_URL")


def _named(name: str) -> str | None:
    """DATABASE (Heroku's word for the one attached as DATABASE_URL) names no add-on."""
    return None if name in ("DATABASE", "DATABASE_URL") else name


@router.get("")
def list_addons(app: str, platform: PlatformDep) -> list[AddonInfo]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return [_described(a) for a in addons.for_app(conn, app)]


@router.post("", response_class=StreamingResponse)
async def create_addon(app: str, body: AddonCreate, platform: PlatformDep) -> StreamingResponse:
    request = platform.addons.parse(body.service, body.plan)

    def work(say):
        addon = platform.addons.create(app, request, say)
        return {"addon": addon.name, "attached_as": addon.config_var}

    return stream_work(work)


@router.delete("/{name}", response_class=StreamingResponse)
async def destroy_addon(app: str, name: str, platform: PlatformDep, confirm: str = "") -> StreamingResponse:
    addon = _find_any(platform, app, name)
    if confirm != app:
        raise UserError(f"destroying {addon.name} deletes its data; confirm with --confirm {app}")

    def work(say):
        platform.addons.destroy(addon, say)
        return {"destroyed": addon.name}

    return stream_work(work)


@router.get("/{name}/info")
def addon_info(app: str, name: str, platform: PlatformDep) -> dict:
    """pg:info, with rows counted exactly and whether the row limit took INSERT away."""
    addon = _find(platform, app, name)
    rows, inserts_allowed = row_limit.usage(platform.postgres, addon)
    return {**platform.postgres.info(addon), "rows": rows, "inserts_allowed": inserts_allowed}


@router.get("/{name}/credentials")
def addon_credentials(app: str, name: str, platform: PlatformDep) -> dict[str, str | None]:
    """For psql on this machine: the URL through the port published on 127.0.0.1, or
    None on a swarm, where the database has no port outside the app's network."""
    return {"url": platform.postgres.host_url(_find(platform, app, name))}


@router.post("/{name}/reset")
def reset_addon(app: str, name: str, platform: PlatformDep, confirm: str = "") -> dict:
    addon = _find(platform, app, name)
    if confirm != app:
        raise UserError(f"resetting {addon.name} deletes all its data; confirm with --confirm {app}")
    platform.postgres.reset(addon)
    platform.logs.platform(addon.app, "api", f"{addon.name} was reset")
    return {"reset": addon.name}


@router.post("/{name}/credentials/rotate", response_class=StreamingResponse)
async def rotate_credentials(app: str, name: str, platform: PlatformDep) -> StreamingResponse:
    return rotation(platform, _find(platform, app, name))


def rotation(platform: Platform, addon: addons.Addon) -> StreamingResponse:
    """A new password and a release with the new URL, streamed as it goes: for
    pg:credentials:rotate and redis:credentials --reset."""

    def work(say):
        platform.addons.rotate_credentials(addon, say)
        return {"rotated": addon.name}

    return stream_work(work)


@router.post("/{name}/promote", response_class=StreamingResponse)
async def promote_addon(app: str, name: str, platform: PlatformDep) -> StreamingResponse:
    addon = _find(platform, app, name)

    def work(say):
        platform.addons.promote(addon, say)
        return {"promoted": addon.name}

    return stream_work(work)


@router.post("/{name}/backups")
def capture_backup(app: str, name: str, platform: PlatformDep) -> dict:
    return _backup_info(platform.backups.capture(_find(platform, app, name)))


class Sql(BaseModel):
    command: str


@router.post("/{name}/psql")
def run_psql(app: str, name: str, sql: Sql, platform: PlatformDep) -> dict:
    """psql inside the database container, for a machine without psql of its own."""
    code, output = platform.postgres.psql(_find(platform, app, name), sql.command)
    return {"exit": code, "output": output}


backups_router = APIRouter(prefix="/apps/{app}/backups", tags=["addons"])


def _backup_info(backup: Backup) -> dict:
    return {"name": backup.name, "size": backup.size, "created_at": backup.created_at}


@backups_router.get("")
def list_backups(app: str, platform: PlatformDep) -> list[dict]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
    return [_backup_info(b) for b in platform.backups.all(app)]


@backups_router.post("/{backup}/restore")
def restore_backup(
    app: str, backup: str, platform: PlatformDep, confirm: str = "", addon: str = "DATABASE"
) -> dict:
    target = _find(platform, app, addon)
    chosen = platform.backups.get(app, None if backup == "latest" else backup)
    if confirm != app:
        raise UserError(
            f"restoring {chosen.name} replaces the data in {target.name}; confirm with --confirm {app}"
        )
    platform.backups.restore(target, chosen)
    return {"restored": chosen.name, "to": target.name}


@backups_router.get("/{backup}/download")
def download_backup(app: str, backup: str, platform: PlatformDep) -> FileResponse:
    chosen = platform.backups.get(app, None if backup == "latest" else backup)
    return FileResponse(chosen.path, media_type="application/octet-stream", filename=f"{chosen.name}.dump")


@backups_router.delete("/{backup}")
def delete_backup(app: str, backup: str, platform: PlatformDep, confirm: str = "") -> dict:
    if confirm != app:
        raise UserError(f"deleting backup {backup} cannot be undone; confirm with --confirm {app}")
    platform.backups.delete(app, backup)
    return {"deleted": backup}
