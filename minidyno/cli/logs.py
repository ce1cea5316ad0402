"""logs."""

from __future__ import annotations

import re
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
def logs(
    client: Client,
    app: str | None,
    num: int,
    tail: bool,
    dyno: str | None,
    source: str | None,
    process_type: str | None,
) -> None:
    """Show the app's logs (dynos, router, platform), in Heroku's format."""
    name = resolve_app(app)
    params = {"num": num, "tail": str(tail).lower()}
    params |= {k: v for k, v in (("dyno", dyno), ("source", source), ("process_type", process_type)) if v}
    colour = sys.stdout.isatty()
    try:
        with client.stream_text(f"/apps/{name}/logs", params=params) as chunks:
            for chunk in chunks:
                if colour:
                    chunk = "".join(f"{_coloured(_printable(t))}\n" for t in chunk.split("\n")[:-1])
                sys.stdout.write(chunk)
                sys.stdout.flush()
    except (KeyboardInterrupt, httpx.RemoteProtocolError):
        pass


#: Colours (SGR sequences) pass; every other control character is shown, not obeyed:
#: an app's output must not move the cursor, retitle or clear the user's terminal.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _printable(text: str) -> str:
    kept = _SGR.split(text)
    shown = [_CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", part) for part in kept]
    colours = _SGR.findall(text)
    return "".join(p + (colours[i] if i < len(colours) else "") for i, p in enumerate(shown))


def _coloured(text: str) -> str:
    stamp, _, rest = text.partition(" ")
    source = rest.split("[", 1)[0]
    return f"{stamp} {click.style(rest, fg=_COLOURS.get(source, 'yellow'))}"
