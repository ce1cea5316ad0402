"""docker-compose.yml: minidyno's own server in a container built from the repo's
Dockerfile (on the local stack, as no registry answers here), driving the host's Docker.
A push to it serves through its router, and `down` then `up` keeps the app, its config
vars and its database."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import pytest

from minidyno.compile.docker_build import host_extra_ca
from minidyno.settings import Settings
from tests.integration.platform_fixture import REPO, Server, free_port, make_server, remove_labelled


def compose_command() -> list[str]:
    """Debian's docker-compose, or the compose plugin of a newer Docker client."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    pytest.fail(
        "neither docker-compose nor `docker compose` is installed; ./dev test installs "
        "Debian's docker-compose",
        pytrace=False,
    )


class Compose:
    """One compose project of its own: its name, ports and home inside the container."""

    def __init__(self, tmp: Path) -> None:
        self.project = f"minidyno-test-{secrets.token_hex(4)}"
        self.home = f"/var/lib/{self.project}"
        self.cli = make_server(tmp)
        self.cli.api_port, self.cli.router_port = free_port(), free_port()
        self.env = {
            **self.cli.env,
            "COMPOSE_PROJECT_NAME": self.project,
            "MINIDYNO_BASE_IMAGE": "minidyno/stack:trixie-build",
            "MINIDYNO_CA_CERT": host_extra_ca(Settings.from_env()),
            "MINIDYNO_HOME_IN_CONTAINER": self.home,
            "MINIDYNO_API_PORT": str(self.cli.api_port),
            "MINIDYNO_ROUTER_PORT": str(self.cli.router_port),
        }
        self.cli.env.update(
            MINIDYNO_API_PORT=str(self.cli.api_port), MINIDYNO_ROUTER_PORT=str(self.cli.router_port)
        )

    def __call__(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [*compose_command(), *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise AssertionError(f"compose {' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc

    def wait_until_up(self) -> None:
        if not self.cli.wait_for_health(60):
            raise AssertionError(f"the composed server did not answer: {self('logs').stdout[-3000:]}")

    def token(self) -> str:
        return self("exec", "-T", "minidyno", "cat", f"{self.home}/token").stdout.strip()


@pytest.fixture
def compose(tmp_path: Path) -> Iterator[Compose]:
    """The project, then its removal: its container, volume and image, the builder
    stage's image the build left, and every resource its server made."""
    engine = docker.from_env()
    dangling = {i.id for i in engine.images.list(filters={"dangling": True})}
    project = Compose(tmp_path)
    try:
        yield project
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            project("down", "--volumes", "--rmi", "local", timeout=120)
        remove_labelled(project.home)
        for image in engine.images.list(filters={"dangling": True}):
            if image.id not in dangling:
                with contextlib.suppress(docker.errors.APIError):
                    engine.images.remove(image.id)


def serves(cli: Server, app: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.TransportError):
            answer = cli.router_get(app)
            if answer.status_code == 200 or time.monotonic() > deadline:
                return answer.text
        time.sleep(0.2)


@pytest.mark.xdist_group("dangling-images")
@pytest.mark.long
def test_compose_runs_minidyno_and_keeps_everything_across_down_and_up(compose, tmp_path):
    compose("build")
    compose("up", "-d")
    compose.wait_until_up()
    cli = compose.cli
    cli.env["MINIDYNO_API_TOKEN"] = compose.token()

    cli.cli("apps:create", "sample")
    cli.cli("config:set", "GREETING=Composed", "-a", "sample")
    cli.cli("addons:create", "postgres", "-a", "sample")
    cli.cli(
        "pg:psql", "-a", "sample", "-c", "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"
    )
    src = cli.app_source(tmp_path, "sample")
    cli.push(src)
    assert serves(cli, "sample") == "Composed! This is web.1.\n"

    compose("down")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{cli.api_url}/health", timeout=1)
    compose("up", "-d")
    compose.wait_until_up()

    assert serves(cli, "sample") == "Composed! This is web.1.\n"
    assert cli.cli("config:get", "GREETING", "-a", "sample").stdout == "Composed\n"
    assert "still here" in cli.cli("pg:psql", "-a", "sample", "-c", "SELECT v FROM kept").stdout
    assert "Deploy" in cli.cli("releases", "-a", "sample").stdout
