"""/apps/{app}/redis/{name}: Heroku Key-Value Store's redis: verbs (info, maxmemory,
cli, credentials). `name` is the add-on's name, its config var, or REDIS for the one attached as
REDIS_URL."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from minidyno.addons.keyvalue import POLICIES
from minidyno.api.addons import rotation
from minidyno.platform import Platform
from minidyno.state import addons, apps
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/redis/{name}", tags=["addons"])


def _find(platform: Platform, app: str, name: str) -> addons.Addon:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return addons.get_of(
            conn, app, None if name == "REDIS" else name, "heroku-redis", "REDIS_URL", "a Key-Value Store"
        )


@router.get("")
def info(app: str, name: str, platform: PlatformDep) -> dict:
    return platform.keyvalue.info(_find(platform, app, name))


class Config(BaseModel):
    maxmemory_policy: str


@router.patch("/config")
def update_config(app: str, name: str, body: Config, platform: PlatformDep) -> dict:
    addon = _find(platform, app, name)
    platform.keyvalue.set_policy(addon, body.maxmemory_policy)
    platform.logs.platform(app, "api", f"{addon.name} maxmemory policy set to {body.maxmemory_policy}")
    return {
        "name": addon.name,
        "attached_as": addon.config_var,
        "maxmemory_policy": body.maxmemory_policy,
        "description": POLICIES[body.maxmemory_policy],
    }


class Command(BaseModel):
    args: list[str]


@router.post("/cli")
def run_command(app: str, name: str, body: Command, platform: PlatformDep) -> dict:
    """One command of `redis:cli`, run by valkey-cli inside the store's container."""
    code, output = platform.keyvalue.typed_command(_find(platform, app, name), body.args)
    return {"exit": code, "output": output}


@router.get("/credentials")
def credentials(app: str, name: str, platform: PlatformDep) -> dict:
    """`redis:credentials`: the store's URL, as the app has it."""
    addon = _find(platform, app, name)
    return {"name": addon.name, "url": platform.keyvalue.url(addon)}


@router.post("/credentials/reset", response_class=StreamingResponse)
async def reset_credentials(app: str, name: str, platform: PlatformDep) -> StreamingResponse:
    """`redis:credentials --reset`: a new password, and a release with the new URL."""
    return rotation(platform, _find(platform, app, name))
