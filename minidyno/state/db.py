"""One SQLite file under MINIDYNO_HOME, opened per unit of work.

A connection per call (rather than one shared) keeps FastAPI's worker threads and the
supervisor from sharing a cursor; WAL lets readers go on while a deploy writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS apps (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    stack TEXT,
    dyno_type TEXT NOT NULL DEFAULT 'eco',
    maintenance INTEGER NOT NULL DEFAULT 0,
    idle INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS addons (
    name TEXT PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    service TEXT NOT NULL,
    plan TEXT NOT NULL,
    config_var TEXT NOT NULL,
    db_user TEXT NOT NULL,
    db_password TEXT NOT NULL,
    db_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS domains (
    hostname TEXT PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS releases (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    image TEXT,
    stack TEXT,
    commit_sha TEXT,
    processes TEXT NOT NULL DEFAULT '{}',
    images TEXT NOT NULL DEFAULT '{}',
    config TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (app, version)
);
CREATE TABLE IF NOT EXISTS config_vars (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (app, key)
);
CREATE TABLE IF NOT EXISTS scheduler_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    command TEXT NOT NULL,
    every TEXT NOT NULL,
    at TEXT,
    next_run REAL NOT NULL,
    last_run REAL,
    last_status INTEGER,
    dyno TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS eco_usage (
    month TEXT NOT NULL,
    app TEXT NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (month, app)
);
CREATE TABLE IF NOT EXISTS formation (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    process_type TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (app, process_type)
);
CREATE TABLE IF NOT EXISTS doctor_reports (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    report TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


#: Columns added after a table first shipped: (table, column, definition).
_ADDED_COLUMNS = (
    ("apps", "dyno_type", "TEXT NOT NULL DEFAULT 'eco'"),
    ("apps", "maintenance", "INTEGER NOT NULL DEFAULT 0"),
    ("apps", "idle", "INTEGER NOT NULL DEFAULT 0"),
    ("addons", "db_password_next", "TEXT"),
    ("releases", "images", "TEXT NOT NULL DEFAULT '{}'"),
)


class Database:
    """`schema` and the columns `added` to it since: the state's, unless another file
    (the metrics') is opened the same way."""

    def __init__(
        self, path: Path, schema: str = SCHEMA, added: tuple[tuple[str, str, str], ...] = _ADDED_COLUMNS
    ) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)
            _add_missing_columns(conn, added)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose `with` block is one transaction: committed when the block
        ends, rolled back on an exception, so nothing half-applied is left."""
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            with conn:
                yield conn
        finally:
            conn.close()


def _add_missing_columns(conn: sqlite3.Connection, added: tuple[tuple[str, str, str], ...]) -> None:
    """Bring a file made by an older minidyno up to this schema, in place."""
    for table, column, definition in added:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
