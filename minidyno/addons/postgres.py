"""The Postgres add-on: a container of `minidyno/postgres` per add-on on the app's own
network, its data in a named volume, a random strong password, attached to the app as
DATABASE_URL (or MINIDYNO_POSTGRESQL_<COLOR>_URL beside an existing one) through a
config change, so it is a new release that restarts the dynos, as on Heroku.

The database port is also published on 127.0.0.1, for the host's own tools (psql,
pg:info); dynos of other apps cannot reach it, being on other networks.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any

import psycopg2
from docker.errors import NotFound
from docker.models.containers import Container

from minidyno import labels
from minidyno.addons.service_container import ServiceContainers
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


class PostgresService:
    """The AddonService of Postgres (addons/service.py)."""

    names = ("postgres", "postgresql", "heroku-postgresql")
    plans = tuple(PLANS)
    prefix = "postgresql"
    config_var = "DATABASE_URL"
    colour_prefix = "MINIDYNO_POSTGRESQL"

    def __init__(self, containers: ServiceContainers) -> None:
        self.containers = containers

    def url(self, addon: Addon, host: str | None = None, port: int = 5432) -> str:
        """Dynos reach the database by the add-on's own name, a network alias: the
        container's name (home id + app + add-on) can pass 63 characters, the most a DNS
        label may have, and resolvers then refuse it outright ("label too long")."""
        host = host or addon.name
        return f"postgres://{addon.db_user}:{addon.db_password}@{host}:{port}/{addon.db_name}"

    def host_url(self, addon: Addon) -> str:
        """The URL the host's own tools use: the port published on 127.0.0.1."""
        return self.url(addon, "127.0.0.1", _published_port(self.container(addon)))

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
            ports={"5432/tcp": ("127.0.0.1", None)},
        )
        try:
            seconds = self._wait_ready(addon, container)
        except BaseException:
            self.destroy(addon)
            raise
        say(f"       {addon.name} is ready (first query after {seconds:.2f} s)")

    def _wait_ready(self, addon: Addon, container: Container) -> float:
        started = time.monotonic()
        port = _published_port(container)
        while time.monotonic() - started < READY_TIMEOUT:
            try:
                with contextlib.closing(self.connect(addon, port)) as conn, conn.cursor() as cur:
                    cur.execute("SELECT 1")
                    return time.monotonic() - started
            except psycopg2.OperationalError:
                time.sleep(0.05)
        tail = container.logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")
        raise UserError(f"{addon.name} did not accept connections within {READY_TIMEOUT:.0f} s: {tail}")

    def connect(self, addon: Addon, port: int | None = None):
        port = port or _published_port(self.container(addon))
        return psycopg2.connect(
            host="127.0.0.1",
            port=port,
            user=addon.db_user,
            password=addon.db_password,
            dbname=addon.db_name,
            connect_timeout=3,
            sslmode="require",
        )

    def info(self, addon: Addon) -> dict[str, Any]:
        container = self.container(addon)
        details: dict[str, Any] = {
            "name": addon.name,
            "plan": addon.plan,
            "attached_as": addon.config_var,
            "status": container.status,
            "row_limit": PLANS[addon.plan],
            "created_at": addon.created_at,
        }
        with contextlib.closing(self.connect(addon)) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            details["version"] = cur.fetchone()[0]
            cur.execute("SELECT count(*), coalesce(sum(n_live_tup), 0) FROM pg_stat_user_tables")
            details["tables"], details["rows"] = (int(v) for v in cur.fetchone())
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            details["size"] = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            details["connections"] = cur.fetchone()[0]
        return details

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
        """psql as the app's role inside the container, for a machine without psql;
        the password in psql's environment, never on its command line."""
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


def _published_port(container: Container) -> int:
    container.reload()
    return int(container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"])
