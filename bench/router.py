"""bench/router: requests/s and p50/p99 latency through the router (nginx, with router
log lines on), over HTTP and over HTTPS (TLS terminated at the router, as Heroku's
does), beside straight to the same dyno, at 16 and 64 connections, in one run.

Goal (issue 5): at least 90 % of direct requests/s, p50 added at most 1 ms.
The dyno is the sample app under gunicorn, measured twice: with its sync workers (as the
sample deploys; they close every connection, so direct clients pay a reconnect per
request that wrk's latency does not show, while nginx keeps its clients' connections)
and with gthread workers, which keep connections alive both ways. Throughput here
swings with the 2 shared cores, so each figure is the median of several short runs that
alternate direct and routed.
Needs wrk (apt-get install wrk). Run: .venv/bin/python bench/router.py [--seconds N] [--rounds N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess

import docker
from common import dyno_container, throwaway_server

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, connections: int, seconds: int, host: str | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if host:
        command[1:1] = ["-H", f"Host: {host}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = {
        p: float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "errors": int(errors[1]) if errors else 0}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/router needs wrk: apt-get install wrk")
    engine = docker.from_env()
    results = []
    with throwaway_server() as (server, tmp):
        for worker in ("sync", "gthread"):
            app = f"bench-{worker}"
            server.cli("apps:create", app)
            procfile = (
                f"web: gunicorn app:app --bind 0.0.0.0:$PORT --worker-class {worker} "
                "--threads 8 --keep-alive 30 --access-logfile -\n"
            )
            server.push(server.app_source(tmp, app, {"Procfile": procfile}))
            web = dyno_container(engine, server, app=app)
            ip = next(iter(web.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
            direct_url = f"http://{ip}:5000/"
            router_url = f"http://127.0.0.1:{server.router_port}/"
            # wrk neither resolves *.localhost nor checks certificates: connect to
            # 127.0.0.1 and name the app in Host, as a client with its own resolver would.
            https_url = f"https://127.0.0.1:{server.router_tls_port}/"
            wrk(direct_url, 16, 2)
            for connections in (16, 64):
                runs: dict[str, list[dict[str, float]]] = {"direct": [], "http": [], "https": []}
                for _ in range(args.rounds):
                    runs["direct"].append(wrk(direct_url, connections, args.seconds))
                    runs["http"].append(wrk(router_url, connections, args.seconds, host=f"{app}.localhost"))
                    runs["https"].append(wrk(https_url, connections, args.seconds, host=f"{app}.localhost"))
                results.append((worker, connections, {name: _median(r) for name, r in runs.items()}))
    print(
        f"{'dyno':>8} {'conns':>5} {'direct rps':>11} {'http rps':>9} {'https rps':>10} "
        f"{'http/dir':>8} {'https/dir':>9} {'https/http':>10} {'p50 direct':>11} "
        f"{'p50 http':>9} {'p50 https':>10} {'p99 https':>10} {'errors':>7}"
    )
    for worker, connections, m in results:
        direct, http, https = m["direct"], m["http"], m["https"]
        print(
            f"{worker:>8} {connections:>5} {direct['rps']:>11.0f} {http['rps']:>9.0f} "
            f"{https['rps']:>10.0f} {http['rps'] / direct['rps']:>8.2f} "
            f"{https['rps'] / direct['rps']:>9.2f} {https['rps'] / http['rps']:>10.2f} "
            f"{direct['p50']:>9.2f}ms {http['p50']:>7.2f}ms {https['p50']:>8.2f}ms "
            f"{https['p99']:>8.2f}ms "
            f"{sum(x['errors'] for x in (direct, http, https)):>7}"
        )
    print("goals: http/direct >= 0.90, p50 added <= 1 ms; https/http shows TLS's own cost")


if __name__ == "__main__":
    main()
