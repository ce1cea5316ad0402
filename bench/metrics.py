"""bench/metrics: what metrics collection costs, on against off, side by side in one run.

On is MINIDYNO_METRICS_INTERVAL=10 (the default), off is 0:

  throughput  requests/s through the router (HTTP, 16 connections, wrk) to the sample app
              under gunicorn's gthread workers (as bench/router's second dyno), on two
              servers up at once, one per setting, loaded in turn: each round runs both,
              in an order swapped every round (off-on, on-off, ...), so the drift of the
              2 shared cores hits both; medians, and the server's own CPU during the runs
              (the router's aggregation is its work)
  cpu         with 20 web dynos up and no request, the CPU (one core = 100 %) of the
              server process (with its children but nginx, reaped ones included), of
              dockerd, and of containerd with its shims, over --window s. One server,
              restarted with the other setting between windows (a restarted server adopts
              its dynos and nginx), so one control plane and 20 dynos exist at a time and
              the engine's figures change with the sampler alone; windows on, off, off, on
              (for 2 rounds), each after 20 dynos are up and --settle s more

Goal (issue 20): requests/s at most 2 % lower with metrics on; metrics collection at most
2 % of one core with 20 dynos up. dockerd's and containerd's figures count every client of
the engine: run on an otherwise quiet machine.
Needs wrk (apt-get install wrk). Run: .venv/bin/python bench/metrics.py [--seconds N] [--rounds N]
[--window N] [--cpu-rounds N] [--settle N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

import httpx
from common import push_and_wait, throwaway_server
from router import wrk

from tests.integration.platform_fixture import Server

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
APP = "bench"
DYNOS = 20
CONNECTIONS = 16
SETTINGS = {"on": "10", "off": "0"}
PROCFILE = (
    "web: gunicorn app:app --bind 0.0.0.0:$PORT --worker-class gthread "
    "--threads 8 --keep-alive 30 --access-logfile -\n"
)
#: No eco idling during the minutes without a request (the default is 30 min).
NO_IDLING = {"MINIDYNO_IDLE_TIMEOUT": "86400"}


# -- CPU time from /proc ------------------------------------------------------------


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process: its name, its parent, and its CPU ticks (user and system, its reaped
    children's included)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        name = text[text.index("(") + 1 : text.rindex(")")]
        found[int(stat.parent.name)] = (name, int(fields[1]), sum(int(f) for f in fields[11:15]))
    return found


def ticks(server_pid: int) -> dict[str, int | None]:
    """CPU ticks so far of the server (its process and descendants but nginx, which
    daemonizes anyway), of dockerd, and of containerd with its shims (None when this
    machine shows no such process: an engine in another PID namespace)."""
    found = processes()
    if server_pid not in found:
        raise SystemExit(f"the server (pid {server_pid}) is gone")
    children: dict[int, list[int]] = {}
    for pid, (_, parent, _) in found.items():
        children.setdefault(parent, []).append(pid)
    server, stack = 0, [server_pid]
    while stack:
        pid = stack.pop()
        if pid in found and found[pid][0] != "nginx":
            server += found[pid][2]
            stack.extend(children.get(pid, []))
    dockerd = [t for name, _, t in found.values() if name == "dockerd"]
    containerd = [t for name, _, t in found.values() if name.startswith("containerd")]
    return {
        "server": server,
        "dockerd": sum(dockerd) if dockerd else None,
        "containerd": sum(containerd) if containerd else None,
    }


def percent(before: dict, after: dict, seconds: float) -> dict[str, float | None]:
    return {
        key: None
        if before[key] is None or after[key] is None
        else (after[key] - before[key]) / CLOCK_TICKS / seconds * 100
        for key in before
    }


# -- the servers --------------------------------------------------------------------


def deploy(server: Server, tmp: Path) -> None:
    server.cli("apps:create", APP)
    push_and_wait(server, server.app_source(tmp, APP, {"Procfile": PROCFILE}), APP, "Hello")


def wait_for_web(server: Server, count: int, timeout: float = 600) -> None:
    """Until the app's web dynos are `count`, all up (none starting or being retired)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        web = [d for d in server.api("GET", f"/apps/{APP}/dynos").json() if d["type"] == "web"]
        if len(web) == count and all(d["state"] == "up" for d in web):
            return
        time.sleep(0.5)
    raise SystemExit(f"{count} web dynos were not up within {timeout:.0f} s: {server.log_tail()}")


def scale(server: Server, count: int) -> None:
    server.api("PATCH", f"/apps/{APP}/formation", json=[f"web={count}"])
    wait_for_web(server, count)


def restart(server: Server, setting: str) -> None:
    """The same server (home, ports, dynos, nginx) with the other metrics setting."""
    server.stop()
    server.env["MINIDYNO_METRICS_INTERVAL"] = SETTINGS[setting]
    try:
        server.start()
    except RuntimeError:
        # Adopting 20 dynos may take longer than the fixture's 30 s.
        if server.process.poll() is not None or not server.wait_for_health(120, server._still_running):
            raise


def collected(server: Server) -> str:
    """What the metrics API holds of the app's last 10 minutes: a check that collection
    ran where it is on (and not where it is off)."""
    try:
        response = httpx.get(
            f"{server.api_url}/apps/{APP}/metrics",
            params={"since": 600},
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=30,
        )
        if response.status_code != 200:
            return f"the metrics API answered {response.status_code}: {response.text[:200]}"
        body = response.json()
        sampled = sum(bool(rows) for rows in body["dynos"].values())
        return f"{body['summary']['requests']} requests counted, {sampled} dynos sampled in the last 10 min"
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
        return f"the metrics API could not be read: {e!r}"


# -- the two parts ------------------------------------------------------------------


def routed(server: Server, seconds: int) -> dict[str, float]:
    """One wrk run through the router, with the server's CPU over it."""
    pid = server.process.pid
    before, started = ticks(pid), time.monotonic()
    result = wrk(f"http://127.0.0.1:{server.router_port}/", CONNECTIONS, seconds, host=f"{APP}.localhost")
    result["server_cpu"] = percent(before, ticks(pid), time.monotonic() - started)["server"]
    return result


def throughput(servers: dict[str, Server], seconds: int, rounds: int) -> dict[str, list[dict[str, float]]]:
    for server in servers.values():
        wrk(f"http://127.0.0.1:{server.router_port}/", CONNECTIONS, 2, host=f"{APP}.localhost")
    runs: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for r in range(rounds):
        for setting in ("off", "on") if r % 2 == 0 else ("on", "off"):
            runs[setting].append(routed(servers[setting], seconds))
        off, on = runs["off"][-1], runs["on"][-1]
        print(
            f"throughput round {r + 1}: off {off['rps']:.0f} rps, on {on['rps']:.0f} rps, "
            f"on/off {on['rps'] / off['rps']:.3f}",
            flush=True,
        )
    return runs


def idle_cpu(server: Server, window: float, rounds: int, settle: float) -> list[tuple[str, dict]]:
    """The windows' CPU figures, in the order measured; `server` starts with metrics on."""
    scale(server, DYNOS)
    time.sleep(settle)
    current, windows = "on", []
    for r in range(rounds):
        for setting in ("on", "off") if r % 2 == 0 else ("off", "on"):
            if setting != current:
                restart(server, setting)
                current = setting
                wait_for_web(server, DYNOS)
                time.sleep(settle)
            pid = server.process.pid
            before, started = ticks(pid), time.monotonic()
            time.sleep(window)
            figures = percent(before, ticks(pid), time.monotonic() - started)
            windows.append((setting, figures))
            print(
                f"cpu window {len(windows)} (metrics {setting}): "
                + ", ".join(f"{k} {_pct(v)}" for k, v in figures.items())
                + f"; {collected(server)}",
                flush=True,
            )
    web = [d for d in server.api("GET", f"/apps/{APP}/dynos").json() if d["type"] == "web"]
    if sum(d["state"] == "up" for d in web) != DYNOS:
        print(f"warning: {DYNOS} web dynos were not all up after the last window: {web}", flush=True)
    scale(server, 1)
    return windows


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def _median(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else statistics.median(values)


# -- the report ---------------------------------------------------------------------


def report(runs: dict[str, list[dict[str, float]]], windows: list[tuple[str, dict]], args) -> None:
    print(
        f"\nthroughput through the router, {CONNECTIONS} connections, {args.seconds} s runs "
        f"(off: MINIDYNO_METRICS_INTERVAL=0, on: =10)"
    )
    print(
        f"{'round':>6} {'off rps':>9} {'on rps':>9} {'on/off':>7} {'off p50':>9} {'on p50':>9} "
        f"{'off srv CPU':>12} {'on srv CPU':>11} {'errors':>7}"
    )
    rows = list(zip(runs["off"], runs["on"], strict=True))
    for r, (off, on) in enumerate(rows, 1):
        print(
            f"{r:>6} {off['rps']:>9.0f} {on['rps']:>9.0f} {on['rps'] / off['rps']:>7.3f} "
            f"{off['p50']:>7.2f}ms {on['p50']:>7.2f}ms {off['server_cpu']:>10.1f} % "
            f"{on['server_cpu']:>9.1f} % {off['errors'] + on['errors']:>7.0f}"
        )
    med = {s: {k: statistics.median(run[k] for run in runs[s]) for k in runs[s][0]} for s in runs}
    print(
        f"{'median':>6} {med['off']['rps']:>9.0f} {med['on']['rps']:>9.0f} "
        f"{med['on']['rps'] / med['off']['rps']:>7.3f} "
        f"{med['off']['p50']:>7.2f}ms {med['on']['p50']:>7.2f}ms "
        f"{med['off']['server_cpu']:>10.1f} % {med['on']['server_cpu']:>9.1f} %"
    )

    print(f"\nCPU with {DYNOS} web dynos up and no request, {args.window} s windows (one core = 100 %)")
    print(f"{'window':>6} {'metrics':>8} {'server':>9} {'dockerd':>9} {'containerd':>11}")
    for i, (setting, figures) in enumerate(windows, 1):
        print(
            f"{i:>6} {setting:>8} {_pct(figures['server']):>9} {_pct(figures['dockerd']):>9} "
            f"{_pct(figures['containerd']):>11}"
        )
    cpu = {
        s: {k: _median([f[k] for setting, f in windows if setting == s]) for k in windows[0][1]}
        for s in ("on", "off")
    }
    cost = {k: None if cpu["on"][k] is None else cpu["on"][k] - cpu["off"][k] for k in cpu["on"]}
    for s in ("on", "off"):
        print(
            f"{'median':>6} {s:>8} {_pct(cpu[s]['server']):>9} {_pct(cpu[s]['dockerd']):>9} "
            f"{_pct(cpu[s]['containerd']):>11}"
        )

    ratio = med["on"]["rps"] / med["off"]["rps"]
    paired = statistics.median(on["rps"] / off["rps"] for off, on in rows)
    engine = [v for k, v in cost.items() if k != "server" and v is not None]
    print("\nsummary")
    print(
        f"  throughput: on {med['on']['rps']:.0f} rps, off {med['off']['rps']:.0f} rps: on/off {ratio:.3f}, "
        f"{(1 - ratio) * 100:.1f} % lower (goal: <= 2 % lower); "
        f"the median of the rounds' own ratios {paired:.3f}"
    )
    # nginx never waits on the control plane (it reads the access log behind it), so
    # metrics can slow the router only by the CPU they take from nginx and the dyno on
    # the machine's cores: a bound that, unlike the requests/s, the rounds' noise does
    # not swamp.
    extra = sum(on["server_cpu"] / on["rps"] - off["server_cpu"] / off["rps"] for off, on in rows) / len(rows)
    cores = os.cpu_count() or 1
    print(
        f"  by CPU: the server takes {extra * 1e4:+.1f} us more a request with metrics on (mean of "
        f"the rounds), at {med['on']['rps']:.0f} rps {extra * med['on']['rps']:.2f} % of one core, "
        f"{extra * med['on']['rps'] / cores:.2f} % of the {cores} cores the router's requests share"
    )
    print(
        f"  metrics collection costs {cost['server']:.2f} % of one core with {DYNOS} dynos "
        f"(goal: <= 2 %): the server's own, on {cpu['on']['server']:.2f} % - "
        f"off {cpu['off']['server']:.2f} %"
    )
    print(
        f"  and the engine's: dockerd {_pct(cost['dockerd'])}, "
        f"containerd and shims {_pct(cost['containerd'])}; "
        f"server and engine together {cost['server'] + sum(engine):.2f} % of one core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds (one run per setting each)")
    parser.add_argument("--window", type=int, default=60, help="seconds per CPU window")
    parser.add_argument("--cpu-rounds", type=int, default=2, help="CPU rounds (one window per setting each)")
    parser.add_argument("--settle", type=float, default=20, help="seconds after a scale or restart")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/metrics needs wrk: apt-get install wrk")
    with throwaway_server(MINIDYNO_METRICS_INTERVAL=SETTINGS["on"], **NO_IDLING) as (on, on_tmp):
        deploy(on, on_tmp)
        with throwaway_server(MINIDYNO_METRICS_INTERVAL=SETTINGS["off"], **NO_IDLING) as (off, off_tmp):
            deploy(off, off_tmp)
            runs = throughput({"off": off, "on": on}, args.seconds, args.rounds)
            print(f"metrics on: {collected(on)}; off: {collected(off)}", flush=True)
        windows = idle_cpu(on, args.window, args.cpu_rounds, args.settle)
    report(runs, windows, args)


if __name__ == "__main__":
    main()
