"""apps, apps:create, apps:info, apps:destroy, open."""

from __future__ import annotations

import json

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.git_remote import add_remote, in_git_repo


def _print_info(info: dict) -> None:
    click.echo(f"=== {info['name']}")
    release = f"v{info['release']}" if info["release"] else "none yet"
    rows = [
        ("Web URL", info["web_url"]),
        ("Git URL", info["git_url"]),
        ("Stack", info["stack"] or "(chosen at the first push)"),
        ("Release", release),
        ("Dynos", ", ".join(f"{d['name']} ({d['state']})" for d in info["dynos"]) or "none"),
        ("Created", info["created_at"]),
    ]
    for label, value in rows:
        click.echo(f"{label + ':':<10}{value}")


@click.command("apps")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def apps_list(client: Client, as_json: bool) -> None:
    """List the apps."""
    found = client.request("GET", "/apps")
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo("=== Apps")
    for app in found:
        click.echo(app["name"])


@click.command("apps:create")
@click.argument("name", required=False)
@click.option("--no-remote", is_flag=True, help="do not add a minidyno git remote")
@click.pass_obj
def apps_create(client: Client, name: str | None, no_remote: bool) -> None:
    """Create an app (a random name when none is given)."""
    info = client.request("POST", "/apps", json={"name": name})
    click.echo(f"Creating {info['name']}... done")
    click.echo(f"{info['web_url']} | {info['git_url']}")
    if not no_remote and in_git_repo():
        add_remote(client, info["name"])
        click.echo(f"Git remote minidyno added for {info['name']}")


@click.command("apps:info")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def apps_info(client: Client, app: str | None, as_json: bool) -> None:
    """Show an app's URL, release, stack and dynos."""
    info = client.request("GET", f"/apps/{resolve_app(app)}")
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        _print_info(info)


@click.command("apps:destroy")
@click.argument("name", required=False)
@app_option
@click.option("--confirm", default="", help="the app's name again, to confirm")
@click.pass_obj
def apps_destroy(client: Client, name: str | None, app: str | None, confirm: str) -> None:
    """Destroy an app: its dynos, releases, images, repo and data."""
    target = name or resolve_app(app)
    client.request("DELETE", f"/apps/{target}", params={"confirm": confirm})
    click.echo(f"Destroying {target}... done")


@click.command("open")
@app_option
@click.pass_obj
def open_app(client: Client, app: str | None) -> None:
    """Print the app's URL (and open it where a browser is available)."""
    info = client.request("GET", f"/apps/{resolve_app(app)}")
    click.echo(info["web_url"])
    click.launch(info["web_url"])
