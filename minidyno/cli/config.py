"""config, config:get, config:set, config:unset."""

from __future__ import annotations

import json
import shlex

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events

no_restart = click.option(
    "--no-restart", is_flag=True, help="record the release, leave running dynos as they are"
)


@click.command("config")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("-s", "--shell", is_flag=True, help="print as KEY='value' lines for a shell or .env")
@click.pass_obj
def config_list(client: Client, app: str | None, as_json: bool, shell: bool) -> None:
    """Show the app's config vars."""
    name = resolve_app(app)
    found = client.request("GET", f"/apps/{name}/config")
    if as_json:
        click.echo(json.dumps(found, indent=2))
    elif shell:
        for key, value in found.items():
            click.echo(f"{key}={shlex.quote(value)}")
    else:
        click.echo(f"=== {name} Config Vars")
        width = max((len(k) for k in found), default=0) + 1
        for key, value in found.items():
            click.echo(f"{key + ':':<{width}} {value}")


@click.command("config:get")
@click.argument("key")
@app_option
@click.pass_obj
def config_get(client: Client, key: str, app: str | None) -> None:
    """Print one config var's value, exactly."""
    found = client.request("GET", f"/apps/{resolve_app(app)}/config")
    if key in found:
        click.echo(found[key])


def _apply(client: Client, name: str, changes: dict[str, str | None], restart: bool) -> None:
    verb = "Setting" if any(v is not None for v in changes.values()) else "Unsetting"
    click.echo(
        f"{verb} {', '.join(changes)} and {'restarting' if restart else 'not restarting'} {name}...", err=True
    )
    result = follow_events(
        client, "PATCH", f"/apps/{name}/config", json=changes, params={"restart": str(restart).lower()}
    )
    version = result.get("release")
    click.echo(f"done, v{version}" if version else "done (used from the first deploy on)", err=True)


@click.command("config:set")
@click.argument("assignments", nargs=-1, required=True)
@app_option
@no_restart
@click.pass_obj
def config_set(client: Client, assignments: tuple[str, ...], app: str | None, no_restart: bool) -> None:
    """Set config vars: KEY=VALUE… (one new release)."""
    changes: dict[str, str | None] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"{item!r} has no '=': use KEY=VALUE")
        changes[key] = value
    _apply(client, resolve_app(app), changes, not no_restart)


@click.command("config:unset")
@click.argument("keys", nargs=-1, required=True)
@app_option
@no_restart
@click.pass_obj
def config_unset(client: Client, keys: tuple[str, ...], app: str | None, no_restart: bool) -> None:
    """Unset config vars: KEY… (one new release)."""
    _apply(client, resolve_app(app), dict.fromkeys(keys), not no_restart)
