"""bench/addons: `addons:create` of each add-on with a server of its own (Postgres, Key-
Value Store) to its first successful use, beside a plain `docker run` of the same image
to its first use, in one run. Heroku Scheduler has no server, so nothing to time here.

minidyno's figure includes the CLI and attaching (a release that restarts the app's web
dyno), as on Heroku the app cannot use the add-on before its URL reaches it; the part
from create to the server's first answer (as `addons:create` reports it) is shown
beside it. First use: a query on Postgres (through its port on 127.0.0.1), a PING over
TLS on the Key-Value Store (valkey-cli in its container, the store publishing no port).
Goal (issue 17): within 1.5x.
Run: .venv/bin/python bench/addons.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker
import psycopg2
from common import throwaway_server
from docker.models.containers import Container

from minidyno.certs import CertificateAuthority
from minidyno.settings import Settings
from minidyno.stacks import postgres, valkey
from minidyno.stacks.service_image import tls_archive

PASSWORD = "y" * 24


def until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("no first use in time")
        time.sleep(0.02)


def queried(url: str) -> bool:
    try:
        with contextlib.closing(psycopg2.connect(url, connect_timeout=2)) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
            return True
    except psycopg2.OperationalError:
        return False


def ponged(container: Container, password: str) -> bool:
    code, out = container.exec_run(
        ["valkey-cli", "--tls", "--insecure", "--no-auth-warning", "PING"],
        environment={"REDISCLI_AUTH": password},
    )
    return code == 0 and out.strip() == b"PONG"


def published(container: Container) -> str:
    container.reload()
    return container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"]


#: Per add-on: its image, the plain run's settings, and its first use.
KINDS = {
    "postgres": (
        postgres,
        {
            "environment": {
                "MINIDYNO_SUPERUSER_PASSWORD": "x" * 24,
                "MINIDYNO_USER": "bench",
                "MINIDYNO_PASSWORD": PASSWORD,
                "MINIDYNO_DATABASE": "bench",
            },
            "ports": {"5432/tcp": ("127.0.0.1", None)},
        },
        lambda c, url: queried(url.replace(re.search(r"@([^/]+)/", url)[1], f"127.0.0.1:{published(c)}")),
    ),
    "heroku-redis": (
        valkey,
        {
            "environment": {
                "MINIDYNO_PASSWORD": PASSWORD,
                "MINIDYNO_MAXMEMORY": "25mb",
                "MINIDYNO_MAXCLIENTS": "20",
            }
        },
        lambda c, url: ponged(c, url.split(":")[2].split("@")[0]),
    ),
}


def plain_run(engine: docker.DockerClient, kind: str, tls: bytes) -> float:
    """The same image by hand: create, hand it its certificate, start, first use."""
    image, options, _ = KINDS[kind]
    started = time.monotonic()
    container = engine.containers.create(image.IMAGE, detach=True, **options)
    try:
        container.put_archive(image.TLS_DIR, tls)
        container.start()
        if kind == "postgres":
            until(lambda: queried(f"postgres://bench:{PASSWORD}@127.0.0.1:{published(container)}/bench"))
        else:
            until(lambda: ponged(container, PASSWORD))
        return time.monotonic() - started
    finally:
        container.remove(force=True, v=True)


def through_minidyno(engine: docker.DockerClient, server, app: str, kind: str) -> tuple[float, float]:
    """Seconds to first use, and the server's own part of them (create to ready)."""
    _, _, used = KINDS[kind]
    started = time.monotonic()
    done = server.cli("addons:create", kind, "-a", app)
    created = done.stdout + done.stderr
    name, var = re.search(r"Created (\S+) as (\S+)", created).groups()
    ready = float(re.search(r"is ready \(\D+ after ([\d.]+) s\)", created)[1])
    # The app has its URL in its environment; asked of the API here, not the CLI.
    url = server.api("GET", f"/apps/{app}/config").json()[var]
    container = next(
        c
        for c in engine.containers.list(filters={"label": f"minidyno.home={server.home.resolve()}"})
        if c.name.endswith(f"-{name}")
    )
    until(lambda: used(container, url))
    return time.monotonic() - started, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = docker.from_env()
    for image, _, _ in KINDS.values():
        image.RECIPE.ensure(engine, Settings.from_env(), print)
    tls = tls_archive(*CertificateAuthority(Path(tempfile.mkdtemp())).issue(("localhost", "127.0.0.1")))
    times: dict[str, tuple[list[float], list[float], list[float]]] = {kind: ([], [], []) for kind in KINDS}
    with throwaway_server() as (server, tmp):
        for n in range(args.rounds):
            app = f"bench{n}"
            server.cli("apps:create", app)
            server.push(server.app_source(tmp, app))
            for kind, (ours, servers, floors) in times.items():
                total, ready = through_minidyno(engine, server, app, kind)
                ours.append(total)
                servers.append(ready)
                floors.append(plain_run(engine, kind, tls))
    for kind, (ours, servers, floors) in times.items():
        floor = statistics.median(floors)
        for label, runs in (
            (f"addons:create {kind} to first use", ours),
            ("  of which create to the server's answer", servers),
            ("docker run of its image to first use", floors),
        ):
            listed = ", ".join(f"{x:.2f}" for x in runs)
            print(f"{label:44}{statistics.median(runs):>7.2f}s  (runs: {listed})")
        print(
            f"ratio {statistics.median(ours) / floor:.2f}x in all, "
            f"{statistics.median(servers) / floor:.2f}x the server's part (goal: <= 1.5x)\n"
        )


if __name__ == "__main__":
    main()
