"""releases."""

from __future__ import annotations

import json

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client


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
