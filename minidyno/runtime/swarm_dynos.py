"""The Swarm dyno driver (runtime/driver.py's DynoDriver), MINIDYNO_RUNTIME=swarm: each
dyno a Swarm service of one replica, on the app's overlay network, its $PORT published
in host mode on whichever node runs it; one-off and release-phase dynos are jobs.

Why a service per dyno and not one per process type with the formation as replicas:
with Swarm's restart policy off (minidyno's own backoff decides when a crashed dyno
comes back, as Heroku's cool-off does) a failed task's slot is never filled again, and
the only ways to start one slot again are Swarm's restart policy or a rolling update of
every slot. A service of one replica is started again, stopped (an idled dyno: scaled
to 0) and woken (scaled to 1) on its own. The dyno's name (`web.2`) is its labels', as
a container's is in the Docker runtime.

Swarm reports tasks, not containers: a dyno is its service's newest task, and the
engine's event stream carries no task events, so `events` polls the task list.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Iterator

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.types import (
    ContainerSpec,
    DriverConfig,
    EndpointSpec,
    NetworkAttachmentConfig,
    Resources,
    RestartPolicy,
    ServiceMode,
    TaskTemplate,
)
from requests.exceptions import RequestException

from minidyno import labels
from minidyno.errors import UserError
from minidyno.logs.bus import LogBus
from minidyno.logs.follow import follow, follow_logs, output
from minidyno.runtime.driver import Dyno, EngineDown, Output, TimedOut, killed_after
from minidyno.runtime.dynos import LOG_CONFIG, PIDS_LIMIT, DockerRuntime, engine_errors, engine_time, is_dyno
from minidyno.runtime.swarm_cluster import NodeAddresses
from minidyno.runtime.swarm_registry import SwarmRegistry
from minidyno.runtime.usage import Usage
from minidyno.settings import Settings
from minidyno.state.releases import Release

#: Task states after which a task never runs again.
_ENDED = frozenset({"complete", "failed", "shutdown", "rejected", "orphaned", "remove"})
#: States of a task that ended by itself (or never could start): any other one Swarm
#: wants shut down was stopped on a drained node, or left on a lost one.
_OWN_END = frozenset({"complete", "failed", "rejected"})
#: How long a new task may take to be scheduled and started (an image pulled, say).
_START_TIMEOUT = 120.0
#: How often `events` looks at the task list.
_POLL = 1.0


class _Task:
    """A dyno's service and its newest task, as the driver's handle on it."""

    def __init__(self, service: dict, task: dict | None) -> None:
        self.service = service
        self.task = task

    @property
    def service_id(self) -> str:
        return self.service["ID"]

    @property
    def state(self) -> str:
        return self.task["Status"]["State"] if self.task else "new"

    @property
    def ended(self) -> bool:
        return self.state in _ENDED

    @property
    def node_id(self) -> str:
        return (self.task or {}).get("NodeID", "")

    @property
    def container_id(self) -> str | None:
        status = (self.task or {}).get("Status", {}).get("ContainerStatus") or {}
        return status.get("ContainerID") or None


class SwarmRuntime(DockerRuntime):
    """Dynos as Swarm services. Builds and an interactive `run` stay containers on the
    manager, as in the Docker runtime, an interactive `run` joined to the app's overlay
    network (attachable) so it reaches the app's dynos; add-on servers are services
    pinned to the manager (addons/swarm_services.py)."""

    def __init__(self, settings: Settings, engine: docker.DockerClient) -> None:
        super().__init__(settings, engine)
        self.nodes = NodeAddresses(engine)
        self.registry = SwarmRegistry(engine, settings, self.nodes)
        #: The manager's own node: the one whose containers this engine holds.
        self._node_id: str | None = None
        self._network_lock = threading.Lock()

    # -- listing -----------------------------------------------------------------------

    def _services(self, app: str | None = None, **wanted: str) -> list[dict]:
        return self.engine.api.services(filters=labels.filters(self.settings, app, **wanted))

    def _newest_tasks(self, services: list[dict]) -> dict[str, dict]:
        """Each service's newest task, by service id: one call for all of them."""
        if not services:
            return {}
        newest: dict[str, dict] = {}
        for task in self.engine.api.tasks(filters={"service": [s["ID"] for s in services]}):
            held = newest.get(task["ServiceID"])
            if held is None or _created(task) > _created(held):
                newest[task["ServiceID"]] = task
        return newest

    def dynos(self, app: str | None = None) -> list[Dyno]:
        with engine_errors():
            services = [s for s in self._services(app) if _is_dyno(s)]
            newest = self._newest_tasks(services)
            return sorted(
                (self._as_dyno(_Task(s, newest.get(s["ID"]))) for s in services),
                key=lambda d: (d.app, d.process_type, d.name, d.release),
            )

    def _as_dyno(self, found: _Task, inspected: bool = False) -> Dyno:
        """Whether the kernel killed it for memory, or its node was lost, is asked of
        tasks inspected one by one, as the Docker runtime does, not of every listing's."""
        lab = found.service["Spec"]["Labels"]
        task = found.task or {}
        status = task.get("Status") or {}
        mode = found.service["Spec"].get("Mode", {})
        scaled_down = "Replicated" in mode and mode["Replicated"].get("Replicas", 1) == 0
        running = not found.ended and not scaled_down and task.get("DesiredState") != "shutdown"
        exit_code = None
        if found.ended or scaled_down:
            exit_code = (status.get("ContainerStatus") or {}).get("ExitCode")
            if exit_code is None and found.state in ("failed", "rejected"):
                exit_code = 1
        # Shut down by Swarm, neither ended by itself nor scaled down by minidyno: its
        # node was drained or lost.
        shut_down = task.get("DesiredState") == "shutdown" and found.state not in _OWN_END and not scaled_down
        return Dyno.labelled(
            lab,
            id=found.service_id,
            running=running,
            address=self._address(task) if running and found.state == "running" else None,
            command=lab.get(labels.COMMAND, ""),
            exit_code=exit_code,
            started_at=engine_time(status.get("Timestamp")) if found.state == "running" else None,
            oom_killed=inspected and found.state == "failed" and self._oom_killed(found),
            lost=self.nodes.lost(found.node_id) if inspected and shut_down and found.node_id else "",
            handle=found,
        )

    def _address(self, task: dict) -> str | None:
        """`node-address:port`: the host-mode port Swarm published for $PORT on the
        task's node (the ingress mesh and service VIPs are not used)."""
        ports = ((task.get("Status") or {}).get("PortStatus") or {}).get("Ports") or []
        if not ports or not task.get("NodeID"):
            return None
        try:
            return f"{self.nodes.of(task['NodeID'])}:{ports[0]['PublishedPort']}"
        except NotFound:
            return None  # its node was removed from the swarm meanwhile

    def _oom_killed(self, found: _Task) -> bool:
        """Only its node's engine knows, so only tasks on this manager say."""
        container = self._here(found)
        if not container:
            return False
        try:
            return bool(self.engine.api.inspect_container(container)["State"].get("OOMKilled"))
        except DockerException:
            return False

    def _reload(self, dyno: Dyno) -> _Task | None:
        try:
            return self._load(_task(dyno).service_id)
        except NotFound:
            return None

    def _load(self, service_id: str) -> _Task:
        """A service and its newest task, as the engine says now."""
        service = self.engine.api.inspect_service(service_id)
        return _Task(service, self._newest_tasks([service]).get(service["ID"]))

    # -- networks ----------------------------------------------------------------------

    def ensure_network(self, app: str) -> str:
        """The app's own overlay network, attachable so that the manager's containers
        (an interactive `run`) join it; its subnet comes from the
        swarm's address pool (swarm_cluster.ADDRESS_POOL when minidyno made it)."""
        name = labels.network_name(self.settings, app)
        with self._network_lock:
            if not self.engine.networks.list(names=[name]):
                self.engine.networks.create(
                    name,
                    driver="overlay",
                    scope="swarm",
                    attachable=True,
                    check_duplicate=True,
                    labels=labels.for_resource(self.settings, app, "network"),
                )
        return name

    # -- starting and stopping ---------------------------------------------------------

    def _create_service(
        self, release: Release, name: str, command: str, job: bool, process_type: str = ""
    ) -> str:
        """A service running one dyno (`spec`), the Docker runtime's limits on its task:
        memory at twice the quota, MINIDYNO_DYNO_CPUS cores, 256 processes, every
        capability dropped, an init; Swarm's restart policy off. API 1.41 services
        cannot set no-new-privileges; a dyno's user holds no setuid binary's privileges
        anyway, as every capability is dropped."""
        spec = self.spec(release, name, command, process_type)
        resources = Resources(
            cpu_limit=int(self.settings.dyno_cpus * 1e9), mem_limit=2 * self.settings.memory_quota_mb * 2**20
        )
        resources["Limits"]["Pids"] = PIDS_LIMIT
        template = TaskTemplate(
            ContainerSpec(
                self.registry.image_for(spec.image),
                # Cmd, not Entrypoint: an image's ENTRYPOINT stays, as in the Docker runtime.
                args=spec.command,
                env=spec.environment,
                workdir=spec.working_dir,
                user=spec.user or None,
                labels=spec.labels,
                stop_grace_period=int(self.settings.stop_timeout * 1e9),
                init=True,
                cap_drop=["ALL"],
            ),
            resources=resources,
            restart_policy=RestartPolicy(condition="none"),
            log_driver=DriverConfig(LOG_CONFIG["type"], LOG_CONFIG["config"]),
            networks=[NetworkAttachmentConfig(self.ensure_network(release.app))],
        )
        ports = [{"Protocol": "tcp", "TargetPort": spec.port, "PublishMode": "host"}] if spec.port else []
        created = self.engine.api.create_service(
            template,
            name=_service_name(self.settings, release, name),
            labels=spec.labels,
            mode=ServiceMode("replicated-job", concurrency=1, replicas=1)
            if job
            else ServiceMode("replicated", 1),
            endpoint_spec=EndpointSpec(mode="dnsrr", ports=ports),
        )
        return created["ID"]

    def _started(self, service_id: str, before: set[str] = frozenset()) -> _Task:
        """The service's first task not in `before` once it runs or has ended."""
        deadline = time.monotonic() + _START_TIMEOUT
        pause = 0.02
        while time.monotonic() < deadline:
            tasks = [
                t for t in self.engine.api.tasks(filters={"service": service_id}) if t["ID"] not in before
            ]
            newest = max(tasks, key=_created, default=None)
            if newest and (newest["Status"]["State"] == "running" or newest["Status"]["State"] in _ENDED):
                return _Task(self.engine.api.inspect_service(service_id), newest)
            # Every wake waits here: Swarm takes most of a second to schedule a task.
            time.sleep(pause)
            pause = min(pause * 1.5, 0.1)
        raise EngineDown(
            f"Swarm did not start a task of service {service_id[:12]} within {_START_TIMEOUT:.0f} s"
        )

    def start(self, release: Release, name: str, command: str) -> Dyno:
        with engine_errors():
            return self._as_dyno(self._started(self._create_service(release, name, command, job=False)))

    def resume(self, dyno: Dyno) -> Dyno:
        """Scaled back up to one: a new task, where Swarm places it."""
        found = _task(dyno)
        with engine_errors():
            before = {t["ID"] for t in self.engine.api.tasks(filters={"service": found.service_id})}
            service = self.engine.services.get(found.service_id)
            if service.attrs["Spec"]["Mode"]["Replicated"].get("Replicas") == 1:
                # Still at one replica, its task ended (a crashed dyno kept while the
                # app slept): Swarm makes a new task only when told to.
                service.force_update()
            else:
                service.scale(1)
            return self._as_dyno(self._started(found.service_id, before))

    def inspect(self, dyno: Dyno) -> Dyno | None:
        with engine_errors():
            found = self._reload(dyno)
            return self._as_dyno(found, inspected=True) if found else None

    def stop(self, dyno: Dyno, timeout: float) -> int | None:
        """Scaled to none: Swarm sends SIGTERM, and SIGKILL after the service's grace
        period (MINIDYNO_STOP_TIMEOUT, set when it was made). The service is kept, so
        an idled dyno is woken by scaling it up again. A job cannot be scaled: its
        container is stopped where this engine runs it, else its service removed."""
        found = _task(dyno)
        try:
            with engine_errors():
                if _is_job(found.service):
                    return self._stop_job(found, timeout)
                self.engine.services.get(found.service_id).scale(0)
                deadline = time.monotonic() + timeout + 30
                code = None
                while time.monotonic() < deadline:
                    now = self._reload(dyno)
                    if now is None:
                        return None
                    if now.task is None:
                        # Swarm reaps a task it was told to remove soon after it ends.
                        return code if code is not None else 0
                    if now.ended:
                        return self._as_dyno(now).exit_code
                    code = (now.task["Status"].get("ContainerStatus") or {}).get("ExitCode")
                    time.sleep(0.1)
        except NotFound:
            return None
        raise EngineDown(f"{dyno.name} did not stop within {timeout + 30:.0f} s")

    def _stop_job(self, found: _Task, timeout: float) -> int | None:
        container = self._here(found)
        if container is None:
            self.engine.api.remove_service(found.service_id)
            return None
        self.engine.api.stop(container, timeout=int(timeout))
        return self.engine.api.inspect_container(container)["State"]["ExitCode"]

    def kill(self, dyno: Dyno) -> None:
        """SIGKILL to its container where this engine runs it; on another node, whose
        engine minidyno does not hold, stopped through Swarm (SIGTERM first)."""
        with contextlib.suppress(DockerException):
            found = self._reload(dyno)
            if found is None or found.ended:
                return
            if container := self._here(found):
                self.engine.api.kill(container)
            elif _is_job(found.service):
                self.engine.api.remove_service(found.service_id)
            else:
                self.engine.services.get(found.service_id).scale(0)

    def _here(self, found: _Task) -> str | None:
        """Its container's id when this engine (the manager) runs it, else None."""
        if self._node_id is None:
            self._node_id = self.engine.info()["Swarm"]["NodeID"]
        return found.container_id if found.node_id == self._node_id else None

    def usage(self, dynos: list[Dyno]) -> dict[str, Usage]:
        """Of the dynos this manager runs; those on other nodes are left out (their
        cgroups are on their own machines)."""
        here = {container: d.id for d in dynos if (container := self._here(_task(d)))}
        return {here[c]: u for c, u in self._usage.read(list(here)).items()}

    def remove(self, dyno: Dyno) -> None:
        with contextlib.suppress(NotFound), engine_errors():
            self.engine.api.remove_service(_task(dyno).service_id)

    def last_output(self, dyno: Dyno, lines: int) -> str:
        try:
            found = self._reload(dyno)
            if not found or not found.task:
                return ""
            chunks = output(self.engine.api, self._log_path(found), follow=False, tail=lines)
            return b"".join(chunks).decode("utf-8", errors="replace").strip()
        except (DockerException, RequestException):
            return ""

    def follow(self, dyno: Dyno, bus: LogBus, since_now: bool = False) -> None:
        """Its task's output (`_log_path`), until the task ends."""
        found = _task(dyno)
        if container := self._here(found):
            follow(bus, self.engine.containers.get(container), dyno.app, dyno.name, since_now)
            return
        task_id = found.task["ID"] if found.task else ""

        def running() -> bool:
            with contextlib.suppress(DockerException):
                return self.engine.api.inspect_task(task_id)["Status"]["State"] not in _ENDED
            return False

        path = self._log_path(found)
        follow_logs(
            bus, lambda since: output(self.engine.api, path, since), running, dyno.app, dyno.name, since_now
        )

    # -- one-off dynos: Swarm jobs -----------------------------------------------------

    def run(
        self, release: Release, name: str, command: str, output_to: Output, timeout: float | None = None
    ) -> int:
        """A replicated job of one task, its output streamed as it comes; the job's
        service is removed once it ends, as a one-off container is."""
        with engine_errors():
            service_id = self._create_service(release, name, command, job=True)
        try:
            with engine_errors():
                found = self._started(service_id)

            def kill() -> None:
                with contextlib.suppress(DockerException):
                    if container := self._here(found):
                        self.engine.api.kill(container)
                    else:
                        self.engine.api.remove_service(service_id)

            with killed_after(timeout, kill) as fired:
                try:
                    for chunk in output(self.engine.api, self._log_path(found)):
                        output_to(chunk)
                    code = self._ended(service_id)
                except (DockerException, RequestException) as exc:
                    if fired.is_set():
                        raise TimedOut() from None
                    raise EngineDown(str(exc)) from exc
            if fired.is_set():
                raise TimedOut()
            return code
        finally:
            with contextlib.suppress(DockerException):
                self.engine.api.remove_service(service_id)

    def _log_path(self, found: _Task) -> str:
        """Where its output is read: its container's logs where this engine runs it
        (the engine's own reader), else Swarm's task logs from its node."""
        container = self._here(found)
        return f"containers/{container}" if container else f"tasks/{found.task['ID'] if found.task else ''}"

    def _ended(self, service_id: str) -> int:
        """The job's exit status once its task has ended (its output has, so soon)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = self._load(service_id)
            if found.ended or (found.task or {}).get("DesiredState") == "shutdown":
                job = self._as_dyno(found, inspected=True)
                if job.lost:
                    raise EngineDown(f"the job was stopped unfinished: {job.lost}")
                if found.ended:
                    return job.exit_code or 0
            time.sleep(0.1)
        raise EngineDown(f"the job {service_id[:12]} printed its last line but did not end within 60 s")

    def run_detached(self, release: Release, name: str, command: str, bus: LogBus) -> None:
        try:
            service_id = self._create_service(release, name, command, job=True, process_type="run")
            found = self._started(service_id)
        except (DockerException, RequestException, UserError) as exc:
            raise EngineDown(str(exc)) from exc
        self.follow(self._as_dyno(found), bus)

    # -- watching ----------------------------------------------------------------------

    def events(self) -> Iterator[str]:
        """The app of every dyno whose task changed state since the last look, polled:
        Swarm's event stream has services and nodes, not tasks."""
        seen: dict[str, str] = {}
        while True:
            with engine_errors():
                services = [s for s in self._services() if _is_dyno(s)]
                newest = self._newest_tasks(services)
            now = {}
            for service in services:
                task = newest.get(service["ID"])
                now[service["ID"]] = f"{task['ID']}:{task['Status']['State']}" if task else ""
                if seen and seen.get(service["ID"]) != now[service["ID"]]:
                    yield service["Spec"]["Labels"].get(labels.APP, "")
            seen = now or {"": ""}
            time.sleep(_POLL)

    # -- removal -----------------------------------------------------------------------

    def remove_labelled(self, **wanted: str) -> None:
        self._remove_services(labels.filters(self.settings, **wanted))
        super().remove_labelled(**wanted)

    def _remove_services(self, scope: dict[str, list[str]]) -> None:
        """Services, with the secrets they held (an add-on's certificate)."""
        for service in self.engine.api.services(filters=scope):
            with contextlib.suppress(NotFound):
                self.engine.api.remove_service(service["ID"])
        for secret in self.engine.secrets.list(filters=scope):
            with contextlib.suppress(NotFound):
                secret.remove()

    def remove_app(self, app: str, keep_build_cache: bool = False) -> None:
        """Its services first (their tasks' containers go with the rest of its
        containers); its overlay network goes once Swarm has let go of their endpoints."""
        self._remove_services(labels.filters(self.settings, app))
        deadline = time.monotonic() + 30
        while True:
            try:
                super().remove_app(app, keep_build_cache)
                return
            except APIError as exc:
                # Swarm removes its tasks' containers and endpoints itself, meanwhile.
                racing = "active endpoints" in str(exc) or "in progress" in str(exc)
                if not racing or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def _is_dyno(service: dict) -> bool:
    return is_dyno(service["Spec"].get("Labels") or {})


def _is_job(service: dict) -> bool:
    return "ReplicatedJob" in service["Spec"].get("Mode", {})


def _task(dyno: Dyno) -> _Task:
    """The service and task a dyno of this driver was listed or started from."""
    assert isinstance(dyno.handle, _Task), "a dyno of another driver"
    return dyno.handle


def _service_name(settings: Settings, release: Release, dyno_name: str) -> str:
    """Unique, and readable in `docker service ls`: Swarm allows 63 characters of
    letters, digits and dashes."""
    tail = f"-{dyno_name.replace('.', '-')}-v{release.version}-{secrets.token_hex(2)}"
    return labels.prefix(settings, release.app)[: 63 - len(tail)] + tail


def _created(task: dict) -> float:
    """When Swarm made the task: the newest is the dyno now (an old task's status can
    be updated later, by a node coming back)."""
    return engine_time(task.get("CreatedAt")) or 0.0
