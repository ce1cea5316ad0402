"""/apps/{app}/metrics: the figures of Heroku's Metrics tab over a window, for the
dashboard's charts and `minidyno metrics`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from minidyno.errors import UserError
from minidyno.metrics.series import MIN_SINCE
from minidyno.metrics.store import RETENTION
from minidyno.state import apps
from minidyno.web.deps import PlatformDep

router = APIRouter(tags=["metrics"])


@router.get("/apps/{app}/metrics")
def metrics(app: str, platform: PlatformDep, since: int = 3600, step: int = 0) -> dict[str, Any]:
    """`since` seconds back from now, in rows of `step` seconds: the interval by default,
    and wider where that would make more than MAX_ROWS rows."""
    with platform.db.connect() as conn:
        apps.get(conn, app)
    if platform.metrics is None:
        raise UserError("metrics are off on this server (MINIDYNO_METRICS_INTERVAL=0); unset it and restart")
    if not MIN_SINCE <= since <= RETENTION:
        raise UserError(
            f"since must be between {MIN_SINCE} s and a day (metrics are kept for a day), not {since} s"
        )
    if step < 0:
        raise UserError(f"step is seconds per row, not {step}")
    return platform.metrics.window(app, since, step)
