"""addons, addons:create, addons:destroy, pg:info, pg:psql, pg:reset."""

from __future__ import annotations

import json
import os
import shutil
import sys
from urllib.parse import unquote, urlsplit

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events


@click.command("addons")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def addons_list(client: Client, app: str | None, as_json: bool) -> None:
    """List the app's add-ons (never their passwords)."""
    name = resolve_app(app)
    found = client.request("GET", f"/apps/{name}/addons")
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(f"=== {name} Add-ons")
    for addon in found:
        click.echo(f"{addon['name']}  {addon['service']}:{addon['plan']}{_as(addon['attached_as'], '  ')}")
    if not found:
        click.echo(f"none; `minidyno addons:create postgres -a {name}` makes one")


@click.command("addons:create")
@click.argument("service")
@app_option
@click.option(
    "--plan",
    help="postgres: hobby-dev (the default, 10,000 rows), standard or essential-0/1/2; "
    "heroku-redis: mini (the default, 25 MB) or premium-0…14",
)
@click.pass_obj
def addons_create(client: Client, service: str, app: str | None, plan: str | None) -> None:
    """Create an add-on: postgres (heroku-postgresql[:PLAN]), heroku-redis[:PLAN] or scheduler."""
    name = resolve_app(app)
    result = follow_events(client, "POST", f"/apps/{name}/addons", json={"service": service, "plan": plan})
    click.echo(f"Created {result['addon']}{_as(result['attached_as'], ' ')}")


def _as(config_var: str, gap: str) -> str:
    """What an add-on is attached as; Heroku Scheduler is attached as no config var."""
    return f"{gap}as {config_var}" if config_var else ""


@click.command("addons:destroy")
@click.argument("addon")
@app_option
@click.option("--confirm", default="", help="the app's name, to confirm")
@click.pass_obj
def addons_destroy(client: Client, addon: str, app: str | None, confirm: str) -> None:
    """Destroy an add-on and its data."""
    name = resolve_app(app)
    follow_events(client, "DELETE", f"/apps/{name}/addons/{addon}", params={"confirm": confirm})
    click.echo(f"Destroying {addon} on {name}... done")


@click.command("pg:info")
@click.argument("database", default="DATABASE")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def pg_info(client: Client, database: str, app: str | None, as_json: bool) -> None:
    """Plan, status, version, tables, rows against the plan's limit, size, connections."""
    name = resolve_app(app)
    info = client.request("GET", f"/apps/{name}/addons/{database}/info")
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    limit = f"{info['row_limit']:,}" if info["row_limit"] else "no limit"
    if not info["inserts_allowed"]:
        limit += " (over the limit: INSERT and CREATE revoked)"
    click.echo(f"=== {info['attached_as']} ({info['name']})")
    for label, value in (
        ("Plan", info["plan"]),
        ("Status", info["status"]),
        ("PG Version", info["version"]),
        ("Tables", info["tables"]),
        ("Rows", f"{info['rows']:,}/{limit}"),
        ("Data Size", info["size"]),
        ("Connections", info["connections"]),
        ("Created", info["created_at"]),
    ):
        click.echo(f"{label + ':':<13}{value}")


@click.command("pg:psql")
@click.argument("database", default="DATABASE")
@app_option
@click.option("-c", "--command", "sql", help="run this SQL and exit")
@click.pass_obj
def pg_psql(client: Client, database: str, app: str | None, sql: str | None) -> None:
    """psql on the app's database: this machine's psql when there is one and the
    database has a port here (interactive on a terminal), else psql inside the database
    container (with -c)."""
    name = resolve_app(app)
    psql = shutil.which("psql")
    found = psql and client.request("GET", f"/apps/{name}/addons/{database}/credentials")["url"]
    if found:
        url = urlsplit(found)
        # The password goes in psql's environment, never on its command line, where
        # every user of this machine could read it in `ps`.
        env = {**os.environ, "PGPASSWORD": unquote(url.password or ""), "PGSSLMODE": "require"}
        os.execve(
            psql,
            [
                psql,
                "-h",
                url.hostname or "",
                "-p",
                str(url.port),
                "-U",
                unquote(url.username or ""),
                "-d",
                url.path.lstrip("/"),
                *(["-c", sql] if sql else []),
            ],
            env,
        )
    if not sql and psql:
        raise click.ClickException(
            "a swarm's database has no port on this machine, only on its app's network: "
            "pass -c SQL, which runs psql beside the database"
        )
    if not sql:
        raise click.ClickException(
            "no psql on this machine for an interactive session: install postgresql-client, or pass -c SQL"
        )
    result = client.request("POST", f"/apps/{name}/addons/{database}/psql", json={"command": sql})
    sys.stdout.write(result["output"])
    sys.exit(result["exit"])


@click.command("pg:reset")
@click.argument("database", default="DATABASE")
@app_option
@click.option("--confirm", default="", help="the app's name, to confirm")
@click.pass_obj
def pg_reset(client: Client, database: str, app: str | None, confirm: str) -> None:
    """Delete every table of the database (the database and its URL stay)."""
    name = resolve_app(app)
    result = client.request("POST", f"/apps/{name}/addons/{database}/reset", params={"confirm": confirm})
    click.echo(f"Resetting {result['reset']}... done")


@click.command("pg:credentials:rotate")
@click.argument("database", default="DATABASE")
@app_option
@click.pass_obj
def pg_credentials_rotate(client: Client, database: str, app: str | None) -> None:
    """A new password for the database, and a release with the new URL."""
    name = resolve_app(app)
    follow_events(client, "POST", f"/apps/{name}/addons/{database}/credentials/rotate")
    click.echo(f"Rotating credentials of {database} on {name}... done")


@click.command("pg:promote")
@click.argument("database")
@app_option
@click.pass_obj
def pg_promote(client: Client, database: str, app: str | None) -> None:
    """Make DATABASE the app's DATABASE_URL."""
    name = resolve_app(app)
    follow_events(client, "POST", f"/apps/{name}/addons/{database}/promote")
    click.echo(f"Promoting {database} to DATABASE_URL on {name}... done")


@click.command("pg:backups")
@app_option
@click.pass_obj
def pg_backups(client: Client, app: str | None) -> None:
    """List the app's backups."""
    name = resolve_app(app)
    click.echo(f"=== {name} Backups")
    for backup in client.request("GET", f"/apps/{name}/backups"):
        click.echo(f"{backup['name']}  {backup['created_at']}  {backup['size']:,} bytes")


@click.command("pg:backups:capture")
@click.argument("database", default="DATABASE")
@app_option
@click.pass_obj
def pg_backups_capture(client: Client, database: str, app: str | None) -> None:
    """Capture a backup (pg_dump, custom format)."""
    name = resolve_app(app)
    backup = client.request("POST", f"/apps/{name}/addons/{database}/backups")
    click.echo(f"Backup {backup['name']} captured ({backup['size']:,} bytes)")


@click.command("pg:backups:restore")
@click.argument("backup", default="latest")
@click.argument("database", default="DATABASE")
@app_option
@click.option("--confirm", default="", help="the app's name, to confirm")
@click.pass_obj
def pg_backups_restore(client: Client, backup: str, database: str, app: str | None, confirm: str) -> None:
    """Restore a backup (default: the latest) into the database."""
    name = resolve_app(app)
    result = client.request(
        "POST", f"/apps/{name}/backups/{backup}/restore", params={"confirm": confirm, "addon": database}
    )
    click.echo(f"Restored {result['restored']} to {result['to']}")


@click.command("pg:backups:download")
@click.argument("backup", default="latest")
@app_option
@click.option("-o", "--output", default=None, help="file to write (default: BACKUP.dump)")
@click.pass_obj
def pg_backups_download(client: Client, backup: str, app: str | None, output: str | None) -> None:
    """Download a backup file (pg_restore reads it)."""
    name = resolve_app(app)
    target = output or ("latest.dump" if backup == "latest" else f"{backup}.dump")
    with open(target, "wb") as out, client.stream_bytes(f"/apps/{name}/backups/{backup}/download") as chunks:
        for chunk in chunks:
            out.write(chunk)
    click.echo(f"Downloaded {backup} to {target}")


@click.command("pg:backups:delete")
@click.argument("backup")
@app_option
@click.option("--confirm", default="", help="the app's name, to confirm")
@click.pass_obj
def pg_backups_delete(client: Client, backup: str, app: str | None, confirm: str) -> None:
    """Delete a backup."""
    name = resolve_app(app)
    client.request("DELETE", f"/apps/{name}/backups/{backup}", params={"confirm": confirm})
    click.echo(f"Deleted {backup}")
