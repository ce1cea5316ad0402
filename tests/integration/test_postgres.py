"""The Postgres add-on with real PostgreSQL: provision and attach, a release phase that
migrates, a web dyno that writes and reads through DATABASE_URL, psql, pg:info,
persistence across restarts, reset, isolation between apps, and destroy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import psycopg2
import pytest

from tests.integration.platform_fixture import Server, logs, wait_for

APP = """\
import os
import psycopg2
from flask import Flask, request

app = Flask(__name__)


def db():
    # As Heroku's docs ask of every app: Heroku Postgres accepts TLS only.
    return psycopg2.connect(os.environ["DATABASE_URL"], sslmode="require")


@app.post("/items")
def add():
    with db() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO items (name) VALUES (%s)", (request.args["name"],))
    return "added"


@app.get("/items")
def items():
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM items ORDER BY id")
        return ",".join(row[0] for row in cur.fetchall())
"""

MIGRATE = """\
import os
import psycopg2

if "DATABASE_URL" in os.environ:
    with psycopg2.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text)")
    print("migrated", flush=True)
else:
    print("no database yet", flush=True)
"""


def db_app(server: Server, tmp_path: Path, app: str) -> None:
    server.cli("apps:create", app)
    server.push(
        server.app_source(
            tmp_path,
            app,
            {
                "app.py": APP,
                "migrate.py": MIGRATE,
                "requirements.txt": "flask==3.1.*\ngunicorn==23.*\npsycopg2-binary==2.9.*\n",
                "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\nrelease: python migrate.py\n",
            },
        )
    )


def post(server: Server, app: str, path: str) -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{server.router_port}{path}", headers={"Host": f"{app}.localhost"}, timeout=30
    )


def assert_only_tls(server: Server, app: str) -> None:
    """The database refuses a connection without TLS and takes one that requires it,
    with a certificate from minidyno's CA that names 127.0.0.1."""
    credentials = server.api("GET", f"/apps/{app}/addons/DATABASE/credentials").json()["url"]
    with pytest.raises(psycopg2.OperationalError, match="no encryption"):
        psycopg2.connect(credentials, sslmode="disable", connect_timeout=5)
    with (
        psycopg2.connect(
            credentials, sslmode="verify-full", sslrootcert=str(server.ca_path), connect_timeout=5
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        assert cur.fetchone() == (True,)


APP_NAME = "shop-with-the-longest-app-name"


def test_database_attached_migrated_used_and_kept(server: Server, tmp_path: Path, docker_engine):
    # The longest name Heroku allows: the database's container name then passes 63
    # characters, the most a DNS label may have, so dynos must reach it by its alias.
    db_app(server, tmp_path, APP_NAME)

    created = server.cli("addons:create", "heroku-postgresql", "-a", APP_NAME)

    assert re.search(r"Created postgresql-[a-z0-9-]+ as DATABASE_URL", created.stdout)
    # Heroku runs no release command for a release an add-on's config vars made.
    assert "Running release command" not in created.stderr
    assert "migrated" in server.cli("run", "-a", APP_NAME, "--", "python", "migrate.py").stdout
    url = server.cli("config:get", "DATABASE_URL", "-a", APP_NAME).stdout.strip()
    password, addon = re.match(r"postgres://u[0-9a-f]+:([0-9a-f]{48})@([^:]+):5432/", url).groups()
    assert addon.startswith("postgresql-") and len(addon) <= 63
    assert post(server, APP_NAME, "/items?name=apple").text == "added"
    assert post(server, APP_NAME, "/items?name=pear").text == "added"
    assert server.router_get(APP_NAME, "/items").text == "apple,pear"
    psql = server.cli("pg:psql", "-a", APP_NAME, "-c", "SELECT count(*) FROM items")
    assert re.search(r"^\s+2$", psql.stdout, re.M)
    tls = server.cli(
        "pg:psql", "-a", APP_NAME, "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    )
    assert re.search(r"^\s+t$", tls.stdout, re.M)
    assert_only_tls(server, APP_NAME)
    # Only doctor's throwaway databases run without fsync.
    assert re.search(r"^\s+on$", server.cli("pg:psql", "-a", APP_NAME, "-c", "SHOW fsync").stdout, re.M)
    info = json.loads(server.cli("pg:info", "-a", APP_NAME, "--json").stdout)
    assert (info["plan"], info["tables"], info["row_limit"]) == ("hobby-dev", 1, 10000)
    assert info["version"].startswith("17")
    listing = server.cli("addons", "-a", APP_NAME).stdout
    assert "as DATABASE_URL" in listing and password not in listing
    assert password not in logs(server, APP_NAME) and password not in server.log_tail()

    server.stop()
    (database,) = docker_engine.containers.list(
        filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=postgres"]}
    )
    database.restart()
    # As a database made before dynos reached it by alias: it gets the alias at start.
    network = docker_engine.networks.get(f"{database.name.removesuffix(addon)}net")
    network.disconnect(database)
    network.connect(database)
    server.start()

    database.reload()
    assert addon in database.attrs["NetworkSettings"]["Networks"][network.name]["Aliases"]
    assert wait_for(lambda: server.router_get(APP_NAME, "/items").text == "apple,pear", 30)
    server.cli("pg:reset", "-a", APP_NAME, "--confirm", APP_NAME)
    assert (
        'relation "items" does not exist'
        in server.cli("pg:psql", "-a", APP_NAME, "-c", "SELECT 1 FROM items", check=False).stderr
    )


@pytest.mark.long
def test_apps_cannot_reach_each_others_database(server: Server, tmp_path: Path, docker_engine):
    db_app(server, tmp_path, "alpha")
    db_app(server, tmp_path, "beta")
    server.cli("addons:create", "postgres", "-a", "alpha")
    server.cli("addons:create", "postgres", "--plan", "standard", "-a", "beta")
    alpha_url = server.cli("config:get", "DATABASE_URL", "-a", "alpha").stdout.strip()
    alpha_host = re.search(r"@([^:]+):5432/", alpha_url)[1]

    probe = server.cli(
        "run",
        "-a",
        "beta",
        "--",
        "python",
        "-c",
        f"import socket; socket.create_connection(('{alpha_host}', 5432), 3)",
        check=False,
    )
    own = server.cli(
        "run",
        "-a",
        "alpha",
        "--",
        "python",
        "-c",
        f"import socket; socket.create_connection(('{alpha_host}', 5432), 3)",
    )

    assert probe.returncode != 0 and own.returncode == 0
    assert alpha_url != server.cli("config:get", "DATABASE_URL", "-a", "beta").stdout.strip()
    second = server.cli("addons:create", "postgres", "-a", "alpha")
    second_name, color_var = re.search(
        r"Created (\S+) as (MINIDYNO_POSTGRESQL_[A-Z]+_URL)", second.stdout
    ).groups()
    second_url = server.cli("config:get", color_var, "-a", "alpha").stdout.strip()
    server.cli("pg:promote", second_name, "-a", "alpha")
    assert server.cli("config:get", "DATABASE_URL", "-a", "alpha").stdout.strip() == second_url
    assert server.cli("config:get", color_var, "-a", "alpha").stdout.strip() == alpha_url
    refused = server.cli("addons:destroy", "DATABASE", "-a", "alpha", check=False)
    assert "--confirm alpha" in refused.stderr

    server.cli("addons:destroy", "DATABASE", "-a", "alpha", "--confirm", "alpha")

    assert "DATABASE_URL" not in server.cli("config", "-a", "alpha", "--json").stdout
    assert (
        len(
            docker_engine.volumes.list(
                filters={
                    "label": [
                        f"minidyno.home={server.home.resolve()}",
                        "minidyno.app=alpha",
                        "minidyno.process=postgres",
                    ]
                }
            )
        )
        == 1
    )


@pytest.mark.server_env(MINIDYNO_ROW_CHECK_INTERVAL="1")
def test_backups_row_limit_and_rotation(server: Server, tmp_path: Path):
    db_app(server, tmp_path, "ledger")
    server.cli("addons:create", "postgres", "-a", "ledger")
    server.cli("run", "-a", "ledger", "--", "python", "migrate.py")
    for name in ("one", "two"):
        post(server, "ledger", f"/items?name={name}")

    assert "Backup b001 captured" in server.cli("pg:backups:capture", "-a", "ledger").stdout
    post(server, "ledger", "/items?name=three")
    refused = server.cli("pg:backups:restore", "b001", "-a", "ledger", check=False)
    assert "--confirm ledger" in refused.stderr
    server.cli("pg:backups:restore", "b001", "-a", "ledger", "--confirm", "ledger")
    assert server.router_get("ledger", "/items").text == "one,two"
    assert "b001" in server.cli("pg:backups", "-a", "ledger").stdout
    server.cli("pg:backups:download", "b001", "-a", "ledger", "-o", str(tmp_path / "b.dump"))
    assert (tmp_path / "b.dump").read_bytes().startswith(b"PGDMP")
    missing = server.cli("pg:backups:restore", "b009", "-a", "ledger", "--confirm", "ledger", check=False)
    assert "no backup b009 of ledger" in missing.stderr

    # What the app's role may do to its own database does not blind the count: it
    # silences notices for every session, and keeps a view that cannot be read.
    server.cli(
        "pg:psql",
        "-a",
        "ledger",
        "-c",
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET client_min_messages = error', "
        "current_database()); END $$; CREATE MATERIALIZED VIEW unread AS SELECT 1 WITH NO DATA",
    )
    server.cli(
        "pg:psql",
        "-a",
        "ledger",
        "-c",
        "INSERT INTO items (name) SELECT 'bulk' FROM generate_series(1, 10000)",
    )
    over = wait_for(
        lambda: (
            not (i := json.loads(server.cli("pg:info", "-a", "ledger", "--json").stdout))["inserts_allowed"]
            and i
        ),
        30,
    )
    assert over["rows"] == 10002
    assert post(server, "ledger", "/items?name=refused").status_code == 500
    updated = server.cli("pg:psql", "-a", "ledger", "-c", "UPDATE items SET name = 'first' WHERE id = 1")
    assert "UPDATE 1" in updated.stdout
    assert "over the hobby-dev limit of 10000" in logs(server, "ledger")
    server.cli("pg:psql", "-a", "ledger", "-c", "DELETE FROM items WHERE name = 'bulk'")
    wait_for(
        lambda: json.loads(server.cli("pg:info", "-a", "ledger", "--json").stdout)["inserts_allowed"], 30
    )
    assert post(server, "ledger", "/items?name=again").text == "added"

    before = server.cli("config:get", "DATABASE_URL", "-a", "ledger").stdout
    server.cli("pg:credentials:rotate", "-a", "ledger")
    assert server.cli("config:get", "DATABASE_URL", "-a", "ledger").stdout != before
    assert server.router_get("ledger", "/items").text.endswith(",again")
    server.cli("pg:backups:delete", "b001", "-a", "ledger", "--confirm", "ledger")
    assert "b001" not in server.cli("pg:backups", "-a", "ledger").stdout


@pytest.mark.parametrize("runtime", ["swarm"], indirect=True)
@pytest.mark.xdist_group("swarm")
@pytest.mark.long
def test_on_a_swarm_the_database_is_a_service_on_the_manager_reached_only_on_the_app_network(
    server: Server, tmp_path: Path
):
    """The first test's path on a swarm, less what is the Docker runtime's own (a port on
    127.0.0.1, aliases added to old containers): the database is a service pinned to the
    manager that publishes nothing; the host's tools run inside its task's container."""
    db_app(server, tmp_path, "swarmshop")

    created = server.cli("addons:create", "heroku-postgresql", "-a", "swarmshop")

    assert re.search(r"Created postgresql-[a-z0-9-]+ as DATABASE_URL", created.stdout)
    # A one-off is a Swarm job, on the app's overlay network like the web dynos.
    assert "migrated" in server.cli("run", "-a", "swarmshop", "--", "python", "migrate.py").stdout
    assert post(server, "swarmshop", "/items?name=apple").text == "added"
    assert server.router_get("swarmshop", "/items").text == "apple"
    engine = server.engine()
    own = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=postgres"]}
    (service,) = engine.services.list(filters=own)
    manager = engine.info()["Swarm"]["NodeID"]
    assert service.attrs["Spec"]["TaskTemplate"]["Placement"]["Constraints"] == [f"node.id=={manager}"]
    assert not service.attrs.get("Endpoint", {}).get("Ports")
    assert server.api("GET", "/apps/swarmshop/addons/DATABASE/credentials").json() == {"url": None}
    psql = server.cli(
        "pg:psql", "-a", "swarmshop", "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    )
    assert re.search(r"^\s+t$", psql.stdout, re.M)
    interactive = server.cli("pg:psql", "-a", "swarmshop", check=False)
    assert "pass -c SQL" in interactive.stderr
    info = json.loads(server.cli("pg:info", "-a", "swarmshop", "--json").stdout)
    assert (info["status"], info["tables"], info["rows"]) == ("running", 1, 1)
    (database,) = engine.containers.list(filters=own)

    server.stop()
    server.start()

    assert engine.containers.list(filters=own)[0].id == database.id
    assert post(server, "swarmshop", "/items?name=pear").text == "added"
    assert server.router_get("swarmshop", "/items").text == "apple,pear"
    server.cli("addons:destroy", "DATABASE", "-a", "swarmshop", "--confirm", "swarmshop")
    assert wait_for(lambda: not engine.containers.list(all=True, filters=own), 30)
    assert not engine.services.list(filters=own) and not engine.volumes.list(filters=own)
    assert not engine.secrets.list(filters={"label": own["label"][:1]})
