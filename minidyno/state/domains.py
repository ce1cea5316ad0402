"""Custom domains: hostnames that route to an app beside `<app>.<MINIDYNO_DOMAIN>`."""

from __future__ import annotations

import re
import sqlite3

from minidyno.errors import Conflict, NotFound, UserError
from minidyno.state.apps import now

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+$")


def check(hostname: str) -> str:
    name = hostname.strip().lower().rstrip(".")
    if not HOSTNAME.match(name):
        raise UserError(f"{hostname!r} is not a hostname: use letters, digits, dashes and dots, "
                        "e.g. www.example.test")
    return name


def for_app(conn: sqlite3.Connection, app: str) -> list[str]:
    rows = conn.execute("SELECT hostname FROM domains WHERE app = ? ORDER BY hostname", (app,))
    return [r["hostname"] for r in rows]


def add(conn: sqlite3.Connection, app: str, hostname: str) -> str:
    name = check(hostname)
    row = conn.execute("SELECT app FROM domains WHERE hostname = ?", (name,)).fetchone()
    if row:
        raise Conflict(f"{name} already routes to {row['app']}; remove it there first")
    conn.execute("INSERT INTO domains (hostname, app, created_at) VALUES (?, ?, ?)",
                 (name, app, now()))
    return name


def remove(conn: sqlite3.Connection, app: str, hostname: str) -> None:
    name = check(hostname)
    if conn.execute("DELETE FROM domains WHERE app = ? AND hostname = ?", (app, name)).rowcount == 0:
        raise NotFound(f"{name} is not a domain of {app}; `minidyno domains -a {app}` lists them")
