"""logs."""

from __future__ import annotations

import sys

import click
import httpx

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client

_COLOURS = {"app": "cyan", "minidyno": "magenta"}


@click.command("logs")
@app_option
@click.option("-n", "--num", default=100, show_default=True, help="lines of history")
@click.option("-t", "--tail", is_flag=True, help="keep printing new lines")
@click.option("-d", "--dyno", help="only this dyno (web.1)")
@click.option("-s", "--source", type=click.Choice(["app", "minidyno"]), help="only this source")
@click.option("-p", "--process-type", help="only this process type (web)")
@click.pass_obj
def logs(client: Client, app: str | None, num: int, tail: bool, dyno: str | None,
         source: str | None, process_type: str | None) -> None:
    """Show the app's logs (dynos, router, platform), in Heroku's format."""
    name = resolve_app(app)
    params = {"num": num, "tail": str(tail).lower()}
    params |= {k: v for k, v in (("dyno", dyno), ("source", source),
                                 ("process_type", process_type)) if v}
    colour = sys.stdout.isatty()
    try:
        with client.stream_text(f"/apps/{name}/logs", params=params) as chunks:
            for chunk in chunks:
                if colour:
                    chunk = "".join(f"{_coloured(t)}\n" for t in chunk.splitlines())
                sys.stdout.write(chunk)
                sys.stdout.flush()
    except (KeyboardInterrupt, httpx.RemoteProtocolError):
        pass


def _coloured(text: str) -> str:
    stamp, _, rest = text.partition(" ")
    source = rest.split("[", 1)[0]
    return f"{stamp} {click.style(rest, fg=_COLOURS.get(source, 'yellow'))}"
