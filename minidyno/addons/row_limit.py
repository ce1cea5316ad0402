"""Heroku's hobby-dev row limit: past 10,000 rows the app's role loses INSERT and
CREATE (SELECT, UPDATE and DELETE keep working), and gets them back once under the
limit again. Counted exactly, table by table, by the superuser inside the container."""

from __future__ import annotations

import logging
import threading
import time

from docker.errors import DockerException

from minidyno.addons.postgres import PLANS, PostgresService
from minidyno.logs.bus import LogBus
from minidyno.state import addons
from minidyno.state.addons import Addon
from minidyno.state.db import Database

log = logging.getLogger("minidyno.addons")

_COUNT = """
DO $$ DECLARE t record; total bigint := 0; n bigint;
BEGIN
  FOR t IN SELECT schemaname, relname FROM pg_stat_user_tables LOOP
    EXECUTE format('SELECT count(*) FROM %I.%I', t.schemaname, t.relname) INTO n;
    total := total + n;
  END LOOP;
  RAISE NOTICE 'minidyno-rows %', total;
END $$;
"""


def count_rows(postgres: PostgresService, addon: Addon) -> int:
    text = postgres.superuser_sql(addon, _COUNT)
    return int(text.split("minidyno-rows")[1].split()[0])


def inserts_allowed(postgres: PostgresService, addon: Addon) -> bool:
    text = postgres.superuser_sql(
        addon, f"SELECT has_schema_privilege('{addon.db_user}', 'public', 'CREATE')"
    )
    return text.strip() == "t"


def enforce(postgres: PostgresService, logs: LogBus, addon: Addon) -> None:
    limit = PLANS[addon.plan]
    if limit is None:
        return
    rows, allowed = count_rows(postgres, addon), inserts_allowed(postgres, addon)
    role = f'"{addon.db_user}"'
    if rows > limit and allowed:
        postgres.superuser_sql(
            addon,
            f"REVOKE INSERT ON ALL TABLES IN SCHEMA public FROM {role}; "
            f"REVOKE CREATE ON SCHEMA public FROM {role}",
        )
        logs.platform(
            addon.app,
            "postgres",
            f"{addon.name} has {rows} rows, over the "
            f"{addon.plan} limit of {limit}: INSERT and CREATE are revoked "
            "until it is back under (SELECT, UPDATE, DELETE still work)",
        )
    elif rows <= limit and not allowed:
        postgres.superuser_sql(
            addon,
            f"GRANT INSERT ON ALL TABLES IN SCHEMA public TO {role}; GRANT CREATE ON SCHEMA public TO {role}",
        )
        logs.platform(
            addon.app,
            "postgres",
            f"{addon.name} is back under the "
            f"{addon.plan} limit ({rows}/{limit} rows): INSERT and CREATE "
            "are restored",
        )


class RowLimitWatcher:
    """Checks every hobby-dev database every `interval` seconds (MINIDYNO_ROW_CHECK_INTERVAL)."""

    def __init__(self, postgres: PostgresService, db: Database, logs: LogBus, interval: float) -> None:
        self.postgres = postgres
        self.db = db
        self.logs = logs
        self.interval = interval

    def start(self) -> None:
        threading.Thread(target=self._loop, name="row-limit", daemon=True).start()

    def _loop(self) -> None:
        while True:
            time.sleep(self.interval)
            with self.db.connect() as conn:
                found = [a for a in addons.all_addons(conn) if a.service in self.postgres.names]
            for addon in found:
                try:
                    enforce(self.postgres, self.logs, addon)
                except (DockerException, RuntimeError):
                    log.exception("row count of %s failed", addon.name)
