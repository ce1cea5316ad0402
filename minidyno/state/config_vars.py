"""An app's config vars, kept byte for byte as the user set them."""

from __future__ import annotations

import sqlite3


def get_all(conn: sqlite3.Connection, app: str) -> dict[str, str]:
    rows = conn.execute("SELECT key, value FROM config_vars WHERE app = ? ORDER BY key", (app,))
    return {r["key"]: r["value"] for r in rows}
