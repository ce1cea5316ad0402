"""releases."""

from __future__ import annotations

import json

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events


@click.command("releases")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def releases_list(client: Client, app: str | None, as_json: bool) -> None:
    """List an app's releases, newest first."""
    name = resolve_app(app)
    found = client.request("GET", f"/apps/{name}/releases")
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(f"=== {name} Releases")
    for r in found:
        click.echo(f"v{r['version']:<4} {r['description']:<24} {r['status']:<10} {r['created_at']}")


@click.command("releases:rollback")
@click.argument("version", required=False)
@app_option
@click.pass_obj
def releases_rollback(client: Client, version: str | None, app: str | None) -> None:
    """Roll back to vN (default: the release before the current one)."""
    name = resolve_app(app)
    number = None
    if version:
        digits = version.lower().removeprefix("v")
        if not digits.isdigit():
            raise click.UsageError(f"{version!r} is not a release: use vN, e.g. v3")
        number = int(digits)
    result = follow_events(client, "POST", f"/apps/{name}/releases", json={"rollback": number})
    click.echo(f"Rolling back {name}... done, v{result['release']}")
