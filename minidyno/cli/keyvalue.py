"""redis:info (also `redis`), redis:cli, redis:maxmemory, redis:credentials: Heroku
Key-Value Store's verbs, with the Heroku CLI's words."""

from __future__ import annotations

import json
import shlex
import sys

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events

_DATABASE = click.argument("database", default="REDIS")


@click.command("redis:info")
@_DATABASE
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def redis_info(client: Client, database: str, app: str | None, as_json: bool) -> None:
    """Plan, status, version, timeout, eviction policy, limits, memory used and keys."""
    name = resolve_app(app)
    info = client.request("GET", f"/apps/{name}/redis/{database}")
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"=== {info['name']} ({info['attached_as']})")
    for label, value in (
        ("Plan", info["plan"]),
        ("Status", info["status"]),
        ("Created", info["created_at"]),
        ("Version", info["version"]),
        ("Timeout", info["timeout"]),
        ("Maxmemory", info["maxmemory_policy"]),
        ("Maxclients", info["maxclients"]),
        ("Persistence", info["persistence"]),
        ("Memory", f"{info['used_memory']} used of {info['maxmemory']}"),
        ("Clients", info["connected_clients"]),
        ("Keys", info["keys"]),
    ):
        click.echo(f"{label + ':':<13}{value}")


@click.command("redis:maxmemory")
@_DATABASE
@app_option
@click.option("-p", "--policy", required=True, help="noeviction, allkeys-lru, volatile-ttl, …")
@click.pass_obj
def redis_maxmemory(client: Client, database: str, app: str | None, policy: str) -> None:
    """Set the key eviction policy for when the store reaches its plan's memory."""
    name = resolve_app(app)
    path = f"/apps/{name}/redis/{database}/config"
    result = client.request("PATCH", path, json={"maxmemory_policy": policy})
    value = result["maxmemory_policy"]
    click.echo(f"Maxmemory policy for {result['name']} ({result['attached_as']}) set to {value}.")
    click.echo(f"{value} {result['description']}.")


@click.command("redis:cli")
@_DATABASE
@app_option
@click.pass_obj
def redis_cli(client: Client, database: str, app: str | None) -> None:
    """Send Redis commands to the store, one per line (typed, or piped in)."""
    name = resolve_app(app)
    info = client.request("GET", f"/apps/{name}/redis/{database}")
    click.echo(f"Connecting to {info['name']} ({info['attached_as']}):")
    prompt = f"{info['name']}> " if sys.stdin.isatty() else ""
    failed = False
    while True:
        if prompt:
            click.echo(prompt, nl=False)
        line = sys.stdin.readline()
        if not line or line.strip().lower() in ("quit", "exit"):
            break
        try:
            args = shlex.split(line)
        except ValueError as exc:
            click.echo(f"(error) {exc}", err=True)
            continue
        if not args:
            continue
        try:
            result = client.request("POST", f"/apps/{name}/redis/{database}/cli", json={"args": args})
        except click.ClickException as refused:
            # A command refused is this line's error, as the server's own are: the
            # prompt goes on.
            click.echo(f"(error) {refused.message}", err=True)
            failed = True
            continue
        click.echo(result["output"], nl=False)
        failed = failed or result["exit"] != 0
    click.echo("Disconnected from instance.")
    sys.exit(1 if failed else 0)


@click.command("redis:credentials")
@_DATABASE
@app_option
@click.option("--reset", is_flag=True, help="a new password, and a release with the new URL")
@click.pass_obj
def redis_credentials(client: Client, database: str, app: str | None, reset: bool) -> None:
    """Print the store's URL, or with --reset give it a new password."""
    name = resolve_app(app)
    store = client.request("GET", f"/apps/{name}/redis/{database}/credentials")
    if not reset:
        click.echo(store["url"])
        return
    click.echo(f"Resetting credentials for {store['name']}")
    follow_events(client, "POST", f"/apps/{name}/redis/{database}/credentials/reset")
