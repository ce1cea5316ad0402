"""Fault: dockerd restarted under a running platform. The dynos come back and are taken
on again, each once: with live-restore (as ./dev starts dockerd) the very containers
that ran, their logs still flowing; without it, the containers dockerd stopped are
replaced. The database, restarted by its policy, keeps its rows."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import docker

from tests import machine
from tests.integration.platform_fixture import Server, logs, ps, wait_for

TICKER = """\
import itertools
import time

for i in itertools.count():
    print(f"tick {i}", flush=True)
    time.sleep(0.5)
"""


def restart_dockerd(engine: docker.DockerClient) -> None:
    """Stop dockerd and start it again the way it was started: systemd's unit, or the
    same command line (./dev's); with the machine alone, as no other test's server
    could do its work meanwhile."""
    with machine.alone():
        _restart(engine)


def _restart(engine: docker.DockerClient) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if (
        shutil.which("systemctl")
        and subprocess.run(["systemctl", "is-active", "--quiet", "docker"]).returncode == 0
    ):
        subprocess.run([*sudo, "systemctl", "restart", "docker"], check=True, timeout=120)
    else:
        pid = int(subprocess.check_output(["pgrep", "-xo", "dockerd"]))
        argv = [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
        subprocess.run([*sudo, "kill", "-TERM", str(pid)], check=True)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 60, 0.1)
        log = Path("/var/log/minidyno-dockerd.log")
        with open(log if os.access(log, os.W_OK) else os.devnull, "ab") as out:
            subprocess.Popen(
                [*sudo, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def answers() -> bool:
        with contextlib.suppress(Exception):
            return engine.ping()
        return False

    wait_for(answers, 60, 0.2)


def dyno_containers(engine: docker.DockerClient, server: Server) -> dict[str, str] | None:
    """The running web and worker containers by dyno name; None while a name has two (a
    rollout's old dyno still stopping beside its successor)."""
    found = engine.containers.list(
        filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=steady"]},
        ignore_removed=True,
    )
    dynos = [
        (c.labels["minidyno.dyno"], c.id) for c in found if c.labels["minidyno.process"] in ("web", "worker")
    ]
    by_name = dict(dynos)
    return by_name if len(by_name) == len(dynos) else None


def last_tick(server: Server) -> int:
    ticks = re.findall(r"app\[worker\.1\]: tick (\d+)", logs(server, "steady"))
    return int(ticks[-1]) if ticks else -1


def test_dynos_come_back_and_are_adopted_once_after_dockerd_restarts(
    server: Server, tmp_path: Path, docker_engine: docker.DockerClient
):
    server.cli("apps:create", "steady")
    server.push(
        server.app_source(
            tmp_path,
            "steady",
            {
                "ticker.py": TICKER,
                "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: python ticker.py\n",
            },
        )
    )
    server.cli("ps:scale", "worker=1", "-a", "steady")
    server.cli("addons:create", "postgres", "-a", "steady")
    server.cli("pg:psql", "-a", "steady", "-c", "CREATE TABLE kept AS SELECT 7 AS seven")
    assert wait_for(lambda: last_tick(server) >= 0, 30)
    # The add-on's release rolled the dynos; its old ones stop in the background.
    assert wait_for(
        lambda: (dyno_containers(docker_engine, server) or {}).keys() == {"web.1", "worker.1"}, 60
    )
    before = dyno_containers(docker_engine, server)
    live_restore = docker_engine.info()["LiveRestoreEnabled"]

    restart_dockerd(docker_engine)
    tick = last_tick(server)

    assert wait_for(lambda: server.router_get("steady", timeout=5).status_code == 200, 60)
    assert wait_for(lambda: {d["state"] for d in ps(server, "steady").values()} == {"up"}, 60)
    assert set(ps(server, "steady")) == {"web.1", "worker.1"}
    after = dyno_containers(docker_engine, server)
    assert after is not None and set(after) == {"web.1", "worker.1"}
    if live_restore:
        assert after == before, logs(server, "steady", source="minidyno")
    # The worker's output still reaches `minidyno logs`, through a new stream.
    assert wait_for(lambda: last_tick(server) > tick + 2, 30)
    assert wait_for(
        lambda: re.search(
            r"^\s+7$",
            server.cli("pg:psql", "-a", "steady", "-c", "SELECT seven FROM kept", check=False).stdout,
            re.M,
        ),
        60,
        1,
    )
    time.sleep(3)  # a few reconcile passes: nothing is started twice
    assert dyno_containers(docker_engine, server) == after
