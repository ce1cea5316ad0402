"""The security tests use the integration tests' real server and engine where a finding
needs one (a router, a dyno); the rest are pure logic. The engine fixture is not autouse
here, so those need no Docker."""

import docker
import pytest

from tests.integration.conftest import runtime, server  # noqa: F401 - fixtures, used by name


@pytest.fixture(scope="session")
def docker_engine() -> docker.DockerClient:
    return docker.from_env()
