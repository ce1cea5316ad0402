"""ps:type, maintenance, maintenance:on, maintenance:off, domains, domains:add,
domains:remove: how the router treats an app."""

from __future__ import annotations

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client


@click.command("ps:type")
@click.argument("dyno_type", required=False, type=click.Choice(["eco", "basic"]))
@app_option
@click.pass_obj
def ps_type(client: Client, dyno_type: str | None, app: str | None) -> None:
    """Show or set the dyno type: eco web dynos sleep when idle, basic never do."""
    name = resolve_app(app)
    if dyno_type:
        result = client.request("PATCH", f"/apps/{name}/settings", json={"dyno_type": dyno_type})
    else:
        result = client.request("GET", f"/apps/{name}/settings")
    sleeping = " (asleep)" if result["idle"] else ""
    click.echo(f"{name}: {result['dyno_type']}{sleeping}")


@click.command("maintenance")
@app_option
@click.pass_obj
def maintenance(client: Client, app: str | None) -> None:
    """Show whether maintenance mode is on."""
    result = client.request("GET", f"/apps/{resolve_app(app)}/settings")
    click.echo("on" if result["maintenance"] else "off")


def _set_maintenance(client: Client, app: str | None, on: bool) -> None:
    name = resolve_app(app)
    client.request("PATCH", f"/apps/{name}/settings", json={"maintenance": on})
    click.echo(f"{'Enabling' if on else 'Disabling'} maintenance mode for {name}... done")


@click.command("maintenance:on")
@app_option
@click.pass_obj
def maintenance_on(client: Client, app: str | None) -> None:
    """Answer every request with H80 (maintenance) until turned off."""
    _set_maintenance(client, app, True)


@click.command("maintenance:off")
@app_option
@click.pass_obj
def maintenance_off(client: Client, app: str | None) -> None:
    """Serve requests again."""
    _set_maintenance(client, app, False)


@click.command("domains")
@app_option
@click.pass_obj
def domains_list(client: Client, app: str | None) -> None:
    """List the hostnames that route to the app."""
    name = resolve_app(app)
    click.echo(f"=== {name} Domains")
    for hostname in client.request("GET", f"/apps/{name}/domains"):
        click.echo(hostname)


@click.command("domains:add")
@click.argument("hostname")
@app_option
@click.pass_obj
def domains_add(client: Client, hostname: str, app: str | None) -> None:
    """Route HOSTNAME to the app too."""
    name = resolve_app(app)
    added = client.request("POST", f"/apps/{name}/domains", params={"hostname": hostname})
    click.echo(f"Adding {added['hostname']} to {name}... done")


@click.command("domains:remove")
@click.argument("hostname")
@app_option
@click.pass_obj
def domains_remove(client: Client, hostname: str, app: str | None) -> None:
    """Stop routing HOSTNAME to the app."""
    name = resolve_app(app)
    client.request("DELETE", f"/apps/{name}/domains/{hostname}")
    click.echo(f"Removing {hostname} from {name}... done")
