"""The metrics kept under MINIDYNO_HOME: a SQLite file of its own, so that a sample
written every 10 s never waits on (or holds up) the state database's writers.

Its size is bounded: rows older than RETENTION are deleted every minute, so each series
holds at most a day of 10-second rows (8,640), and an app's events at most MAX_EVENTS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from minidyno.metrics.router_counts import Bucket
from minidyno.state.db import Database

RETENTION = 24 * 3600
MAX_EVENTS = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS router (
    app TEXT NOT NULL,
    t INTEGER NOT NULL,
    status TEXT NOT NULL,
    codes TEXT NOT NULL,
    histogram TEXT NOT NULL,
    max_ms INTEGER NOT NULL,
    PRIMARY KEY (app, t)
);
CREATE TABLE IF NOT EXISTS dynos (
    app TEXT NOT NULL,
    dyno TEXT NOT NULL,
    t INTEGER NOT NULL,
    rss_mb REAL NOT NULL,
    cache_mb REAL NOT NULL,
    swap_mb REAL NOT NULL,
    load REAL,
    PRIMARY KEY (app, dyno, t)
);
CREATE TABLE IF NOT EXISTS events (
    app TEXT NOT NULL,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    dyno TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (app, t);
-- What prune deletes by, every minute.
CREATE INDEX IF NOT EXISTS router_by_time ON router (t);
CREATE INDEX IF NOT EXISTS dynos_by_time ON dynos (t);
"""


@dataclass(frozen=True)
class DynoSample:
    app: str
    dyno: str
    t: int
    rss_mb: float
    cache_mb: float
    swap_mb: float
    #: None for a dyno's first sample: load is CPU time between two.
    load: float | None


@dataclass(frozen=True)
class Event:
    t: float
    kind: str
    dyno: str
    text: str


class MetricsStore:
    def __init__(self, path: Path) -> None:
        self._connect = Database(path, SCHEMA, added=()).connect

    def write(self, router: dict[tuple[str, int], Bucket], dynos: list[DynoSample]) -> None:
        """One interval's figures, in one transaction."""
        with self._connect() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO router VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (app, t, json.dumps(b.status), json.dumps(b.codes), json.dumps(b.histogram), b.max_ms)
                    for (app, t), b in router.items()
                ],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO dynos VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(s.app, s.dyno, s.t, s.rss_mb, s.cache_mb, s.swap_mb, s.load) for s in dynos],
            )

    def add_event(self, app: str, event: Event) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (app, event.t, event.kind, event.dyno, event.text),
            )

    def prune(self, before: float) -> None:
        """Forget what is older than `before`, and an app's events past MAX_EVENTS."""
        with self._connect() as conn:
            for table in ("router", "dynos", "events"):
                conn.execute(f"DELETE FROM {table} WHERE t < ?", (before,))
            conn.execute(
                "DELETE FROM events WHERE rowid IN (SELECT rowid FROM (SELECT rowid, ROW_NUMBER() "
                "OVER (PARTITION BY app ORDER BY t DESC) AS n FROM events) WHERE n > ?)",
                (MAX_EVENTS,),
            )

    def forget(self, app: str) -> None:
        """An app destroyed: a new one of its name starts with no history."""
        with self._connect() as conn:
            for table in ("router", "dynos", "events"):
                conn.execute(f"DELETE FROM {table} WHERE app = ?", (app,))

    def router(self, app: str, start: float, end: float) -> Iterator[tuple[int, Bucket]]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT t, status, codes, histogram, max_ms FROM router "
                "WHERE app = ? AND t >= ? AND t < ? ORDER BY t",
                (app, start, end),
            ).fetchall()
        for t, status, codes, histogram, max_ms in rows:
            yield (
                t,
                Bucket(
                    json.loads(status),
                    json.loads(codes),
                    {int(k): v for k, v in json.loads(histogram).items()},
                    max_ms,
                ),
            )

    def dyno_rows(self, app: str, start: int, end: int, step: int) -> list[tuple]:
        """Per dyno and step of [start, end): its highest memory (total, RSS, cache, swap)
        and mean load, summed up here rather than in Python, as a day of twenty dynos is
        172,800 samples."""
        with self._connect() as conn:
            return conn.execute(
                "SELECT dyno, ? + (t - ?) / ? * ? AS row, MAX(rss_mb + cache_mb + swap_mb), MAX(rss_mb), "
                "MAX(cache_mb), MAX(swap_mb), AVG(load) FROM dynos WHERE app = ? AND t >= ? AND t < ? "
                "GROUP BY dyno, row ORDER BY row",
                (start, start, step, step, app, start, end),
            ).fetchall()

    def dyno_summaries(self, app: str, start: int, end: int) -> list[tuple]:
        """Per dyno over [start, end): memory's mean, highest and last, load's the same."""
        with self._connect() as conn:
            return conn.execute(
                "SELECT dyno, AVG(rss_mb + cache_mb + swap_mb), MAX(rss_mb + cache_mb + swap_mb), "
                "(SELECT rss_mb + cache_mb + swap_mb FROM dynos AS d WHERE d.app = dynos.app "
                "AND d.dyno = dynos.dyno AND d.t < ? ORDER BY d.t DESC LIMIT 1), AVG(load), MAX(load), "
                "(SELECT load FROM dynos AS d WHERE d.app = dynos.app AND d.dyno = dynos.dyno AND d.t < ? "
                "ORDER BY d.t DESC LIMIT 1) FROM dynos WHERE app = ? AND t >= ? AND t < ? GROUP BY dyno",
                (end, end, app, start, end),
            ).fetchall()

    def events(self, app: str, start: float) -> list[Event]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT t, kind, dyno, text FROM events WHERE app = ? AND t >= ? ORDER BY t", (app, start)
            ).fetchall()
        return [Event(*row) for row in rows]
