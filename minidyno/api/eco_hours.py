"""/apps/{app}/eco-hours: the account's eco dyno hours and what this app spent of them
this month, for `ps` and the dashboard's meter."""

from __future__ import annotations

from fastapi import APIRouter

from minidyno.state import apps
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/eco-hours", tags=["dynos"])


@router.get("")
def eco_hours(app: str, platform: PlatformDep) -> dict:
    with platform.db.connect() as conn:
        eco = apps.get(conn, app).dyno_type == "eco"
    balance = platform.eco_hours.balance(app)
    return {"eco": eco, "quota": balance.quota, "remaining": balance.remaining, "app_used": balance.app_used}
