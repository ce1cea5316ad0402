"""Releases: an image plus the config and process types it runs with, numbered vN.

A release row is written `pending` before its dynos start and becomes `succeeded` only
once they serve, so "the current release" is always one that served.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from minidyno.errors import NotFound
from minidyno.state.apps import now


@dataclass(frozen=True)
class Release:
    app: str
    version: int
    description: str
    image: str | None
    stack: str | None
    commit_sha: str | None
    processes: dict[str, str]
    config: dict[str, str]
    status: str
    created_at: str


def _from_row(row: sqlite3.Row) -> Release:
    data = dict(row)
    data["processes"] = json.loads(data["processes"])
    data["config"] = json.loads(data["config"])
    return Release(**data)


def next_version(conn: sqlite3.Connection, app: str) -> int:
    return conn.execute(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM releases WHERE app = ?", (app,)
    ).fetchone()[0]


def create(
    conn: sqlite3.Connection,
    app: str,
    description: str,
    *,
    image: str | None,
    stack: str | None,
    commit_sha: str | None,
    processes: dict[str, str],
    config: dict[str, str],
) -> Release:
    version = next_version(conn, app)
    conn.execute(
        "INSERT INTO releases (app, version, description, image, stack, commit_sha, processes,"
        " config, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        (app, version, description, image, stack, commit_sha, json.dumps(processes),
         json.dumps(config), now()),
    )
    return get(conn, app, version)


def get(conn: sqlite3.Connection, app: str, version: int) -> Release:
    row = conn.execute(
        "SELECT * FROM releases WHERE app = ? AND version = ?", (app, version)
    ).fetchone()
    if row is None:
        raise NotFound(f"release v{version} of {app} not found; `minidyno releases` lists them")
    return _from_row(row)


def set_status(conn: sqlite3.Connection, app: str, version: int, status: str) -> None:
    conn.execute(
        "UPDATE releases SET status = ? WHERE app = ? AND version = ?", (status, app, version)
    )


def current(conn: sqlite3.Connection, app: str) -> Release | None:
    row = conn.execute(
        "SELECT * FROM releases WHERE app = ? AND status = 'succeeded'"
        " ORDER BY version DESC LIMIT 1",
        (app,),
    ).fetchone()
    return _from_row(row) if row else None


def history(conn: sqlite3.Connection, app: str) -> list[Release]:
    rows = conn.execute("SELECT * FROM releases WHERE app = ? ORDER BY version DESC", (app,))
    return [_from_row(r) for r in rows]
