"""The composition root: builds every part with the narrow collaborators it uses
(state, the engine, the dyno driver, the log bus, the router, the add-ons) and holds
them for the API, which gets this as a dependency instead of globals. No part below
imports it back."""

from __future__ import annotations

import logging
import threading
import time

import docker

from minidyno import engine, standby
from minidyno.addons.attachments import Addons
from minidyno.addons.backups import Backups
from minidyno.addons.keyvalue import KeyValueService
from minidyno.addons.postgres import PostgresService
from minidyno.addons.row_limit import RowLimitWatcher
from minidyno.addons.scheduler import Scheduler
from minidyno.addons.service_container import ServiceContainers
from minidyno.addons.swarm_services import SwarmServiceContainers
from minidyno.certs import CertificateAuthority
from minidyno.doctor.doctor import Doctor
from minidyno.logs.bus import LogBus
from minidyno.metrics.collector import Metrics
from minidyno.progress import Say
from minidyno.release import phase
from minidyno.release.changes import ConfigChanges
from minidyno.release.deploy import Deployer
from minidyno.release.releasing import Releaser
from minidyno.router.access_log import AccessLogFollower, RouterRequest, heroku_line
from minidyno.router.activator import Activator
from minidyno.router.nginx import NginxRouter
from minidyno.router.routes import AppRoute, route_for
from minidyno.runtime import swarm_cluster
from minidyno.runtime.cycling import Cycler
from minidyno.runtime.dynos import DockerRuntime
from minidyno.runtime.eco_hours import EcoHours
from minidyno.runtime.idling import Idler
from minidyno.runtime.locks import AppLocks
from minidyno.runtime.scale import Scaler
from minidyno.runtime.sleep import SleepingApps
from minidyno.runtime.supervisor import Supervisor
from minidyno.runtime.swarm_dynos import SwarmRuntime
from minidyno.settings import Settings
from minidyno.state import apps, domains, releases
from minidyno.state.db import Database

log = logging.getLogger("minidyno.platform")


class Platform:
    def __init__(self, settings: Settings, docker_engine: docker.DockerClient | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.db_path)
        self.engine = docker_engine or engine.client()
        self.logs = LogBus(settings.logs_dir / "apps")
        self.runtime = (
            SwarmRuntime(settings, self.engine)
            if settings.runtime == "swarm"
            else DockerRuntime(settings, self.engine)
        )
        #: minidyno's own CA: the router's and the databases' certificates come from it.
        self.ca = CertificateAuthority(settings.ca_dir)
        self.router = NginxRouter(settings, self.ca)
        self.access_log = AccessLogFollower(
            self.router.access_log, self._router_requests, self.router.reopen_logs
        )
        self._dyno_at: dict[str, str] = {}
        self.locks = AppLocks()
        self.sleeping = SleepingApps(self.db)
        self.supervisor = Supervisor(
            self.runtime, self.db, self.logs, self.sleeping, self.locks, settings, self.sync_router
        )
        self.cycler = Cycler(
            self.supervisor, self.runtime, self.db, self.logs, self.sleeping, self.locks, settings.dyno_cycle
        )
        self.idler = Idler(
            self.supervisor,
            self.runtime,
            self.db,
            self.logs,
            self.sleeping,
            self.locks,
            self.sync_router,
            stop_timeout=settings.stop_timeout,
            idle_timeout=settings.idle_timeout,
            came_up=self.cycler.came_up,
        )
        self.scaler = Scaler(
            self.supervisor,
            self.idler,
            self.runtime,
            self.db,
            self.logs,
            self.locks,
            max_per_type=settings.max_dynos_per_type,
        )
        self.eco_hours = EcoHours(
            self.runtime, self.db, self.idler, self.sleeping, self.locks, self.logs, settings.eco_hours
        )
        self.activator = Activator(
            self.idler, self.eco_hours.exhausted, self.dyno_at, settings.router_timeout
        )
        self.releaser = Releaser(
            self.db,
            self.logs,
            self.supervisor,
            self.sleeping,
            release_phase=lambda release, say: phase.run(
                self.runtime, self.logs, release, settings.release_timeout, say
            ),
        )
        self.config = ConfigChanges(self.releaser, self.db, self.locks)
        containers = (SwarmServiceContainers if settings.runtime == "swarm" else ServiceContainers)(
            self.engine, settings, self.ca, self.runtime.ensure_network
        )
        self.postgres = PostgresService(containers)
        self.keyvalue = KeyValueService(containers)
        self.scheduler = Scheduler(
            self.runtime, self.db, self.logs, settings.scheduler_minute, settings.stop_timeout
        )
        self.addons = Addons(
            [self.postgres, self.keyvalue, self.scheduler],
            self.db,
            self.locks,
            self.logs,
            release_config=lambda app, changes, say: self.config.change(app, changes, say, addon_change=True),
        )
        self.backups = Backups(self.postgres, settings.backups_dir, self.logs)
        self.row_limits = RowLimitWatcher(self.postgres, self.db, self.logs, settings.row_check_interval)
        self.deployer = Deployer(
            self.releaser,
            self.addons,
            self.scaler,
            self.runtime,
            self.engine,
            self.db,
            self.locks,
            self.logs,
            settings,
        )
        self.doctor = Doctor(self.engine, settings, self.runtime, self.postgres, self.locks, self.db)
        #: None when metrics are off (MINIDYNO_METRICS_INTERVAL=0).
        self.metrics = (
            Metrics(
                settings,
                self.runtime.dynos,
                self.runtime.usage,
                self.runtime.kill,
                self._app_names,
                self.logs,
            )
            if settings.metrics_interval
            else None
        )
        self._router_guard = threading.Lock()
        self._router_lock = threading.Lock()
        self._router_requested = 0
        self._router_applied = 0

    def start(self, say: Say) -> None:
        """Come up as the last server left things, even killed half way: what it left
        unfinished is undone or finished, what ran runs again, and only then do the
        supervisor and the watchers start. Dynos and nginx that outlived it are adopted,
        not restarted."""
        self.ca.ensure()
        if isinstance(self.runtime, SwarmRuntime):
            say(swarm_cluster.ensure(self.engine, self.settings))
            self.runtime.registry.ensure(say)
        elif not self.engine.info().get("LiveRestoreEnabled"):
            say(
                "Warning: dockerd runs without live-restore, so restarting it stops every "
                'dyno (minidyno starts them again); set "live-restore": true in '
                "/etc/docker/daemon.json, or start dockerd --live-restore as ./dev does"
            )
        # Builds and release phases whose releases never succeeded are dropped; the
        # releases before them keep serving.
        self.runtime.remove_labelled(process="build")
        self.runtime.remove_labelled(process="release")
        self.backups.remove_partial()
        self.doctor.remove_leftovers()
        with self.db.connect() as conn:
            interrupted = releases.fail_interrupted(conn)
        for app, version in interrupted:
            self.logs.platform(
                app, "api", f"Release v{version} failed: the server stopped before it finished"
            )
        if resumed := standby.resume(self.settings, self.engine):
            say(f"Resumed {resumed} containers stopped by `minidyno server:stop`")
        self.access_log.start()
        if self.metrics:
            self.metrics.start()
        self.supervisor.reconcile_all()
        self.sync_router()
        self.supervisor.start(
            before=[self._watch_router],
            after=[self.idler.idle_due, self.eco_hours.count, self.cycler.cycle_due],
        )
        self.addons.recover(log.info)
        self.row_limits.start()
        self.scheduler.start()

    def routes(self) -> list[AppRoute]:
        """Each app's web dynos that are up and not being retired: derived from Docker
        and the supervisor, so a restarted server routes exactly as before."""
        with self.db.connect() as conn:
            custom = domains.of_all(conn)
            known = {a.name: (a, custom.get(a.name, [])) for a in apps.all_apps(conn)}
        asleep = {name for name, (app, _) in known.items() if app.idle}
        upstreams: dict[str, list[str]] = {name: [] for name in known}
        for dyno in self.runtime.dynos():
            if dyno.address:
                self._dyno_at[dyno.address] = dyno.name
            if dyno.app in upstreams and self.supervisor.routable(dyno, asleep) and dyno.address:
                upstreams[dyno.app].append(dyno.address)
        return [
            route_for(name, self.settings.domain, upstreams[name], hostnames, maintenance=app.maintenance)
            for name, (app, hostnames) in known.items()
        ]

    def sync_router(self) -> None:
        """Make nginx route as the state says now; returns once it does. Callers that
        arrive while a reload runs share the next one, so ten dynos coming up at once
        cost one or two reloads, not ten."""
        with self._router_guard:
            self._router_requested += 1
            ticket = self._router_requested
        with self._router_lock:
            if self._router_applied >= ticket:
                return
            with self._router_guard:
                covered = self._router_requested
            self.router.apply(self.routes())
            self._router_applied = covered

    def _watch_router(self) -> None:
        """nginx killed from outside: start it again, and say so."""
        if self.router.pid() is None:
            log.warning("nginx (the router) was not running; starting it again")
            try:
                self.sync_router()
            except Exception:
                log.exception("could not restart nginx")

    def _app_names(self) -> set[str]:
        with self.db.connect() as conn:
            return {app.name for app in apps.all_apps(conn)}

    def dyno_at(self, address: str) -> str:
        """The dyno (`web.1`) listening at an `ip:port`, for router log lines."""
        return self._dyno_at.get(address, "")

    def _router_requests(self, requests: list[RouterRequest]) -> None:
        """What nginx served: router lines on each app's log, and the time of each
        app's last request (what idling counts from)."""
        lines: dict[str, list[str]] = {}
        for request in requests:
            dyno = request.dyno or self.dyno_at(request.upstream)
            lines.setdefault(request.app, []).append(heroku_line(request, dyno))
        if self.metrics:
            self.metrics.count(requests)
        now = time.time()
        for app, app_lines in lines.items():
            self.idler.requested(app, now)
            self.logs.emit_many(app, "minidyno", "router", app_lines)
