"""Add-ons: each one's plan, the config var it is attached as, and its credentials."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from minidyno.errors import NotFound, UserError
from minidyno.state.apps import now


@dataclass(frozen=True)
class Addon:
    name: str
    app: str
    service: str
    plan: str
    config_var: str
    db_user: str
    db_password: str
    db_name: str
    created_at: str
    #: A password being rotated to: written before the database's role is changed, so a
    #: server stopped half way finishes the rotation at its next start.
    db_password_next: str | None = None


def create(conn: sqlite3.Connection, addon: Addon) -> None:
    conn.execute(
        "INSERT INTO addons (name, app, service, plan, config_var, db_user, db_password,"
        " db_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            addon.name,
            addon.app,
            addon.service,
            addon.plan,
            addon.config_var,
            addon.db_user,
            addon.db_password,
            addon.db_name,
            addon.created_at or now(),
        ),
    )


def all_addons(conn: sqlite3.Connection) -> list[Addon]:
    return [Addon(**dict(r)) for r in conn.execute("SELECT * FROM addons ORDER BY app, name")]


def for_app(conn: sqlite3.Connection, app: str) -> list[Addon]:
    rows = conn.execute("SELECT * FROM addons WHERE app = ? ORDER BY created_at, name", (app,))
    return [Addon(**dict(r)) for r in rows]


def get(conn: sqlite3.Connection, app: str, name: str | None, service: str, main_var: str) -> Addon:
    """An app's add-on by its name, its service (`scheduler`) or its config var
    (`HEROKU_REDIS_RED`, with or without `_URL`), or with no name its `service`
    add-on attached as `main_var` (else its first of that service), as Heroku's pg: and
    redis: verbs take them."""
    found = for_app(conn, app)
    if name is None:
        mine = sorted((a for a in found if a.service == service), key=lambda a: a.config_var != main_var)
        if mine:
            return mine[0]
    else:
        wanted = name.upper().removesuffix("_URL") + "_URL"
        for addon in found:
            if name in (addon.name, addon.service) or wanted == addon.config_var:
                return addon
    raise NotFound(f"{app} has no add-on {name or f'of {service}'}; `minidyno addons -a {app}` lists them")


def get_of(
    conn: sqlite3.Connection, app: str, name: str | None, service: str, main_var: str, kind: str
) -> Addon:
    """As `get`, for one service's verbs (pg:, redis:), which refuse another's add-on."""
    addon = get(conn, app, name, service, main_var)
    if addon.service != service:
        raise UserError(f"{addon.name} is not {kind}; `minidyno addons -a {app}` lists them")
    return addon


def plan_password(conn: sqlite3.Connection, name: str, password: str) -> None:
    conn.execute("UPDATE addons SET db_password_next = ? WHERE name = ?", (password, name))


def commit_password(conn: sqlite3.Connection, name: str) -> None:
    """The planned password is the role's now."""
    conn.execute(
        "UPDATE addons SET db_password = db_password_next, db_password_next = NULL "
        "WHERE name = ? AND db_password_next IS NOT NULL",
        (name,),
    )


def delete(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM addons WHERE name = ?", (name,))


def set_config_var(conn: sqlite3.Connection, name: str, config_var: str) -> None:
    conn.execute("UPDATE addons SET config_var = ? WHERE name = ?", (config_var, name))
