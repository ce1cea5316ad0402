"""Config vars (`heroku config`, `config:set`, `config:unset`): a change is a new
release, made before the answer, as minidyno's own API makes it."""

from __future__ import annotations

from fastapi import APIRouter

from minidyno.api.heroku.shapes import find_app
from minidyno.state import config_vars
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app_id_or_name}/config-vars")


@router.get("")
def get_config_vars(app_id_or_name: str, platform: PlatformDep) -> dict[str, str]:
    with platform.db.connect() as conn:
        return config_vars.get_all(conn, find_app(conn, app_id_or_name).name)


@router.patch("")
def update_config_vars(
    app_id_or_name: str, changes: dict[str, str | None], platform: PlatformDep
) -> dict[str, str]:
    """Each name to its value, or unset with null."""
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
    platform.config.change(app.name, changes, lambda line: None)
    return get_config_vars(app.name, platform)
