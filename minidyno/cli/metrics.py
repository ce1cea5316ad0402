"""metrics: Heroku's Metrics tab as tables: the router's throughput, response times and
errors in rows over the window, each dyno's memory and load, and the events marked."""

from __future__ import annotations

import json
import re
import time

import click

from minidyno.cli.app_option import app_option, resolve_app
from minidyno.cli.client import Client

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Row sizes a window is cut into, the smallest that gives at most MAX_ROWS rows.
_STEPS = (10, 30, 60, 300, 600, 1800, 3600)
MAX_ROWS = 24
CLASSES = ("2xx", "3xx", "4xx", "5xx")


def duration(text: str) -> int:
    """`90s`, `10m`, `1h`, `1d` (a bare number is minutes) in seconds."""
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not match:
        raise click.BadParameter(f"{text!r} is not a duration: use 10m, 1h or 24h")
    return int(match[1]) * _UNITS[match[2] or "m"]


def _step(since: int) -> int:
    return next((s for s in _STEPS if since / s <= MAX_ROWS), _STEPS[-1])


def _span(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _codes(codes: dict[str, int]) -> str:
    return ", ".join(f"{code} ×{n}" for code, n in codes.items()) or "-"


def _clock(t: float, seconds: bool = False) -> str:
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(t))


def _table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@click.command("metrics")
@app_option
@click.option("--since", default="1h", show_default=True, help="how far back: 10m, 1h, 24h")
@click.option("--json", "as_json", is_flag=True, help="print JSON, every row of the window")
@click.pass_obj
def metrics(client: Client, app: str | None, since: str, as_json: bool) -> None:
    """Show the app's router throughput, response times and errors, and its dynos' memory
    and load, as the dashboard's Metrics charts do."""
    name = resolve_app(app)
    seconds = duration(since)
    found = client.request("GET", f"/apps/{name}/metrics", params={"since": seconds, "step": _step(seconds)})
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    click.echo(
        f"=== {name} metrics: the last {_span(seconds)}, in {_span(found['step'])} rows "
        f"(sampled every {_span(found['interval'])})"
    )
    click.echo()
    _router(found)
    click.echo()
    _dynos(found["summary"]["dynos"], found["quota_mb"])
    click.echo()
    _events(found["events"])


def _router(found: dict) -> None:
    total = found["summary"]
    click.echo(
        f"Router: {total['requests']} requests ({total['rps']:.2f}/s): "
        + ", ".join(f"{k} {v}" for k, v in total["status"].items())
        + f"; p50 {_ms(total['p50_ms'])} ms, p95 {_ms(total['p95_ms'])} ms, p99 {_ms(total['p99_ms'])} ms;"
        + f" errors {_codes(total['codes'])}"
    )
    rows = [["Time", "Req/s", *CLASSES, "p50 ms", "p95 ms", "p99 ms", "Errors"]]
    for row in found["router"]:
        rows.append(
            [
                _clock(row["t"], seconds=found["step"] < 60),
                f"{row['rps']:.2f}",
                *(str(row["status"][k]) for k in CLASSES),
                *(_ms(row[f"p{q}_ms"]) for q in (50, 95, 99)),
                _codes(row["codes"]),
            ]
        )
    _table(rows)


def _dynos(dynos: dict[str, dict], quota: int) -> None:
    click.echo(f"Dynos (memory quota {quota} MB; R14 past it, R15 past {2 * quota} MB)")
    if not dynos:
        click.echo("No dyno ran in this window.")
        return
    rows = [["Dyno", "Memory now", "avg", "max", "max of quota", "Load now", "avg", "max"]]
    for dyno, d in dynos.items():
        rows.append(
            [
                dyno,
                *(f"{d[k]:.0f} MB" for k in ("memory_mb_last", "memory_mb_avg", "memory_mb_max")),
                f"{d['memory_mb_max'] / quota * 100:.0f}%",
                *("-" if d[k] is None else f"{d[k]:.2f}" for k in ("load_last", "load_avg", "load_max")),
            ]
        )
    _table(rows)


def _events(events: list[dict]) -> None:
    click.echo("Events")
    if not events:
        click.echo("None in this window.")
        return
    _table([[_clock(e["t"], seconds=True), e["kind"], e["dyno"] or "-", e["text"]] for e in events])
