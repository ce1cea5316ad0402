"""/apps/{app}/redis/{name}: Heroku Key-Value Store's redis: verbs (info, maxmemory,
cli). `name` is the add-on's name, its config var, or REDIS for the one attached as
REDIS_URL."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.addons.keyvalue import POLICIES
from minidyno.errors import UserError
from minidyno.platform import Platform
from minidyno.state import addons, apps
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/redis/{name}", tags=["addons"])


def _find(platform: Platform, app: str, name: str) -> addons.Addon:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        addon = addons.get(conn, app, None if name == "REDIS" else name, "heroku-redis", "REDIS_URL")
    if addon.service != "heroku-redis":
        raise UserError(f"{addon.name} is not a Key-Value Store; `minidyno addons -a {app}` lists them")
    return addon


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
    if not body.args:
        raise UserError("an empty command; type a Redis command such as PING")
    code, output = platform.keyvalue.command(_find(platform, app, name), *body.args)
    return {"exit": code, "output": output}
