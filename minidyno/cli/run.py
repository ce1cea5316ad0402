"""run, run:detached: one-off dynos."""

from __future__ import annotations

import shlex
import sys

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client
from minidyno.cli.streams import follow_events


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@app_option
@click.option("--no-tty", is_flag=True, help="do not attach a terminal even when there is one")
@click.pass_obj
def run(client: Client, command: tuple[str, ...], app: str | None, no_tty: bool) -> None:
    """Run a command in a one-off dyno; its exit status becomes ours. On a terminal
    the dyno gets a TTY (`minidyno run bash`)."""
    name = resolve_app(app)
    text = command[0] if len(command) == 1 else shlex.join(command)
    click.echo(f"Running {text} on {name}...", err=True)
    if not no_tty and sys.stdin.isatty() and sys.stdout.isatty():
        from minidyno.cli.terminal import attach

        sys.exit(attach(client, name, text))
    result = follow_events(client, "POST", f"/apps/{name}/dynos", json={"command": text})
    sys.exit(result["exit"])


@click.command("run:detached", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@app_option
@click.pass_obj
def run_detached(client: Client, command: tuple[str, ...], app: str | None) -> None:
    """Run a command in a one-off dyno whose output goes to the logs."""
    name = resolve_app(app)
    text = command[0] if len(command) == 1 else shlex.join(command)
    result = follow_events(client, "POST", f"/apps/{name}/dynos", json={"command": text, "detached": True})
    click.echo(f"Running {text} on {name}... up, {result['dyno']}")
    click.echo(f"Use `minidyno logs -a {name} -d {result['dyno']}` to view the output.")
