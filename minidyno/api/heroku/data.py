"""The bits of Heroku's Postgres API (the "data" host) that `heroku pg:info` and
`heroku pg:backups` read; the CLI is pointed here with `HEROKU_DATA_HOST=127.0.0.1`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from minidyno.addons.backups import number_of
from minidyno.api import addons as own_addons
from minidyno.api.heroku.addons import addon_id, everything
from minidyno.api.heroku.shapes import find_app, identity, timestamp
from minidyno.errors import NotFound
from minidyno.state import config_vars
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/client/v11")


@router.get("/databases/{wanted}")
def database(wanted: str, platform: PlatformDep) -> dict[str, Any]:
    """pg:info's facts, in the `{name, values}` rows it prints."""
    addon = next((a for a, _ in everything(platform) if wanted in (addon_id(a), a.name)), None)
    if addon is None:
        raise NotFound(f"no database {wanted}")
    facts = own_addons.addon_info(addon.app, addon.name, platform)
    with platform.db.connect() as conn:
        url = config_vars.get_all(conn, addon.app).get(addon.config_var, "")
    limit, count = facts["row_limit"], str(facts["rows"])
    if limit:
        count = f"{count}/{limit}" + ("" if facts["inserts_allowed"] else " (INSERT revoked: over the limit)")
    rows = {
        "Plan": addon.plan,
        "Status": "Available" if facts["status"] == "running" else facts["status"],
        "Connections": str(facts["connections"]),
        "PG Version": facts["version"],
        "Created": facts["created_at"],
        "Data Size": facts["size"],
        "Tables": str(facts["tables"]),
        "Rows": count,
    }
    return {"resource_url": url, "info": [{"name": k, "values": [v]} for k, v in rows.items()]}


@router.get("/apps/{app_id_or_name}/transfers")
def transfers(app_id_or_name: str, platform: PlatformDep) -> list[dict[str, Any]]:
    """Backups taken (`minidyno pg:backups:capture`), as pg:backups lists them."""
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
    return [
        {
            "uuid": identity("backup", app.name, backup.name, backup.created_at),
            "num": number_of(backup.name) or 0,
            "from_type": "pg_dump",
            "to_type": "gof3r",
            "from_name": "DATABASE",
            "to_name": "BACKUP",
            "options": {},
            "schedule": None,
            "succeeded": True,
            "warnings": 0,
            "processed_bytes": backup.size,
            "created_at": timestamp(backup.created_at),
            "started_at": timestamp(backup.created_at),
            "finished_at": timestamp(backup.created_at),
        }
        for backup in platform.backups.all(app.name)
    ]
