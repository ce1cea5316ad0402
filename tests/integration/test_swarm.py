"""The swarm runtime's own cases; the rest of the integration suite runs on it too
(tests marked `both_runtimes`, on this worker's single-node swarm)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import swarm_nodes
from tests.integration.platform_fixture import Server, deployed, logs, make_server, wait_for


def test_a_swarm_that_cannot_be_initialised_stops_the_server_with_what_to_change(tmp_path: Path):
    """An engine with --live-restore (as ./dev starts the host's), which Swarm refuses:
    the server says so in one line and starts nothing."""
    nodes = swarm_nodes.Nodes(swarm_nodes.worker_group() + 100)
    try:
        node = nodes.up("--live-restore")
        server = make_server(tmp_path)
        server.env.update(DOCKER_HOST=node.socket, MINIDYNO_RUNTIME="swarm")
        started = subprocess.run(
            [sys.executable, "-m", "minidyno", "server"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode != 0
        said = started.stderr.strip().splitlines()[-1]
        assert said.startswith("minidyno server: Docker refused to initialise a swarm: ")
        assert "live-restore" in said and "restart dockerd without --live-restore" in said
        assert node.client().info()["Swarm"]["LocalNodeState"] == "inactive"
    finally:
        nodes.down()


@pytest.mark.parametrize("runtime", ["swarm"], indirect=True)
@pytest.mark.xdist_group("swarm")
@pytest.mark.long
def test_a_push_while_the_registry_is_down_is_rejected_and_the_old_release_serves(
    server: Server, tmp_path: Path
):
    src = deployed(server, tmp_path, "pinned")
    engine = server.engine()
    own = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=registry"]}
    (registry,) = engine.services.list(filters=own)
    registry.scale(0)
    wait_for(lambda: not engine.containers.list(filters=own))
    (src / "app.py").write_text((src / "app.py").read_text().replace("Hello", "Unreleased"))
    server.commit(src, "A change the nodes could not pull")

    push = server.push(src, check=False)

    assert push.returncode != 0
    said = next(line for line in push.stderr.splitlines() if "registry" in line)
    assert "the swarm's registry at" in said and "did not take" in said, push.stderr
    assert server.router_get("pinned").text.startswith("Hello")
    assert "failed" in server.cli("releases", "-a", "pinned").stdout.splitlines()[1]
    assert "Release v2 failed" in logs(server, "pinned")
