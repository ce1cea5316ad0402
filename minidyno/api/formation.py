"""/apps/{app}/formation: how many dynos of each type (ps:scale)."""

from __future__ import annotations

from fastapi import APIRouter

from minidyno.runtime import scale
from minidyno.state import apps, formation
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/formation", tags=["formation"])


@router.get("")
def get_formation(app: str, platform: PlatformDep) -> dict[str, int]:
    with platform.db.connect() as conn:
        apps.get(conn, app)
        return formation.get(conn, app)


@router.patch("")
def update_formation(app: str, changes: list[str], platform: PlatformDep) -> dict[str, int]:
    """Changes as the CLI takes them: `["web=2", "worker+1"]`."""
    return platform.scaler.scale(app, scale.parse_changes(changes))
