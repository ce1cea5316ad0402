"""Print a streaming endpoint's events as they arrive and turn its result into an exit
status: shared by every verb that makes a release or runs a command."""

from __future__ import annotations

import sys
from typing import Any

import click

from minidyno.cli.client import Client


def follow_events(client: Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """Echo `line` events (and write `out` events raw); return the final event, or
    raise its error as the one-line message it is."""
    for event in client.stream_events(method, path, **kwargs):
        if "line" in event:
            click.echo(event["line"], err=True)
        elif "out" in event:
            sys.stdout.write(event["out"])
            sys.stdout.flush()
        elif "error" in event:
            raise click.ClickException(event["error"])
        elif event.get("ok"):
            return event
    raise click.ClickException("the server ended the stream without a result; see minidyno logs")
