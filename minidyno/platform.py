"""The composition root: one object holding settings, state, the engine, the runtime
and the router, handed to the API as a dependency instead of living in globals."""

from __future__ import annotations

import threading
from collections import defaultdict

import docker

from minidyno import engine
from minidyno.router.nginx import NginxRouter
from minidyno.router.routes import AppRoute, route_for
from minidyno.runtime.dynos import DockerRuntime
from minidyno.settings import Settings
from minidyno.state import apps, releases
from minidyno.state.db import Database


class Platform:
    def __init__(self, settings: Settings, docker_engine: docker.DockerClient | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.db_path)
        self.engine = docker_engine or engine.client()
        self.runtime = DockerRuntime(settings, self.engine)
        self.router = NginxRouter(settings)
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()

    def app_lock(self, app: str) -> threading.Lock:
        """Serialises pushes and other changes to one app; different apps go on at once."""
        with self._locks_guard:
            return self._locks[app]

    def routes(self) -> list[AppRoute]:
        """Each app's running web dynos of its current release: a pure function of the
        state and of Docker, so a restarted server routes exactly as before."""
        with self.db.connect() as conn:
            current = {a.name: releases.current(conn, a.name) for a in apps.all_apps(conn)}
        upstreams: dict[str, list[str]] = {name: [] for name in current}
        for dyno in self.runtime.dynos():
            release = current.get(dyno.app)
            if (release and dyno.release == release.version and dyno.process_type == "web"
                    and dyno.running and dyno.address):
                upstreams[dyno.app].append(dyno.address)
        return [route_for(app, self.settings.domain, ups) for app, ups in upstreams.items()]

    def sync_router(self) -> None:
        self.router.apply(self.routes())
