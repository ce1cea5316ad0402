"""/apps/{app}/metrics: the figures of Heroku's Metrics tab over a window, for the
dashboard's charts and `minidyno metrics`."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from minidyno.errors import UserError
from minidyno.metrics.series import MAX_SINCE, MIN_SINCE, window
from minidyno.state import apps
from minidyno.web.deps import PlatformDep

router = APIRouter(tags=["metrics"])


@router.get("/apps/{app}/metrics")
def metrics(app: str, platform: PlatformDep, since: int = 3600, step: int = 0) -> dict[str, Any]:
    """`since` seconds back from now, in rows of `step` seconds (the interval by default)."""
    with platform.db.connect() as conn:
        apps.get(conn, app)
    interval = platform.settings.metrics_interval
    if not interval:
        raise UserError("metrics are off on this server (MINIDYNO_METRICS_INTERVAL=0); unset it and restart")
    if not MIN_SINCE <= since <= MAX_SINCE:
        raise UserError(f"--since must be between 1m and 24h (metrics are kept for a day), not {since} s")
    if step < 0 or (step and since / step > 2000):
        raise UserError(
            f"a step of {step} s over {since} s makes too many rows; ask for {since // 2000 + 1} s or more"
        )
    return window(
        platform.metrics_store,
        app,
        time.time(),
        since,
        step or interval,
        interval,
        platform.settings.memory_quota_mb,
    )
