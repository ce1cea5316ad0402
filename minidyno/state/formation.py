"""How many dynos of each process type an app should run."""

from __future__ import annotations

import sqlite3


def get(conn: sqlite3.Connection, app: str) -> dict[str, int]:
    rows = conn.execute("SELECT process_type, quantity FROM formation WHERE app = ?", (app,))
    return {r["process_type"]: r["quantity"] for r in rows}


def of_all(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Every app's formation, in one query."""
    found: dict[str, dict[str, int]] = {}
    for row in conn.execute("SELECT app, process_type, quantity FROM formation"):
        found.setdefault(row["app"], {})[row["process_type"]] = row["quantity"]
    return found


def ensure_types(conn: sqlite3.Connection, app: str, process_types: list[str]) -> dict[str, int]:
    """Give new process types Heroku's first-deploy quantities (web=1, others 0) and
    keep what the user scaled for types already known; types gone from the Procfile
    drop out."""
    known = get(conn, app)
    conn.execute("DELETE FROM formation WHERE app = ?", (app,))
    result = {t: known.get(t, 1 if t == "web" else 0) for t in process_types}
    conn.executemany(
        "INSERT INTO formation (app, process_type, quantity) VALUES (?, ?, ?)",
        [(app, t, q) for t, q in result.items()],
    )
    return result


def set_quantity(conn: sqlite3.Connection, app: str, process_type: str, quantity: int) -> None:
    conn.execute(
        "UPDATE formation SET quantity = ? WHERE app = ? AND process_type = ?", (quantity, app, process_type)
    )
