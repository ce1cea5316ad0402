"""Integration tests run against a real Docker engine, git and nginx. They fail, not
skip, when Docker is missing: `./dev test` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from minidyno.settings import Settings
from minidyno.stacks import registry
from tests import swarm_nodes
from tests.integration.platform_fixture import Server, free_port, make_server, remove_everything


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_runtimes` run twice: on the Docker runtime and on a swarm,
    the swarm's all on one worker, whose one node they share."""
    if metafunc.definition.get_closest_marker("both_runtimes"):
        # `long`: together they take minutes on one worker, so they start first.
        swarm = pytest.param("swarm", marks=[pytest.mark.xdist_group("swarm"), pytest.mark.long])
        metafunc.parametrize("runtime", ["docker", swarm], indirect=True)


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


@pytest.fixture(scope="session")
def swarm_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[swarm_nodes.Node]:
    """A single-node swarm's engine for this worker (tests/swarm_nodes.py), holding the
    stack images and the registry's; the first server on it initialises the swarm, as a
    user's would. The registry's image is built here, not by that server's start, which
    a test waits on for 30 s (its apt install took longer in a full run)."""
    nodes = swarm_nodes.Nodes(swarm_nodes.worker_group())
    try:
        node = nodes.up(*swarm_nodes.INSECURE_REGISTRIES)
        nodes.load(node, swarm_nodes.STACK_IMAGES)
        registry.RECIPE.ensure(
            node.client(), Settings(home=tmp_path_factory.mktemp("registry")), lambda _: None
        )
        yield node
    finally:
        nodes.down()


@pytest.fixture
def runtime(request: pytest.FixtureRequest) -> str:
    """MINIDYNO_RUNTIME of the test's server: `docker` unless the test runs on both."""
    return getattr(request, "param", "docker")


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest, runtime: str) -> Iterator[Server]:
    """A started server of its own; `@pytest.mark.server_env(NAME="value")` adds
    settings to its environment. On the swarm runtime its engine is this worker's
    swarm node's."""
    server = make_server(tmp_path)
    if runtime == "swarm":
        node = request.getfixturevalue("swarm_node")
        server.env.update(
            DOCKER_HOST=node.socket,
            MINIDYNO_RUNTIME="swarm",
            MINIDYNO_SWARM_ADVERTISE_ADDR=node.address,
            MINIDYNO_SWARM_REGISTRY_PORT=str(free_port()),
        )
    marker = request.node.get_closest_marker("server_env")
    if marker:
        server.env.update(marker.kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        remove_everything(server)
