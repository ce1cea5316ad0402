"""Finding 7 (releases): a server killed in the middle of a release came back serving
the release that never succeeded, because it adopted the newest dyno of each name. The
server is SIGKILLed here during the release phase and during the new dynos' boot; what
serves afterwards is the last release that succeeded, and the interrupted one is failed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, wait_for

SLOW_RELEASE = "web: gunicorn app:app --bind 0.0.0.0:$PORT\nrelease: sleep 600\n"
SLOW_BOOT = "web: sleep 600 && gunicorn app:app --bind 0.0.0.0:$PORT\n"


@pytest.mark.parametrize(
    ("procfile", "step"),
    [
        (SLOW_RELEASE, "Running release command"),
        (SLOW_BOOT, "Launching..."),
    ],
)
def test_a_server_killed_mid_release_serves_the_last_good_one(
    server: Server, tmp_path: Path, docker_engine, procfile: str, step: str
):
    server.cli("apps:create", "steady")
    src = server.app_source(tmp_path, "steady")
    server.push(src)
    app_py = src / "app.py"
    app_py.write_text(app_py.read_text().replace("Hello from minidyno", "Never released"))
    (src / "Procfile").write_text(procfile)
    server.commit(src, "A release that will be interrupted")
    push = subprocess.Popen(
        ["git", "push", "minidyno", "main"],
        cwd=src,
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in push.stdout:
        if step in line:
            break
    scope = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=steady"]}
    # The step is under way once a container of v2 exists (its release phase, or its dyno).
    assert wait_for(
        lambda: any(
            c.labels.get("minidyno.release") == "2"
            for c in docker_engine.containers.list(all=True, filters=scope, ignore_removed=True)
        ),
        30,
        0.05,
    )
    server.process.kill()  # SIGKILL: nothing is cleaned up on the way out
    server.process.wait()
    push.kill()
    push.wait()

    server.start()

    assert "Hello from minidyno" in server.router_get("steady").text
    history = server.cli("releases", "-a", "steady").stdout.splitlines()
    assert "failed" in history[1] and "v2" in history[1]
    assert wait_for(
        lambda: (
            {
                c.labels["minidyno.release"]
                for c in docker_engine.containers.list(all=True, filters=scope, ignore_removed=True)
                if "minidyno.release" in c.labels
            }
            == {"1"}
        ),
        30,
    )
    assert "Hello from minidyno" in server.router_get("steady").text
