"""ps, ps:scale, ps:restart, ps:stop."""

from __future__ import annotations

import json
import math

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


@click.command("ps")
@app_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def ps_list(client: Client, app: str | None, as_json: bool) -> None:
    """List the app's dynos: name, state, age, command."""
    name = resolve_app(app)
    dynos = client.request("GET", f"/apps/{name}/dynos")
    if as_json:
        click.echo(json.dumps(dynos, indent=2))
        return
    hours = client.request("GET", f"/apps/{name}/eco-hours")
    if hours["eco"]:
        # Heroku's own lines, for an eco app.
        click.echo(f"Eco dyno hours quota remaining this month: {_hours(hours['remaining'], hours['quota'])}")
        click.echo(f"Eco dyno usage for this app: {_hours(hours['app_used'], hours['quota'])}")
        click.echo("For more information on Eco dyno hours, see:")
        click.echo("https://devcenter.heroku.com/articles/eco-dyno-hours")
        click.echo()
    by_type: dict[str, list[dict]] = {}
    for dyno in dynos:
        by_type.setdefault(dyno["type"], []).append(dyno)
    if not dynos:
        click.echo(f"No dynos on {name}")
    for process_type, group in by_type.items():
        click.echo(f"=== {process_type} ({len(group)}): {group[0]['command']}")
        for dyno in group:
            click.echo(
                f"{dyno['name']}: {dyno['state']} {_age(dyno['age_seconds'])} ago (v{dyno['release']})"
            )
        click.echo()


def _hours(seconds: float, quota: float) -> str:
    """`950h 30m (95%)`, the percentage of the pool rounded down, as Heroku's CLI does."""
    share = math.floor(seconds / quota * 100) if quota else 0
    return f"{int(seconds // 3600)}h {int(seconds % 3600 // 60)}m ({share}%)"


@click.command("ps:scale")
@click.argument("changes", nargs=-1, required=True)
@app_option
@click.pass_obj
def ps_scale(client: Client, changes: tuple[str, ...], app: str | None) -> None:
    """Scale process types: web=2 worker+1 clock=0."""
    name = resolve_app(app)
    result = client.request("PATCH", f"/apps/{name}/formation", json=list(changes))
    click.echo(
        "Scaling dynos... done, now running " + ", ".join(f"{t} at {q}" for t, q in sorted(result.items()))
    )


@click.command("ps:restart")
@click.argument("target", required=False)
@app_option
@click.pass_obj
def ps_restart(client: Client, target: str | None, app: str | None) -> None:
    """Restart all dynos, a type (web) or one dyno (web.1)."""
    name = resolve_app(app)
    params = {"target": target} if target else {}
    result = client.request("POST", f"/apps/{name}/dynos/restart", params=params)
    click.echo(f"Restarting {', '.join(result['restarted'])} on {name}... done")


@click.command("ps:stop")
@click.argument("dyno")
@app_option
@click.pass_obj
def ps_stop(client: Client, dyno: str, app: str | None) -> None:
    """Stop a dyno (a formation dyno is started again, as on Heroku)."""
    name = resolve_app(app)
    client.request("POST", f"/apps/{name}/dynos/{dyno}/stop")
    click.echo(f"Stopping {dyno} on {name}... done")
