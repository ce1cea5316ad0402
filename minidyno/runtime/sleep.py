"""Which apps' web dynos sleep: one owner for that fact. It lives in the state (the
app's `idle` flag), so a restarted server leaves sleeping apps asleep; nothing keeps a
copy of it, and nothing but this writes it."""

from __future__ import annotations

from minidyno.state import apps
from minidyno.state.db import Database


class SleepingApps:
    def __init__(self, db: Database) -> None:
        self._db = db

    def __contains__(self, app: str) -> bool:
        with self._db.connect() as conn:
            try:
                return apps.get(conn, app).idle
            except apps.AppNotFound:
                return False

    def all(self) -> set[str]:
        with self._db.connect() as conn:
            return {a.name for a in apps.all_apps(conn) if a.idle}

    def put_to_sleep(self, app: str) -> None:
        self._set(app, True)

    def wake(self, app: str) -> None:
        self._set(app, False)

    def _set(self, app: str, asleep: bool) -> None:
        with self._db.connect() as conn:
            apps.set_flag(conn, app, "idle", asleep)
