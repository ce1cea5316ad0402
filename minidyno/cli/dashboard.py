"""dashboard: a one-time login link to the web dashboard."""

from __future__ import annotations

import click

from minidyno.cli.client import Client


@click.command("dashboard")
@click.option("--no-browser", is_flag=True, help="only print the link")
@click.pass_obj
def dashboard(client: Client, no_browser: bool) -> None:
    """Print a one-time login link to the dashboard (and open it where a browser is)."""
    url = client.request("POST", "/dashboard/codes")["url"]
    click.echo(url)
    if not no_browser:
        click.launch(url)
