"""bench/apps: what grows with the number of apps on one server, a class's 100.

One server, grown in one run to each N (10, 50 and 100 by default) with copies of one
tiny Flask app: every tenth a basic app that stays up, the rest eco apps left idle,
every third with Postgres. At each N, side by side:

  reload     one dyno change: `ps:scale web=1` of an up app at web=2, which returns
             once nginx has reloaded without web.2 (routes from the engine, the
             configuration, the reload, the old workers retired), p50 and p95; and
             a change of the routes' shape (maintenance on or off), checked by
             `nginx -t` first, p95
  API        `apps`, `ps` and `config:set` (of an app scaled to web=0, so no boot is
             counted), p95 over keep-alive connections
  idle       the control plane's resident memory and CPU (one core = 100 %) over 30 s
             with no request, and nginx's memory
  wake       an idle app's first byte through the router, beside `docker start` of the
             same stopped container to its first response
  redeploy   a code-only push of one up app to the first answer showing it, beside the
             same push when that app was the only one (N = 1)
  router     requests/s through the router to one up app, beside straight to its dyno

Then a table of each figure against N, with the growth from the smallest N to the
largest. Goals at N = 100 (issue 18): reload p95 <= 200 ms, API p95 <= 50 ms, idle CPU
<= 3 %, memory <= 250 MB, wake <= 1.2x docker start, redeploy <= 1.2x N = 1, router
>= 0.90 of direct.
Needs wrk. Run: .venv/bin/python bench/apps.py [--sizes 10,50,100] [--idle-seconds 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import docker
import httpx
from common import throwaway_server, wait_for_body
from router import wrk

from tests.integration.platform_fixture import REPO, Server

#: gthread workers keep connections alive both ways, so direct and routed clients pay
#: the same per request (see bench/router.py).
PROCFILE = "web: gunicorn app:app --bind 0.0.0.0:$PORT --worker-class gthread --threads 8 --keep-alive 30\n"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello from the first release"
"""


class Fleet:
    """The apps of the run and how to reach them: pushes go straight to the API with
    the token, with no CLI process in the way."""

    def __init__(self, server: Server, src: Path) -> None:
        self.server = server
        self.src = src
        self.names: list[str] = []
        self.api = httpx.Client(
            base_url=server.api_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=120
        )

    def push_url(self, app: str) -> str:
        return f"http://minidyno:{self.server.token}@127.0.0.1:{self.server.api_port}/git/{app}.git"

    def push(self, app: str) -> None:
        self.server.git("push", "-q", self.push_url(app), "HEAD:main", cwd=self.src)

    def add(self, index: int) -> None:
        """App number `index` (from 1), deployed, with its type and add-ons."""
        app = f"app-{index:03d}"
        self.api.post("/apps", json={"name": app}).raise_for_status()
        if index % 10 == 1:
            self.api.patch(f"/apps/{app}/settings", json={"dyno_type": "basic"}).raise_for_status()
        self.push(app)
        if index % 3 == 0:
            with self.api.stream("POST", f"/apps/{app}/addons", json={"service": "heroku-postgresql"}) as r:
                r.read()
                r.raise_for_status()
        self.names.append(app)

    def wait_for_dynos(self, app: str, states: dict[str, str]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if {d["name"]: d["state"] for d in self.api.get(f"/apps/{app}/dynos").json()} == states:
                return
            time.sleep(0.05)
        raise SystemExit(f"{app}'s dynos never were {states}")

    def idle_eco_apps(self) -> None:
        """Every eco app asleep: the idle timeout at 1 s until they are, then 30 min again."""
        self.api.patch("/platform", json={"idle_timeout": 1}).raise_for_status()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            listed = self.api.get("/apps").json()
            awake = [
                a["name"]
                for a in listed
                if a["name"] in self.names
                and int(a["name"][4:]) % 10 != 1
                and any(d["state"] != "idle" for d in a["dynos"])
            ]
            if not awake:
                break
            time.sleep(1)
        else:
            raise SystemExit(f"eco apps never went idle: {awake}")
        self.api.patch("/platform", json={"idle_timeout": 1800}).raise_for_status()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(call, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def reloads(fleet: Fleet, app: str, rounds: int) -> list[float]:
    """`ps:scale web=1` of an up app scaled to web=2: it returns once nginx no longer
    routes to web.2 (the dyno is stopped after), so its time is one dyno change's
    reload, with the API's own small part."""
    times = []
    for _ in range(rounds):
        fleet.api.patch(f"/apps/{app}/formation", json=["web=2"]).raise_for_status()
        fleet.wait_for_dynos(app, {"web.1": "up", "web.2": "up"})
        time.sleep(0.5)  # web.2's own reload, which follows its coming up, is over
        started = time.perf_counter()
        fleet.api.patch(f"/apps/{app}/formation", json=["web=1"]).raise_for_status()
        times.append(time.perf_counter() - started)
        fleet.wait_for_dynos(app, {"web.1": "up"})
    return times


def route_changes(fleet: Fleet, app: str, rounds: int) -> list[float]:
    """`maintenance:on` and `:off` of one app: a change of the routes' shape, which nginx
    checks (`nginx -t`) before it reloads."""
    times = []
    for on in [True, False] * rounds:
        started = time.perf_counter()
        fleet.api.patch(f"/apps/{app}/settings", json={"maintenance": on}).raise_for_status()
        times.append(time.perf_counter() - started)
    return times


def api_latencies(fleet: Fleet, up_app: str, config_app: str, rounds: int) -> dict[str, list[float]]:
    counter = iter(range(10**6))

    def config_set() -> None:
        with fleet.api.stream("PATCH", f"/apps/{config_app}/config", json={"BENCH": str(next(counter))}) as r:
            r.read()
            r.raise_for_status()

    return {
        "apps": timed(lambda: fleet.api.get("/apps").raise_for_status(), rounds),
        "ps": timed(lambda: fleet.api.get(f"/apps/{up_app}/dynos").raise_for_status(), rounds),
        "config:set": timed(config_set, rounds),
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def nginx_rss_mb(server: Server) -> float:
    """nginx's master and workers together."""
    master = int((server.home / "router" / "nginx.pid").read_text())
    total = rss_mb(master)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                total += rss_mb(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def idle_cost(server: Server, seconds: float) -> tuple[float, float, float]:
    """CPU (% of one core) and memory (MB) of the control plane over `seconds` with no
    request, and nginx's memory."""
    pid = server.process.pid
    before, started = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    cpu = (cpu_seconds(pid) - before) / (time.monotonic() - started) * 100
    return cpu, rss_mb(pid), nginx_rss_mb(server)


def first_byte(url: str, host: str | None = None) -> float:
    started = time.monotonic()
    with httpx.stream("GET", url, headers={"Host": host} if host else {}, timeout=90) as response:
        next(response.iter_raw(1))
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return time.monotonic() - started


def web_container(engine: docker.DockerClient, server: Server, app: str):
    found = engine.containers.list(
        all=True,
        filters={
            "label": [f"minidyno.home={server.home.resolve()}", f"minidyno.app={app}", "minidyno.process=web"]
        },
    )
    return found[0]


def wake_vs_start(fleet: Fleet, engine: docker.DockerClient, app: str) -> tuple[float, float]:
    """Its kept, stopped container started straight with the SDK (the app stays asleep
    to the platform, which routes nothing to it), then the same app woken by a request."""
    server = fleet.server
    container = web_container(engine, server, app)
    started = time.monotonic()
    container.start()
    container.reload()
    ip = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    wait_for_body(f"http://{ip}:5000/", "Hello", timeout=60)
    floor = time.monotonic() - started
    container.stop(timeout=5)
    wake = first_byte(f"http://127.0.0.1:{server.router_port}/", f"{app}.localhost")
    return wake, floor


def redeploy(fleet: Fleet, app: str, round_: int) -> float:
    """A code-only push of `app` to the first answer through the router that shows it."""
    marker = f"release {round_}"
    (fleet.src / "app.py").write_text(APP.replace("first", marker))
    fleet.server.commit(fleet.src, marker)
    started = time.monotonic()
    fleet.push(app)
    wait_for_body(f"http://127.0.0.1:{fleet.server.router_port}/", marker, {"Host": f"{app}.localhost"})
    return time.monotonic() - started


def router_vs_direct(engine: docker.DockerClient, fleet: Fleet, app: str, rounds: int) -> tuple[float, float]:
    container = web_container(engine, fleet.server, app)
    ip = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    direct_url, router_url = f"http://{ip}:5000/", f"http://127.0.0.1:{fleet.server.router_port}/"
    wrk(direct_url, 16, 1)
    direct, routed = [], []
    for _ in range(rounds):
        direct.append(wrk(direct_url, 16, 3)["rps"])
        routed.append(wrk(router_url, 16, 3, host=f"{app}.localhost")["rps"])
    return statistics.median(routed), statistics.median(direct)


def source(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(REPO / "sample", src)
    (src / "app.py").write_text(APP)
    (src / "Procfile").write_text(PROCFILE)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=src, check=True)
    return src


def measure(fleet: Fleet, engine: docker.DockerClient, args: argparse.Namespace, n: int) -> dict[str, float]:
    up, sleeper = fleet.names[0], fleet.names[1]
    fleet.idle_eco_apps()
    figures: dict[str, float] = {}
    cpu, memory, nginx_memory = idle_cost(fleet.server, args.idle_seconds)
    figures.update({"idle CPU %": cpu, "idle memory MB": memory, "nginx memory MB": nginx_memory})
    times = reloads(fleet, up, args.rounds // 2)
    figures.update(
        {"reload p50 ms": statistics.median(times) * 1000, "reload p95 ms": percentile(times, 95) * 1000}
    )
    figures["route change p95 ms"] = percentile(route_changes(fleet, up, args.rounds // 2), 95) * 1000
    for verb, seconds in api_latencies(fleet, up, "config-only", args.rounds).items():
        figures[f"{verb} p95 ms"] = percentile(seconds, 95) * 1000
    wakes = []
    for _ in range(args.wakes):
        fleet.idle_eco_apps()
        wakes.append(wake_vs_start(fleet, engine, sleeper))
    figures["wake s"] = statistics.median(w for w, _ in wakes)
    figures["docker start s"] = statistics.median(f for _, f in wakes)
    figures["wake ratio"] = figures["wake s"] / figures["docker start s"]
    figures["redeploy s"] = statistics.median(redeploy(fleet, up, n * 100 + r) for r in range(args.redeploys))
    routed, direct = router_vs_direct(engine, fleet, up, 3)
    figures.update({"router rps": routed, "direct rps": direct, "router/direct": routed / direct})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100", help="the Ns, ascending, comma-separated")
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=20, help="timed calls per API figure")
    parser.add_argument("--wakes", type=int, default=3)
    parser.add_argument("--redeploys", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("bench/apps needs wrk: apt-get install wrk")
    engine = docker.from_env()
    table: dict[int, dict[str, float]] = {}
    with throwaway_server() as (server, tmp):
        fleet = Fleet(server, source(tmp))
        fleet.server.commit(fleet.src, "first")
        fleet.api.post("/apps", json={"name": "config-only"}).raise_for_status()
        fleet.push("config-only")
        fleet.api.patch("/apps/config-only/formation", json=["web=0"]).raise_for_status()
        fleet.add(1)
        alone = statistics.median(redeploy(fleet, fleet.names[0], r) for r in range(args.redeploys))
        print(f"N=1: code-only redeploy {alone:.2f} s", flush=True)
        for n in sizes:
            started = time.monotonic()
            for index in range(len(fleet.names) + 1, n + 1):
                fleet.add(index)
            print(f"N={n}: {n} apps deployed ({time.monotonic() - started:.0f} s to add them)", flush=True)
            table[n] = measure(fleet, engine, args, n)
            table[n]["redeploy ratio"] = table[n]["redeploy s"] / alone
            print(f"N={n}: " + ", ".join(f"{k} {v:.3g}" for k, v in table[n].items()), flush=True)
    print_table(table)


def print_table(table: dict[int, dict[str, float]]) -> None:
    sizes = sorted(table)
    first, last = sizes[0], sizes[-1]
    print(
        f"\n{'figure':18}" + "".join(f"{'N=' + str(n):>10}" for n in sizes) + f"{'growth':>10}  goal at N=100"
    )
    for key, goal in GOALS.items():
        row = [table[n][key] for n in sizes]
        growth = row[-1] / row[0] if row[0] else float("nan")
        print(f"{key:18}" + "".join(f"{v:>10.3g}" for v in row) + f"{growth:>9.2f}x  {goal}")
    print(f"(growth is N={last} over N={first}; the apps grew {last / first:.0f}x)")


GOALS = {
    "reload p50 ms": "",
    "reload p95 ms": "<= 200",
    "route change p95 ms": "",
    "apps p95 ms": "<= 50",
    "ps p95 ms": "<= 50",
    "config:set p95 ms": "<= 50",
    "idle CPU %": "<= 3",
    "idle memory MB": "<= 250",
    "nginx memory MB": "",
    "wake s": "",
    "docker start s": "",
    "wake ratio": "<= 1.2",
    "redeploy s": "",
    "redeploy ratio": "<= 1.2",
    "router rps": "",
    "direct rps": "",
    "router/direct": ">= 0.90",
}


if __name__ == "__main__":
    main()
