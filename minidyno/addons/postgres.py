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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg2
from docker.errors import DockerException, NotFound
from docker.models.containers import Container

from minidyno import labels
from minidyno.errors import UserError
from minidyno.naming import random_app_name
from minidyno.progress import Say
from minidyno.release.changes import change_config
from minidyno.stacks import postgres as image
from minidyno.state import addons, apps, config_vars

if TYPE_CHECKING:
    from minidyno.platform import Platform


PLANS = {"hobby-dev": 10_000, "standard": None}
SERVICES = ("postgres", "postgresql", "heroku-postgresql")
COLORS = (
    "AMBER",
    "BLUE",
    "COBALT",
    "CRIMSON",
    "GOLD",
    "GREEN",
    "IVORY",
    "JADE",
    "OLIVE",
    "ONYX",
    "PINK",
    "PURPLE",
    "RED",
    "ROSE",
    "SILVER",
    "TEAL",
    "WHITE",
    "YELLOW",
)
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Request:
    service: str
    plan: str
    #: The attachment's name (`as:` in app.json and heroku.yml): NAME_URL.
    attach_as: str | None = None


def parse_request(spec: str, plan: str | None, attach_as: str | None = None) -> Request:
    """`postgres`, `heroku-postgresql:standard` or `postgres --plan hobby-dev`."""
    service, _, inline_plan = spec.partition(":")
    chosen = plan or inline_plan or "hobby-dev"
    if service not in SERVICES:
        raise UserError(f"unknown add-on {service!r}: the one add-on is postgres (also heroku-postgresql)")
    if chosen not in PLANS:
        raise UserError(f"unknown plan {chosen!r}: the plans are {', '.join(PLANS)}")
    return Request("postgres", chosen, attach_as)


def container_name(platform: Platform, addon: addons.Addon) -> str:
    return f"{labels.prefix(platform.settings, addon.app)}-{addon.name}"


def _endpoint(platform: Platform, addon: addons.Addon) -> Any:
    """Dynos reach the database by the add-on's own name, a network alias: the container's
    name (home id + app + add-on) can pass 63 characters, the most a DNS label may have,
    and resolvers then refuse it outright ("label too long")."""
    return platform.engine.api.create_endpoint_config(aliases=[addon.name])


def database_url(platform: Platform, addon: addons.Addon, host: str | None = None, port: int = 5432) -> str:
    host = host or addon.name
    return f"postgres://{addon.db_user}:{addon.db_password}@{host}:{port}/{addon.db_name}"


def host_url(platform: Platform, addon: addons.Addon) -> str:
    """The URL the host's own tools use: the port published on 127.0.0.1."""
    return database_url(platform, addon, "127.0.0.1", published_port(_container(platform, addon)))


def published_port(container: Container) -> int:
    container.reload()
    return int(container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"])


def _container(platform: Platform, addon: addons.Addon) -> Container:
    try:
        return platform.engine.containers.get(container_name(platform, addon))
    except NotFound:
        raise UserError(
            f"the container of {addon.name} is gone; destroy the add-on and create it again"
        ) from None


def provision(platform: Platform, app: str, request: Request, say: Say) -> addons.Addon:
    with platform.app_lock(app):
        with platform.db.connect() as conn:
            apps.get(conn, app)
            attached = addons.for_app(conn, app)
        say("-----> Preparing the Postgres image")
        image.ensure(platform.engine, lambda line: say(f"       {line}"))
        used = {a.config_var for a in attached}
        wanted = f"{request.attach_as.upper()}_URL" if request.attach_as else "DATABASE_URL"
        config_var = (
            wanted
            if wanted not in used
            else next(
                f"MINIDYNO_POSTGRESQL_{c}_URL" for c in COLORS if f"MINIDYNO_POSTGRESQL_{c}_URL" not in used
            )
        )
        addon = addons.Addon(
            name=f"postgresql-{random_app_name()}",
            app=app,
            service=request.service,
            plan=request.plan,
            config_var=config_var,
            db_user=f"u{secrets.token_hex(6)}",
            db_password=secrets.token_hex(24),
            db_name=f"d{secrets.token_hex(6)}",
            created_at="",
        )
        say(f"-----> Creating {addon.name} ({request.plan}) on {app}")
        container = _start_container(platform, addon)
        try:
            seconds = _wait_ready(platform, addon, container)
        except BaseException:
            _remove_container(platform, addon)
            raise
        say(f"       {addon.name} is ready (first query after {seconds:.2f} s)")
        say(f"-----> Attaching {addon.name} as {config_var}")
        try:
            change_config(platform, app, {config_var: database_url(platform, addon)}, say, addon_change=True)
        except BaseException:
            _remove_container(platform, addon)
            raise
        with platform.db.connect() as conn:
            addons.create(conn, addon)
        platform.logs.platform(app, "api", f"Add-on {addon.name} created, attached as {config_var}")
        return addon


def _start_container(platform: Platform, addon: addons.Addon) -> Container:
    settings = platform.settings
    resource = labels.for_resource(settings, addon.app, "postgres", addon.name)
    network = platform.runtime.ensure_network(addon.app)
    volume = platform.engine.volumes.create(f"{container_name(platform, addon)}-data", labels=resource)
    try:
        container = platform.engine.containers.create(
            image.IMAGE,
            name=container_name(platform, addon),
            detach=True,
            environment={
                "MINIDYNO_SUPERUSER_PASSWORD": secrets.token_hex(24),
                "MINIDYNO_USER": addon.db_user,
                "MINIDYNO_PASSWORD": addon.db_password,
                "MINIDYNO_DATABASE": addon.db_name,
            },
            volumes={volume.name: {"bind": image.DATA_DIR, "mode": "rw"}},
            network=network,
            networking_config={network: _endpoint(platform, addon)},
            ports={"5432/tcp": ("127.0.0.1", None)},
            labels=resource,
            mem_limit="512m",
            restart_policy={"Name": "unless-stopped"},
            security_opt=["no-new-privileges"],
        )
        container.put_archive(image.TLS_DIR, _tls_files(platform, addon.name))
        container.start()
        return container
    except DockerException as exc:
        with contextlib.suppress(NotFound):
            platform.engine.containers.get(container_name(platform, addon)).remove(force=True)
        volume.remove(force=True)
        raise UserError(
            f"could not start the database container ({exc}); free disk space or memory and try again"
        ) from None


def _tls_files(platform: Platform, host: str) -> bytes:
    """The server's certificate from minidyno's CA, for the name dynos reach it by and
    for the host's own tools on 127.0.0.1."""
    return image.tls_archive(*platform.ca.issue((host, "localhost", "127.0.0.1")))


def _wait_ready(platform: Platform, addon: addons.Addon, container: Container) -> float:
    started = time.monotonic()
    port = published_port(container)
    while time.monotonic() - started < READY_TIMEOUT:
        try:
            with contextlib.closing(connect(platform, addon, port)) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                return time.monotonic() - started
        except psycopg2.OperationalError:
            time.sleep(0.05)
    tail = container.logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")
    raise UserError(f"{addon.name} did not accept connections within {READY_TIMEOUT:.0f} s: {tail}")


def connect(platform: Platform, addon: addons.Addon, port: int | None = None):
    port = port or published_port(_container(platform, addon))
    return psycopg2.connect(
        host="127.0.0.1",
        port=port,
        user=addon.db_user,
        password=addon.db_password,
        dbname=addon.db_name,
        connect_timeout=3,
        sslmode="require",
    )


def info(platform: Platform, addon: addons.Addon) -> dict[str, Any]:
    container = _container(platform, addon)
    limit = PLANS[addon.plan]
    details: dict[str, Any] = {
        "name": addon.name,
        "plan": addon.plan,
        "attached_as": addon.config_var,
        "status": container.status,
        "row_limit": limit,
        "created_at": addon.created_at,
    }
    with contextlib.closing(connect(platform, addon)) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        details["version"] = cur.fetchone()[0]
        cur.execute("SELECT count(*), coalesce(sum(n_live_tup), 0) FROM pg_stat_user_tables")
        details["tables"], details["rows"] = (int(v) for v in cur.fetchone())
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        details["size"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        details["connections"] = cur.fetchone()[0]
    return details


def superuser_sql(platform: Platform, addon: addons.Addon, sql: str) -> str:
    """SQL as the database's superuser, over the container's own socket (never TCP)."""
    code, output = _container(platform, addon).exec_run(
        ["psql", "-h", "/tmp", "-U", "postgres", "-d", addon.db_name, "-v", "ON_ERROR_STOP=1", "-Atc", sql]
    )
    text = output.decode(errors="replace")
    if code != 0:
        raise RuntimeError(text.strip())
    return text


def reset(platform: Platform, addon: addons.Addon) -> None:
    """Every table, view and sequence gone; the database, role and URL stay."""
    superuser_sql(
        platform,
        addon,
        f'DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO "{addon.db_user}"',
    )
    platform.logs.platform(addon.app, "api", f"{addon.name} was reset")


def rotate_credentials(platform: Platform, addon: addons.Addon, say: Say) -> None:
    """A new password for the app's role, and a release with the new URL. Each step is
    written down before it is taken, so a server stopped at any point finishes the
    rotation at its next start (`recover`) instead of locking the app out."""
    with platform.app_lock(addon.app):
        with platform.db.connect() as conn:
            addons.plan_password(conn, addon.name, secrets.token_hex(24))
        _finish_rotation(platform, addon.name, say)


def _finish_rotation(platform: Platform, name: str, say: Say) -> None:
    with platform.db.connect() as conn:
        addon = next(a for a in addons.all_addons(conn) if a.name == name)
    if addon.db_password_next:
        # Hex only, so it is safe inside the literal; as the superuser over the socket,
        # so it works whichever password the role has now.
        superuser_sql(platform, addon, f"ALTER ROLE \"{addon.db_user}\" PASSWORD '{addon.db_password_next}'")
        with platform.db.connect() as conn:
            addons.commit_password(conn, addon.name)
            addon = next(a for a in addons.all_addons(conn) if a.name == name)
    _attach(platform, addon, say)


def _attach(platform: Platform, addon: addons.Addon, say: Say) -> None:
    """The app's config var says what the add-on's URL is now (a release if it did not)."""
    with platform.db.connect() as conn:
        current = config_vars.get_all(conn, addon.app).get(addon.config_var)
    url = database_url(platform, addon)
    if current != url:
        change_config(platform, addon.app, {addon.config_var: url}, say, addon_change=True)


def recover(platform: Platform, say: Say) -> None:
    """At start: finish what a stopped server left half done with the databases'
    credentials (a planned password, or a config var that lags behind its add-on)."""
    with platform.db.connect() as conn:
        found = addons.all_addons(conn)
    for addon in found:
        with platform.app_lock(addon.app):
            _ensure_alias(platform, addon)
            _finish_rotation(platform, addon.name, say)


def _ensure_alias(platform: Platform, addon: addons.Addon) -> None:
    """A database made before dynos reached it by its alias gets the alias (a moment off
    its network); `_attach` then points the config var at it."""
    with contextlib.suppress(NotFound):
        container = platform.engine.containers.get(container_name(platform, addon))
        name = labels.network_name(platform.settings, addon.app)
        endpoint = container.attrs["NetworkSettings"]["Networks"].get(name) or {}
        if addon.name not in (endpoint.get("Aliases") or []):
            network = platform.engine.networks.get(name)
            if endpoint:
                network.disconnect(container)
            network.connect(container, aliases=[addon.name])


def promote(platform: Platform, addon: addons.Addon, say: Say) -> None:
    """Make `addon` the app's DATABASE_URL; the one that was gets its own colour var."""
    with platform.app_lock(addon.app):
        with platform.db.connect() as conn:
            current = [
                a
                for a in addons.for_app(conn, addon.app)
                if a.config_var == "DATABASE_URL" and a.name != addon.name
            ]
            changes: dict[str, str | None] = {
                addon.config_var: None,
                "DATABASE_URL": database_url(platform, addon),
            }
            addons.set_config_var(conn, addon.name, "DATABASE_URL")
            for old in current:
                addons.set_config_var(conn, old.name, addon.config_var)
                changes[addon.config_var] = database_url(platform, old)
        change_config(platform, addon.app, changes, say, addon_change=True)


def destroy(platform: Platform, addon: addons.Addon, say: Say) -> None:
    with platform.app_lock(addon.app):
        change_config(platform, addon.app, {addon.config_var: None}, say, addon_change=True)
        _remove_container(platform, addon)
        with platform.db.connect() as conn:
            addons.delete(conn, addon.name)
        platform.logs.platform(addon.app, "api", f"Add-on {addon.name} destroyed")


def _remove_container(platform: Platform, addon: addons.Addon) -> None:
    name = container_name(platform, addon)
    with contextlib.suppress(NotFound):
        platform.engine.containers.get(name).remove(force=True)
    with contextlib.suppress(NotFound):
        platform.engine.volumes.get(f"{name}-data").remove(force=True)
