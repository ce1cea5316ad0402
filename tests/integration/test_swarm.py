"""The swarm runtime's own cases; the rest of the integration suite runs on it too
(tests marked `both_runtimes`, on this worker's single-node swarm)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import swarm_nodes
from tests.integration.platform_fixture import make_server


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
