"""Eco dyno hours: one pool for the account (this server), 1000 hours a month as on
Heroku, or MINIDYNO_ECO_HOURS so that a class can watch it run down in minutes.

Every running dyno of an eco app spends from it (web, worker and one-off alike); a
sleeping app spends nothing, and `basic` apps are not in the pool. Once it is spent,
eco apps sleep, workers too, until the month turns (UTC) or the pool is raised, and
their requests meet H82.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from minidyno.logs.bus import LogBus
from minidyno.runtime.driver import DynoDriver
from minidyno.runtime.idling import Idler
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.sleep import SleepingApps
from minidyno.state import apps, eco_usage, formation
from minidyno.state.db import Database

#: The longest gap between two counts that is charged in full: a server that was
#: stopped, or a machine that slept, does not charge the time it was away.
MAX_GAP = 60.0


@dataclass(frozen=True)
class Balance:
    quota: float
    used: float
    #: What one app spent of it, when asked about one.
    app_used: float = 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.quota - self.used)


class EcoHours:
    def __init__(
        self,
        driver: DynoDriver,
        db: Database,
        idler: Idler,
        sleeping: SleepingApps,
        locks: AppLocks,
        logs: LogBus,
        hours: float,
    ) -> None:
        self.driver = driver
        self.db = db
        self.idler = idler
        self.sleeping = sleeping
        self.locks = locks
        self.logs = logs
        #: The pool in seconds; the dashboard can raise (or shrink) it.
        self.quota = hours * 3600
        self._counted_at: float | None = None

    def balance(self, app: str | None = None, now: float | None = None) -> Balance:
        month = _month(now or time.time())
        with self.db.connect() as conn:
            return Balance(
                self.quota,
                eco_usage.used(conn, month),
                eco_usage.used(conn, month, app) if app else 0.0,
            )

    def exhausted(self, app: str, now: float | None = None) -> bool:
        """Whether `app` is an eco app of a spent pool: its requests meet H82."""
        with self.db.connect() as conn:
            try:
                eco = apps.get(conn, app).dyno_type == "eco"
            except apps.AppNotFound:
                return False
        return eco and self.balance(now=now).remaining <= 0

    def count(self, now: float | None = None) -> None:
        """Charge the time since the last count to each eco app's running dynos, then
        put eco apps to sleep if the pool is spent, or wake the worker-only ones it
        stopped once it is not (apps with web dynos wake on their next request)."""
        now = now or time.time()
        gap = min(now - self._counted_at, MAX_GAP) if self._counted_at else 0.0
        self._counted_at = now
        with self.db.connect() as conn:
            eco = {a.name for a in apps.all_apps(conn) if a.dyno_type == "eco"}
        running = Counter(d.app for d in self.driver.dynos() if d.running and d.app in eco)
        if gap and running:
            with self.db.connect() as conn:
                eco_usage.add(conn, _month(now), {app: n * gap for app, n in running.items()})
        if self.balance(now=now).remaining <= 0:
            for app in sorted(set(running) - self.sleeping.all()):
                self._sleep(app, now)
        elif asleep := eco & self.sleeping.all():
            # Read once for every sleeping app, as most of a class's apps sleep.
            with self.db.connect() as conn:
                counts = formation.of_all(conn)
            for app in sorted(a for a in asleep if not counts.get(a, {}).get("web", 0)):
                self._wake_workers_only(app)

    def _sleep(self, app: str, now: float) -> None:
        with self.locks.if_free(app) as held:
            if held:
                self.logs.platform(
                    app,
                    "api",
                    "Eco dyno hours quota exhausted: the app sleeps until "
                    f"{_next_month(now)} or until the quota is raised",
                )
                self.idler.idle(app)

    def _wake_workers_only(self, app: str) -> None:
        """An app with no web dynos never sleeps for want of requests: it slept because
        the pool was spent, and nothing else would wake it."""
        with self.locks.if_free(app) as held:
            if held:
                self.idler.wake(app)


def _month(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m")


def _next_month(epoch: float) -> str:
    day = datetime.fromtimestamp(epoch, UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return f"{year}-{month:02d}-01 00:00 UTC"
