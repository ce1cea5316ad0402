"""An app's config vars, kept byte for byte as the user set them."""

from __future__ import annotations

import sqlite3


def get_all(conn: sqlite3.Connection, app: str) -> dict[str, str]:
    rows = conn.execute("SELECT key, value FROM config_vars WHERE app = ? ORDER BY key", (app,))
    return {r["key"]: r["value"] for r in rows}


def replace_all(conn: sqlite3.Connection, app: str, config: dict[str, str]) -> None:
    conn.execute("DELETE FROM config_vars WHERE app = ?", (app,))
    conn.executemany(
        "INSERT INTO config_vars (app, key, value) VALUES (?, ?, ?)", [(app, k, v) for k, v in config.items()]
    )
