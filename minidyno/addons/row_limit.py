"""Heroku's hobby-dev row limit: past 10,000 rows the app's role loses INSERT and
CREATE (SELECT, UPDATE and DELETE keep working), and gets them back once under the
limit again. Counted exactly, table by table, by the superuser inside the container."""

from __future__ import annotations

import logging
import threading
import time

from minidyno.addons.postgres import PLANS, PostgresService
from minidyno.logs.bus import LogBus
from minidyno.state import addons
from minidyno.state.addons import Addon
from minidyno.state.db import Database

log = logging.getLogger("minidyno.addons")

#: A plain row, `rows|t`: no notice, which the app's role can silence for every session
#: of its database. Ordinary tables only: a materialized view left unpopulated cannot
#: be counted, and a partitioned table's rows are its partitions'.
_USAGE = """
SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(
         format('SELECT count(*) AS c FROM %I.%I', s.schemaname, s.relname), false, true, ''))
       )[1]::text::bigint), 0),
       has_schema_privilege('{role}', 'public', 'CREATE')
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE c.relkind = 'r'
"""


def usage(postgres: PostgresService, addon: Addon) -> tuple[int, bool]:
    """Its rows, and whether its role may INSERT and CREATE: one exec into the container,
    as the watcher asks this of every hobby database every minute."""
    answer = postgres.superuser_sql(addon, _USAGE.format(role=addon.db_user))
    rows, allowed = answer.strip().splitlines()[-1].split("|")
    return int(rows), allowed == "t"


def enforce(postgres: PostgresService, logs: LogBus, addon: Addon) -> None:
    limit = PLANS[addon.plan]
    if limit is None:
        return
    rows, allowed = usage(postgres, addon)
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
                except Exception:
                    # One database's failure (its container gone, a table it locked)
                    # leaves every other database watched.
                    log.exception("row count of %s failed", addon.name)
