"""The Postgres add-on: a container of `minidyno/postgres` per add-on on the app's own
network, its data in a named volume, a random strong password, attached to the app as
DATABASE_URL (or MINIDYNO_POSTGRESQL_<COLOR>_URL beside an existing one) through a
config change, so it is a new release that restarts the dynos, as on Heroku.

On the Docker runtime the database port is also published on 127.0.0.1, for psql on
the host; dynos of other apps cannot reach it, being on other networks. The platform's
own tools (pg:info, readiness, backups) run inside the container, as on a swarm, where
nothing is published.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any

from docker.errors import APIError, NotFound
from docker.models.containers import Container

from minidyno import labels
from minidyno.addons.service_container import Server, ServiceContainers
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.stacks import postgres as image
from minidyno.state.addons import Addon

#: Each plan's row limit (Heroku's hobby-dev keeps 10,000); the first is the default.
#: Heroku's Essential plans, which Dev Center provisions today
#: (`heroku-postgresql:essential-0`), have no row limit; their storage caps are not kept.
PLANS = {"hobby-dev": 10_000, "standard": None, "essential-0": None, "essential-1": None, "essential-2": None}
READY_TIMEOUT = 60.0
#: How the platform's own tools reach a database: as its superuser, over the container's
#: own socket (never TCP, so no password is needed or shown).
AS_SUPERUSER = ("-h", "/tmp", "-U", "postgres")
PORT = 5432
#: What pg:info shows of a database, in one row.
_INFO = """SELECT current_setting('server_version'),
  (SELECT count(*) FROM pg_stat_user_tables),
  (SELECT coalesce(sum(n_live_tup), 0) FROM pg_stat_user_tables),
  pg_size_pretty(pg_database_size(current_database())),
  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())"""


class PostgresService:
    """The AddonService of Postgres (addons/service.py)."""

    names = ("postgres", "postgresql", "heroku-postgresql")
    plans = tuple(PLANS)
    prefix = "postgresql"
    config_var = "DATABASE_URL"
    colour_prefix = "MINIDYNO_POSTGRESQL"

    def __init__(self, containers: ServiceContainers) -> None:
        self.containers = containers

    def url(self, addon: Addon, host: str | None = None, port: int = PORT) -> str:
        """Dynos reach the database by the add-on's own name, a network alias: the
        container's name (home id + app + add-on) can pass 63 characters, the most a DNS
        label may have, and resolvers then refuse it outright ("label too long")."""
        host = host or addon.name
        return f"postgres://{addon.db_user}:{addon.db_password}@{host}:{port}/{addon.db_name}"

    def host_url(self, addon: Addon) -> str | None:
        """The URL psql on the host uses: the port published on 127.0.0.1; None on a
        swarm, where only the app's dynos reach the database."""
        port = self.containers.host_port(addon, PORT)
        return self.url(addon, "127.0.0.1", port) if port else None

    def container(self, addon: Addon) -> Container:
        return self.containers.get(addon)

    def prepare(self, say: Say, throwaway: bool = False) -> None:
        """`throwaway`: the image throwaway databases start from as well."""
        say("-----> Preparing the Postgres image")
        image.RECIPE.ensure(
            self.containers.engine, self.containers.settings, lambda line: say(f"       {line}")
        )
        if throwaway:
            image.ensure_throwaway(self.containers.engine)

    def provision(self, addon: Addon, say: Say, throwaway: bool = False) -> None:
        """`throwaway`: a database that lives a few seconds (`minidyno doctor`'s), made
        without the fsyncs that keep data through a crash of the host, from a cluster
        initialised once (prepare it first)."""
        container = self.containers.start(
            addon,
            Server(
                "postgres",
                image.THROWAWAY_IMAGE if throwaway else image.IMAGE,
                image.DATA_DIR,
                image.TLS_DIR,
                {
                    "MINIDYNO_SUPERUSER_PASSWORD": secrets.token_hex(24),
                    "MINIDYNO_USER": addon.db_user,
                    "MINIDYNO_PASSWORD": addon.db_password,
                    "MINIDYNO_DATABASE": addon.db_name,
                    **({"MINIDYNO_THROWAWAY": "1"} if throwaway else {}),
                },
                "512m",
                publish=PORT,
            ),
        )
        try:
            seconds = self._wait_ready(addon, container)
        except BaseException:
            self.destroy(addon)
            raise
        say(f"       {addon.name} is ready (first query after {seconds:.2f} s)")

    def _wait_ready(self, addon: Addon, container: Container) -> float:
        """Until the app's role gets an answer over TLS, as its dynos will."""
        started = time.monotonic()
        while time.monotonic() - started < READY_TIMEOUT:
            with contextlib.suppress(APIError):
                if self.psql(addon, "SELECT 1")[0] == 0:
                    return time.monotonic() - started
            time.sleep(0.05)
        tail = container.logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")
        raise UserError(f"{addon.name} did not accept connections within {READY_TIMEOUT:.0f} s: {tail}")

    def info(self, addon: Addon) -> dict[str, Any]:
        version, tables, rows, size, connections = self.superuser_sql(addon, _INFO).strip().split("|")
        return {
            "name": addon.name,
            "plan": addon.plan,
            "attached_as": addon.config_var,
            "status": self.container(addon).status,
            "row_limit": PLANS[addon.plan],
            "created_at": addon.created_at,
            "version": version,
            "tables": int(tables),
            "rows": int(rows),
            "size": size,
            "connections": int(connections),
        }

    def superuser_sql(self, addon: Addon, sql: str) -> str:
        """SQL as the database's superuser, over the container's own socket (never TCP)."""
        code, output = self.container(addon).exec_run(
            [
                "psql",
                *AS_SUPERUSER,
                "-d",
                addon.db_name,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ]
        )
        text = output.decode(errors="replace")
        if code != 0:
            raise RuntimeError(text.strip())
        return text

    def psql(self, addon: Addon, command: str) -> tuple[int, str]:
        """psql as the app's role inside the container, over TLS on its loopback; the
        password in psql's environment, never on its command line."""
        code, output = self.container(addon).exec_run(
            ["psql", "-h", "127.0.0.1", "-U", addon.db_user, addon.db_name, "-c", command],
            environment={"PGPASSWORD": addon.db_password},
        )
        return code, output.decode("utf-8", errors="replace")

    def reset(self, addon: Addon) -> None:
        """Every table, view and sequence gone; the database, role and URL stay."""
        role = f'"{addon.db_user}"'
        self.superuser_sql(
            addon, f"DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO {role}"
        )

    def set_password(self, addon: Addon, password: str) -> None:
        # Hex only, so it is safe inside the literal; as the superuser over the socket,
        # so it works whichever password the role has now.
        self.superuser_sql(addon, f"ALTER ROLE \"{addon.db_user}\" PASSWORD '{password}'")

    def recover(self, addon: Addon) -> None:
        """A database made before dynos reached it by its alias gets the alias (a moment
        off its network); the app's config var then follows its new URL."""
        engine = self.containers.engine
        with contextlib.suppress(NotFound):
            container = engine.containers.get(self.containers.name(addon))
            name = labels.network_name(self.containers.settings, addon.app)
            endpoint = container.attrs["NetworkSettings"]["Networks"].get(name) or {}
            if addon.name not in (endpoint.get("Aliases") or []):
                network = engine.networks.get(name)
                if endpoint:
                    network.disconnect(container)
                network.connect(container, aliases=[addon.name])

    def destroy(self, addon: Addon) -> None:
        self.containers.remove(addon)
