"""What Heroku's Platform API v3 resources look like: UUID ids, ISO 8601 times in UTC
with a `Z`, and the `{id, name}` references that nest one resource in another.

minidyno keeps names, not UUIDs. An id here is a UUID derived from what identifies the
thing and when it was made (uuid5), so it is the same on every request and across
restarts, and a new app of an old name gets a new id, as on Heroku.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from minidyno.errors import NotFound
from minidyno.state import apps
from minidyno.state.apps import App

#: The namespace of every id this server makes.
_NAMESPACE = uuid.UUID("5f0c7b52-8f0e-4c8e-9a37-6d696e6964a1")


def identity(kind: str, *parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join([kind, *map(str, parts)])))


_HEROKU_TIME = "%Y-%m-%dT%H:%M:%SZ"


def timestamp(iso: str | None) -> str | None:
    """`2026-12-02T23:45:00+00:00` as Heroku writes it: `2026-12-02T23:45:00Z`."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime(_HEROKU_TIME) if iso else None


def from_epoch(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(_HEROKU_TIME)


def app_id(app: App) -> str:
    return identity("app", app.name, app.created_at)


def app_ref(app: App) -> dict[str, Any]:
    return {"id": app_id(app), "name": app.name}


def release_ref(app: App, version: int) -> dict[str, Any]:
    return {"id": identity("release", app.name, app.created_at, version), "version": version}


def pick(items: list[dict[str, Any]], wanted: str, keys: tuple[str, ...], missing: str) -> dict[str, Any]:
    """The item whose `keys` (its id, name…) include `wanted`, as a path names it."""
    for item in items:
        if wanted in (str(item[k]) for k in keys):
            return item
    raise NotFound(missing)


def find_app(conn: sqlite3.Connection, id_or_name: str) -> App:
    """An app by its name or its id, as every `/apps/{app_id_or_name}` path takes it."""
    try:
        return apps.get(conn, id_or_name)
    except apps.AppNotFound:
        found = next((a for a in apps.all_apps(conn) if app_id(a) == id_or_name), None)
        if found is None:
            raise
        return found
