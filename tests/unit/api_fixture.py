"""The API on a real Platform (its own home and state) through FastAPI's TestClient,
with an engine at an address nobody serves: what it answers must be decided without
Docker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
from fastapi.testclient import TestClient

from minidyno.api.app import create_app
from minidyno.platform import Platform
from minidyno.settings import Settings
from minidyno.state import apps


@dataclass
class Api:
    client: TestClient
    platform: Platform

    def call(self, method: str, path: str, **kwargs) -> tuple[int, object]:
        response = self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
        )
        return response.status_code, response.json()

    def stream(self, method: str, path: str, **kwargs) -> dict:
        """The last event of a streamed answer: `{"ok": …}` or `{"error": …}`."""
        response = self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
        )
        return json.loads(response.text.strip().splitlines()[-1])

    @property
    def token(self) -> str:
        return self.platform.settings.token_path.read_text().strip()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    home = tmp_path / "home"
    home.mkdir()
    # An engine at an address nobody serves: these paths must decide without it.
    nowhere = docker.DockerClient(base_url=f"unix://{tmp_path}/no-docker.sock", version="1.45")
    platform = Platform(Settings(home=home), nowhere)
    with platform.db.connect() as conn:
        apps.create(conn, "shop")
    with TestClient(create_app(platform)) as client:
        yield Api(client, platform)
