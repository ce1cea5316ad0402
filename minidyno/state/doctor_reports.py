"""Each app's last `minidyno doctor` report, for the dashboard: the report as doctor
returned it (JSON), replaced by the next one."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from minidyno.state.apps import now


def save(conn: sqlite3.Connection, app: str, report: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO doctor_reports (app, report, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (app) DO UPDATE SET report = excluded.report, created_at = excluded.created_at",
        (app, json.dumps(report), now()),
    )


def last(conn: sqlite3.Connection, app: str) -> dict[str, Any] | None:
    """The last report, with when it was made; None before the first."""
    row = conn.execute("SELECT report, created_at FROM doctor_reports WHERE app = ?", (app,)).fetchone()
    return {**json.loads(row[0]), "created_at": row[1]} if row else None
