"""Heroku Scheduler's jobs: what each runs, how often, when it runs next, and how its
last run went. Kept here, not in memory, so jobs and a run in progress outlive a
restart of the server."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from minidyno.errors import NotFound
from minidyno.state.apps import now


@dataclass(frozen=True)
class Job:
    id: int
    app: str
    command: str
    #: `10m`, `1h` or `1d`.
    every: str
    #: `HH:MM` (UTC) for daily jobs, `:MM` for hourly ones; None for every 10 minutes.
    at: str | None
    #: Epoch seconds of its next scheduled start.
    next_run: float
    #: Epoch seconds of its last start, and that run's exit status once it has one.
    last_run: float | None
    last_status: int | None
    #: The one-off dyno running it now (`scheduler.4821`), if any.
    dyno: str | None
    created_at: str


def create(
    conn: sqlite3.Connection, app: str, command: str, every: str, at: str | None, next_run: float
) -> Job:
    cur = conn.execute(
        "INSERT INTO scheduler_jobs (app, command, every, at, next_run, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (app, command, every, at, next_run, now()),
    )
    return get(conn, app, cur.lastrowid or 0)


def for_app(conn: sqlite3.Connection, app: str) -> list[Job]:
    rows = conn.execute("SELECT * FROM scheduler_jobs WHERE app = ? ORDER BY id", (app,))
    return [Job(**dict(r)) for r in rows]


def all_jobs(conn: sqlite3.Connection) -> list[Job]:
    return [Job(**dict(r)) for r in conn.execute("SELECT * FROM scheduler_jobs ORDER BY next_run, id")]


def find(conn: sqlite3.Connection, job_id: int) -> Job | None:
    row = conn.execute("SELECT * FROM scheduler_jobs WHERE id = ?", (job_id,)).fetchone()
    return Job(**dict(row)) if row else None


def get(conn: sqlite3.Connection, app: str, job_id: int) -> Job:
    row = conn.execute("SELECT * FROM scheduler_jobs WHERE app = ? AND id = ?", (app, job_id)).fetchone()
    if row is None:
        raise NotFound(f"{app} has no scheduler job {job_id}; `minidyno scheduler -a {app}` lists them")
    return Job(**dict(row))


_MUTABLE = {"command", "every", "at", "next_run", "last_run", "last_status", "dyno"}


def update(conn: sqlite3.Connection, job_id: int, **changes: object) -> None:
    assert set(changes) <= _MUTABLE, f"not a job's column: {set(changes) - _MUTABLE}"
    assignments = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE scheduler_jobs SET {assignments} WHERE id = ?", (*changes.values(), job_id))


def delete(conn: sqlite3.Connection, job_id: int) -> None:
    conn.execute("DELETE FROM scheduler_jobs WHERE id = ?", (job_id,))


def delete_app(conn: sqlite3.Connection, app: str) -> None:
    conn.execute("DELETE FROM scheduler_jobs WHERE app = ?", (app,))
