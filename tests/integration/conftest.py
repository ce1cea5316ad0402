"""Integration tests run against a real Docker engine, git and nginx. They fail, not
skip, when Docker is missing: `./dev test` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.integration.platform_fixture import Server, make_server, remove_everything


@pytest.fixture(scope="session", autouse=True)
def docker_engine() -> docker.DockerClient:
    try:
        engine = docker.from_env()
        engine.ping()
    except docker.errors.DockerException as exc:
        pytest.fail(
            f"the integration tests need a running Docker engine ({exc}); run ./dev test", pytrace=False
        )
    return engine


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """A started server of its own; `@pytest.mark.server_env(NAME="value")` adds
    settings to its environment."""
    server = make_server(tmp_path)
    marker = request.node.get_closest_marker("server_env")
    if marker:
        server.env.update(marker.kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        remove_everything(server)
