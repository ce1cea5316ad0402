"""Eco dyno time spent, per month (`2026-12`, UTC) and app. Not tied to the app's row:
as on Heroku, destroying an app gives none of the month's hours back."""

from __future__ import annotations

import sqlite3


def add(conn: sqlite3.Connection, month: str, seconds_by_app: dict[str, float]) -> None:
    conn.executemany(
        "INSERT INTO eco_usage (month, app, seconds) VALUES (?, ?, ?)"
        " ON CONFLICT (month, app) DO UPDATE SET seconds = seconds + excluded.seconds",
        [(month, app, seconds) for app, seconds in seconds_by_app.items()],
    )


def used(conn: sqlite3.Connection, month: str, app: str | None = None) -> float:
    """Seconds spent this month by every app, or by one."""
    if app is None:
        row = conn.execute("SELECT coalesce(sum(seconds), 0) FROM eco_usage WHERE month = ?", (month,))
    else:
        row = conn.execute(
            "SELECT coalesce(sum(seconds), 0) FROM eco_usage WHERE month = ? AND app = ?", (month, app)
        )
    return float(row.fetchone()[0])
