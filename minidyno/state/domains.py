"""Custom domains: hostnames that route to an app beside `<app>.<MINIDYNO_DOMAIN>`."""

from __future__ import annotations

import ipaddress
import re
import sqlite3

from minidyno.errors import Conflict, NotFound, UserError
from minidyno.state.apps import now

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+$")


def check(hostname: str) -> str:
    name = hostname.strip().lower().rstrip(".")
    if not HOSTNAME.fullmatch(name):
        raise UserError(
            f"{hostname!r} is not a hostname: use letters, digits, dashes and dots, e.g. www.example.test"
        )
    return name


def for_app(conn: sqlite3.Connection, app: str) -> list[str]:
    rows = conn.execute("SELECT hostname FROM domains WHERE app = ? ORDER BY hostname", (app,))
    return [r["hostname"] for r in rows]


def of_all(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Every app's custom domains, in one query."""
    found: dict[str, list[str]] = {}
    for row in conn.execute("SELECT app, hostname FROM domains ORDER BY hostname"):
        found.setdefault(row["app"], []).append(row["hostname"])
    return found


def added_at(conn: sqlite3.Connection, app: str) -> dict[str, str]:
    """Each custom domain of the app, with when it was added."""
    rows = conn.execute("SELECT hostname, created_at FROM domains WHERE app = ? ORDER BY hostname", (app,))
    return {r["hostname"]: r["created_at"] for r in rows}


def check_custom(hostname: str, platform_domain: str) -> str:
    """A hostname an app may claim: not an IP address (a page there shares cookies
    with the dashboard on 127.0.0.1), and nothing at or under the platform's own domain,
    where every name is an app's (`other.localhost` would steal its traffic) or the
    dashboard's."""
    name = check(hostname)
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        raise UserError(f"{name} is an IP address; a custom domain is a hostname, e.g. www.example.test")
    if (
        name == platform_domain
        or name.endswith(f".{platform_domain}")
        or name == "localhost"
        or name.endswith(".localhost")
    ):
        raise UserError(
            f"{name} is under minidyno's own domain ({platform_domain}), where each "
            "name belongs to an app or the dashboard; use a domain of yours"
        )
    return name


def add(conn: sqlite3.Connection, app: str, hostname: str, platform_domain: str) -> str:
    name = check_custom(hostname, platform_domain)
    row = conn.execute("SELECT app FROM domains WHERE hostname = ?", (name,)).fetchone()
    if row:
        raise Conflict(f"{name} already routes to {row['app']}; remove it there first")
    conn.execute("INSERT INTO domains (hostname, app, created_at) VALUES (?, ?, ?)", (name, app, now()))
    return name


def remove(conn: sqlite3.Connection, app: str, hostname: str) -> None:
    name = check(hostname)
    if conn.execute("DELETE FROM domains WHERE app = ? AND hostname = ?", (app, name)).rowcount == 0:
        raise NotFound(f"{name} is not a domain of {app}; `minidyno domains -a {app}` lists them")
