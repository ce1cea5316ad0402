"""Releases: what a build made (its slug) plus the config it runs with, numbered vN.

A release row is written `pending` before its dynos start and becomes `succeeded` only
once they serve, so "the current release" is always one that served.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field

from minidyno.errors import NotFound
from minidyno.state.apps import now

#: The stack of releases built from a Dockerfile (heroku.yml), named as on Heroku. Their
#: dynos run the image's own conventions rather than a buildpack's.
CONTAINER_STACK = "container"


@dataclass(frozen=True)
class Slug:
    """What one build made, which every release of it (push, config change, rollback)
    runs: `image`, or per process type `images` (heroku.yml can build one per type), and
    each type's command (for the container stack, "" runs the image's ENTRYPOINT)."""

    image: str
    stack: str | None
    commit_sha: str | None
    processes: dict[str, str]
    images: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    app: str
    version: int
    description: str
    image: str | None
    stack: str | None
    commit_sha: str | None
    processes: dict[str, str]
    images: dict[str, str]
    config: dict[str, str]
    status: str
    created_at: str

    @property
    def slug(self) -> Slug | None:
        if self.image is None:
            return None
        return Slug(self.image, self.stack, self.commit_sha, self.processes, self.images)

    def image_for(self, process_type: str) -> str:
        """The image a dyno of `process_type` runs; one-offs run the web image."""
        return self.images.get(process_type) or self.image or ""

    @property
    def from_dockerfile(self) -> bool:
        return self.stack == CONTAINER_STACK


def _from_row(row: sqlite3.Row) -> Release:
    data = dict(row)
    for column in ("processes", "images", "config"):
        data[column] = json.loads(data[column])
    return Release(**data)


def next_version(conn: sqlite3.Connection, app: str) -> int:
    return conn.execute(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM releases WHERE app = ?", (app,)
    ).fetchone()[0]


def create(
    conn: sqlite3.Connection, app: str, description: str, slug: Slug, config: dict[str, str]
) -> Release:
    version = next_version(conn, app)
    fields = asdict(slug)
    conn.execute(
        "INSERT INTO releases (app, version, description, image, stack, commit_sha, processes,"
        " images, config, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
        (
            app,
            version,
            description,
            fields["image"],
            fields["stack"],
            fields["commit_sha"],
            json.dumps(fields["processes"]),
            json.dumps(fields["images"]),
            json.dumps(config),
            now(),
        ),
    )
    return get(conn, app, version)


def get(conn: sqlite3.Connection, app: str, version: int) -> Release:
    row = conn.execute("SELECT * FROM releases WHERE app = ? AND version = ?", (app, version)).fetchone()
    if row is None:
        raise NotFound(f"release v{version} of {app} not found; `minidyno releases` lists them")
    return _from_row(row)


def fail_interrupted(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Releases a stopped server left pending: they never succeeded, so they are failed
    (the release before each keeps serving). Which ones, as (app, version)."""
    rows = conn.execute("SELECT app, version FROM releases WHERE status = 'pending'").fetchall()
    conn.execute("UPDATE releases SET status = 'failed' WHERE status = 'pending'")
    return [(r["app"], r["version"]) for r in rows]


def set_status(conn: sqlite3.Connection, app: str, version: int, status: str) -> None:
    conn.execute("UPDATE releases SET status = ? WHERE app = ? AND version = ?", (status, app, version))


def current(conn: sqlite3.Connection, app: str) -> Release | None:
    row = conn.execute(
        "SELECT * FROM releases WHERE app = ? AND status = 'succeeded' ORDER BY version DESC LIMIT 1",
        (app,),
    ).fetchone()
    return _from_row(row) if row else None


def current_of_all(conn: sqlite3.Connection) -> dict[str, Release]:
    """Every app's current release, in one query: for the loops that look at every app."""
    rows = conn.execute(
        "SELECT r.* FROM releases r JOIN (SELECT app, MAX(version) AS version FROM releases "
        "WHERE status = 'succeeded' GROUP BY app) latest USING (app, version)"
    )
    return {row["app"]: _from_row(row) for row in rows}


def history(conn: sqlite3.Connection, app: str) -> list[Release]:
    rows = conn.execute("SELECT * FROM releases WHERE app = ? ORDER BY version DESC", (app,))
    return [_from_row(r) for r in rows]
