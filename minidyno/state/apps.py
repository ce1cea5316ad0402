"""Apps: a name, when it was made, and the stack it builds on."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from minidyno.errors import Conflict, NotFound


class AppExists(Conflict):
    pass


class AppNotFound(NotFound):
    pass


@dataclass(frozen=True)
class App:
    name: str
    created_at: str
    stack: str | None
    #: Heroku's dyno type: `eco` web dynos sleep when idle, `basic` ones never do.
    dyno_type: str = "eco"
    maintenance: bool = False
    idle: bool = False


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create(conn: sqlite3.Connection, name: str) -> App:
    try:
        conn.execute("INSERT INTO apps (name, created_at) VALUES (?, ?)", (name, now()))
    except sqlite3.IntegrityError:
        raise AppExists(f"app {name!r} already exists; pick another name") from None
    return get(conn, name)


def _app(row: sqlite3.Row) -> App:
    data = dict(row)
    data["maintenance"], data["idle"] = bool(data["maintenance"]), bool(data["idle"])
    return App(**data)


def get(conn: sqlite3.Connection, name: str) -> App:
    row = conn.execute("SELECT * FROM apps WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise AppNotFound(f"app {name!r} not found; `minidyno apps` lists yours")
    return _app(row)


def all_apps(conn: sqlite3.Connection) -> list[App]:
    return [_app(r) for r in conn.execute("SELECT * FROM apps ORDER BY name")]


def set_stack(conn: sqlite3.Connection, name: str, stack: str) -> None:
    conn.execute("UPDATE apps SET stack = ? WHERE name = ?", (stack, name))


def delete(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM apps WHERE name = ?", (name,))


def set_flag(conn: sqlite3.Connection, name: str, flag: str, value: bool | str) -> None:
    """One of the app's settings: `dyno_type`, `maintenance` or `idle`."""
    if flag not in ("dyno_type", "maintenance", "idle"):
        raise ValueError(flag)
    conn.execute(f"UPDATE apps SET {flag} = ? WHERE name = ?", (value, name))
