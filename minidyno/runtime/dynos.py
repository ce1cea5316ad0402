"""The Docker dyno driver (runtime/driver.py's DynoDriver): start, find, stop and
remove dynos, from labels alone.

Docker is the record of what runs: a dyno is a container labelled with this server's
home, its app, process type and dyno name, so a restarted control plane re-adopts
what it finds instead of trusting memory.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Network

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.models.containers import Container
from docker.types import IPAMConfig, IPAMPool
from requests.exceptions import RequestException

from minidyno import labels
from minidyno.errors import UserError
from minidyno.logs.bus import LogBus
from minidyno.logs.follow import follow
from minidyno.runtime import subnets
from minidyno.runtime.driver import Dyno, EngineDown, Output, TimedOut, killed_after
from minidyno.runtime.usage import Usage, UsageReader
from minidyno.settings import Settings
from minidyno.state.releases import Release

#: The port every web dyno listens on inside its container (`$PORT`). Dynos are
#: reached at their container address on the app's network; the same port is also
#: published on 127.0.0.1 for a developer's direct look.
WEB_PORT = 5000
#: Sources .profile.d/ as Heroku's dyno launcher does, then hands the Procfile command
#: to a fresh bash, which execs a simple command so it receives signals itself.
_LAUNCHER = (
    'for f in /app/.profile.d/*.sh; do if [ -r "$f" ]; then . "$f"; fi; done; unset f; exec /bin/bash -c "$0"'
)


#: Every dyno's limit on processes (fork bombs stop here, not at the host's).
PIDS_LIMIT = 256
#: A dyno's output as dockerd keeps it: 20 MB at most, whatever the dyno prints.
LOG_CONFIG = {"type": "json-file", "config": {"max-size": "10m", "max-file": "2"}}


@dataclass(frozen=True)
class DynoSpec:
    """A dyno as either runtime starts it: a container here, a Swarm service's task."""

    image: str
    environment: dict[str, str]
    labels: dict[str, str]
    #: None runs the image's own command (a Dockerfile's CMD).
    command: list[str] | None
    user: str
    working_dir: str | None
    #: $PORT, for web dynos only.
    port: int | None


def _as_dyno(container: Container) -> Dyno:
    """From what the engine says of a container: listed (one call for every container,
    the shape `docker ps` reads) or inspected (one call each, after a start or a stop)."""
    attrs = container.attrs
    inspected = "Config" in attrs
    lab = _labels(attrs)
    status = attrs["State"]["Status"] if inspected else attrs["State"]
    address = None
    for network in (attrs.get("NetworkSettings") or {}).get("Networks", {}).values():
        if network.get("IPAddress"):
            address = f"{network['IPAddress']}:{WEB_PORT}"
            break
    running = status == "running"
    exit_code = None if running else _exit_code(attrs, inspected)
    if not inspected and not running and exit_code is None:
        # Created but never started, or dead: only inspecting says with what status.
        with contextlib.suppress(NotFound):
            container.reload()
            return _as_dyno(container)
    return Dyno.labelled(
        lab,
        id=container.id,
        running=running,
        address=address,
        published_port=_published_port(attrs, inspected),
        command=lab.get(labels.COMMAND) or _launched(attrs, inspected),
        exit_code=exit_code,
        started_at=_started_at(attrs, inspected),
        oom_killed=inspected and bool(attrs["State"].get("OOMKilled")),
        handle=container,
    )


def _labels(attrs: dict) -> dict[str, str]:
    """A container's labels, inspected or listed."""
    return attrs.get("Config", attrs)["Labels"] or {}


def _published_port(attrs: dict, inspected: bool) -> int | None:
    if inspected:
        bindings = (attrs["NetworkSettings"]["Ports"] or {}).get(f"{WEB_PORT}/tcp")
        return int(bindings[0]["HostPort"]) if bindings else None
    for port in attrs.get("Ports") or []:
        if port.get("PrivatePort") == WEB_PORT and port.get("PublicPort"):
            return int(port["PublicPort"])
    return None


def _launched(attrs: dict, inspected: bool) -> str:
    """What a container made before dynos carried their command as a label (adopted
    after an upgrade) runs: its launch's last word, or the engine's rendering of it."""
    if inspected:
        return " ".join((attrs["Config"].get("Cmd") or attrs["Config"].get("Entrypoint") or [""])[-1:])
    return attrs.get("Command", "")


def _started_at(attrs: dict, inspected: bool) -> float | None:
    """Inspected: `State.StartedAt` (RFC 3339, nanoseconds; year 1 when never started).
    A listing does not say, and its `Created` stands in, as no later."""
    if not inspected:
        return float(attrs["Created"]) if attrs.get("Created") else None
    return engine_time(attrs["State"].get("StartedAt"))


def engine_time(text: str | None) -> float | None:
    """An engine's time (RFC 3339, nanoseconds; year 1 for never) in epoch seconds."""
    when = datetime.fromisoformat(text or "0001-01-01T00:00:00Z")
    return when.timestamp() if when.year > 1 else None


def is_dyno(own: dict[str, str]) -> bool:
    """Whether labels are a formation or one-off dyno's: not a build's, a release
    phase's, or anything else of the server's (a Swarm registry)."""
    return bool(own.get(labels.RELEASE)) and own.get(labels.PROCESS) not in ("release", "slug", "build")


def _exit_code(attrs: dict, inspected: bool) -> int | None:
    """A listing gives it only inside its status line: `Exited (137) 4 seconds ago`."""
    if inspected:
        return attrs["State"].get("ExitCode")
    found = re.match(r"Exited \((-?\d+)\)", attrs.get("Status", ""))
    return int(found[1]) if found else None


class DockerRuntime:
    def __init__(self, settings: Settings, engine: docker.DockerClient) -> None:
        self.settings = settings
        self.engine = engine
        self._usage = UsageReader(engine)

    def dynos(self, app: str | None = None) -> list[Dyno]:
        """Of one app, each container inspected: what the dyno manager acts on, as the
        engine's listing can still show a dyno running for a moment after it died. Of
        every app, the listing alone, with no inspection of each, so a look over a
        class's hundred apps is one engine call (the supervisor then looks again at an
        app before it acts)."""
        with engine_errors():
            found = self.engine.containers.list(
                all=True, filters=labels.filters(self.settings, app), sparse=app is None, ignore_removed=True
            )
            return sorted(
                (_as_dyno(c) for c in found if is_dyno(_labels(c.attrs))),
                key=lambda d: (d.app, d.process_type, d.name, d.release),
            )

    def ensure_network(self, app: str) -> str:
        """The app's own network, made with the first free /26 of minidyno's pool
        (runtime/subnets.py) when it is missing."""
        name = labels.network_name(self.settings, app)
        if self.engine.networks.list(names=[name]):
            return name
        pool = self.settings.network_pool
        for subnet in subnets.free(pool, [*subnets.read_host_routes(), *self._engine_subnets()]):
            try:
                self.engine.networks.create(
                    name,
                    driver="bridge",
                    labels=labels.for_resource(self.settings, app, "network"),
                    ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=str(subnet))]),
                )
                return name
            except APIError as exc:
                # Another server on this engine took the subnet since it was listed.
                if "overlap" not in str(exc).lower():
                    raise
        raise UserError(
            f"no free subnet is left for {app}'s network in MINIDYNO_NETWORK_POOL ({pool}, "
            f"{subnets.capacity(pool)} apps); destroy apps no longer needed, or set a larger pool"
        )

    def _engine_subnets(self) -> Iterator[IPv4Network]:
        """The IPv4 subnets of every network on the engine, this server's or not."""
        for network in self.engine.networks.list():
            for config in (network.attrs.get("IPAM") or {}).get("Config") or []:
                with contextlib.suppress(KeyError, ValueError):
                    yield IPv4Network(config["Subnet"], strict=False)

    def spec(
        self, release: Release, dyno_name: str, command: str, process_type: str = "", port: int = WEB_PORT
    ) -> DynoSpec:
        """What a dyno of `release` (its image and config vars) runs, whatever runs it:
        its process type is its name's first word unless given (a one-off
        `scheduler.4821` is of type `run`); web dynos get $PORT. A probe of how an app
        behaves on Heroku may give another $PORT (Heroku picks one at every start). It
        is told its memory quota, which the buildpack sizes WEB_CONCURRENCY by."""
        process_type = process_type or dyno_name.split(".")[0]
        environment = {
            **release.config,
            "DYNO": dyno_name,
            "MINIDYNO_MEMORY_QUOTA_MB": str(self.settings.memory_quota_mb),
        }
        if process_type == "web":
            environment["PORT"] = str(port)
        image = release.image_for(process_type)
        if release.from_dockerfile:
            argv, user, shown = self._image_conventions(image, command)
            workdir = None
        else:
            argv, user, workdir, shown = ["/bin/bash", "-c", _LAUNCHER, command], "dyno", "/app", command
        return DynoSpec(
            image=image,
            environment=environment,
            labels={
                **labels.for_resource(self.settings, release.app, process_type, dyno_name, release.version),
                labels.COMMAND: shown,
            },
            command=argv,
            user=user,
            working_dir=workdir,
            port=port if process_type == "web" else None,
        )

    def create(
        self,
        release: Release,
        dyno_name: str,
        command: str,
        tty: bool = False,
        process_type: str = "",
        port: int = WEB_PORT,
    ) -> Container:
        """A dyno's container (`spec`), not yet started: unprivileged, limited, on the
        app's own network, with no Docker socket; a web dyno's $PORT is published on
        127.0.0.1. Its memory, swap included, is limited to twice its quota, where
        Heroku's R15 kills it."""
        app = release.app
        spec = self.spec(release, dyno_name, command, process_type, port)
        quota = self.settings.memory_quota_mb
        return self.engine.containers.create(
            spec.image,
            name=f"{labels.prefix(self.settings, app)}-{dyno_name}-v{release.version}-{secrets.token_hex(3)}",
            environment=spec.environment,
            labels=spec.labels,
            network=self.ensure_network(app),
            ports={f"{spec.port}/tcp": ("127.0.0.1", None)} if spec.port else {},
            init=True,
            tty=tty,
            stdin_open=tty,
            mem_limit=f"{2 * quota}m",
            memswap_limit=f"{2 * quota}m",
            pids_limit=PIDS_LIMIT,
            # Heroku's dyno sizes share the host's CPU; here each dyno gets an equal share
            # and at most MINIDYNO_DYNO_CPUS cores, so one busy dyno cannot starve the rest.
            cpu_shares=1024,
            nano_cpus=int(self.settings.dyno_cpus * 1e9),
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            log_config=LOG_CONFIG,
            command=spec.command,
            user=spec.user,
            working_dir=spec.working_dir,
        )

    def _image_conventions(self, image: str, command: str) -> tuple[list[str] | None, str, str]:
        """How a dyno of an image built from a Dockerfile starts, as on Heroku's container
        stack: the command through `sh -c` (so $PORT expands), after any ENTRYPOINT,
        in the image's WORKDIR, as the image's USER unless that is root, which no dyno
        runs as (then uid 1000); and what it runs, the image's own without a command."""
        config = self.engine.images.get(image).attrs["Config"]
        user = config.get("User") or ""
        if _is_root(user.split(":")[0].strip()):
            user = "1000:1000"
        own = " ".join([*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])])
        shown = command or own.removeprefix("/bin/sh -c ")
        return (["/bin/sh", "-c", command] if command else None), user, shown

    def start(self, release: Release, name: str, command: str) -> Dyno:
        with engine_errors():
            container = self.create(release, name, command)
            container.start()
            container.reload()
        return _as_dyno(container)

    def resume(self, dyno: Dyno) -> Dyno:
        container = _container(dyno)
        with engine_errors():
            container.start()
            container.reload()
        return _as_dyno(container)

    def inspect(self, dyno: Dyno) -> Dyno | None:
        container = _container(dyno)
        try:
            with engine_errors():
                container.reload()
        except NotFound:
            return None
        return _as_dyno(container)

    def stop(self, dyno: Dyno, timeout: float) -> int | None:
        container = _container(dyno)
        try:
            with engine_errors():
                container.stop(timeout=timeout)
                container.reload()
        except NotFound:
            return None
        return container.attrs["State"]["ExitCode"]

    def kill(self, dyno: Dyno) -> None:
        with contextlib.suppress(DockerException):
            _container(dyno).kill()

    def usage(self, dynos: list[Dyno]) -> dict[str, Usage]:
        return self._usage.read([d.id for d in dynos])

    def remove(self, dyno: Dyno) -> None:
        with contextlib.suppress(NotFound), engine_errors():
            _container(dyno).remove(force=True)

    def last_output(self, dyno: Dyno, lines: int) -> str:
        try:
            return _container(dyno).logs(tail=lines).decode("utf-8", errors="replace").strip()
        except DockerException:
            return ""

    def follow(self, dyno: Dyno, bus: LogBus, since_now: bool = False) -> None:
        follow(bus, _container(dyno), dyno.app, dyno.name, since_now=since_now)

    def run(
        self, release: Release, name: str, command: str, output: Output, timeout: float | None = None
    ) -> int:
        container = self.create(release, name, command)

        def kill() -> None:
            with contextlib.suppress(NotFound):
                container.kill()

        try:
            stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
            container.start()
            with killed_after(timeout, kill) as fired:
                for chunk in stream:
                    output(chunk)
                code = container.wait()["StatusCode"]
            if fired.is_set():
                raise TimedOut()
            return code
        finally:
            with contextlib.suppress(NotFound):
                container.remove(force=True)

    def run_detached(self, release: Release, name: str, command: str, bus: LogBus) -> None:
        """Any refusal (a missing image too) is EngineDown, and a container that would
        not start is removed, so no one reads an exit status from a run that never ran."""
        try:
            container = self.create(release, name, command, process_type="run")
            try:
                container.start()
            except DockerException:
                with contextlib.suppress(DockerException):
                    container.remove(force=True)
                raise
        except (DockerException, RequestException) as exc:
            raise EngineDown(str(exc)) from exc
        follow(bus, container, release.app, name)

    def events(self) -> Iterator[str]:
        with engine_errors():
            stream = self.engine.events(
                decode=True,
                filters={
                    "type": "container",
                    "event": ["die", "start"],
                    "label": [f"{labels.HOME}={self.settings.home}"],
                },
            )
            for event in stream:
                yield (event.get("Actor") or {}).get("Attributes", {}).get(labels.APP, "")

    def remove_labelled(self, **wanted: str) -> None:
        """Every container of this server whose labels say `minidyno.<key>=<value>`."""
        for container in self.engine.containers.list(
            all=True, filters=labels.filters(self.settings, **wanted), ignore_removed=True
        ):
            with contextlib.suppress(NotFound):
                container.remove(force=True)

    def remove_app(self, app: str, keep_build_cache: bool = False) -> None:
        """Every container, network, volume and image of one app of this server; with
        `keep_build_cache`, all but what makes its next build fast (the cache volume
        and the dependency layer), as `minidyno doctor` keeps for its next run."""
        scope = labels.filters(self.settings, app)
        kept = ("build-cache", "dependencies") if keep_build_cache else ()
        containers = self.engine.containers.list(all=True, filters=scope, ignore_removed=True)
        # At once: each removal is mostly the engine waiting for a process to die.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(_remove_container, containers))
        for network in self.engine.networks.list(filters=scope):
            network.remove()
        for volume in self.engine.volumes.list(filters=scope):
            if (volume.attrs.get("Labels") or {}).get(labels.PROCESS) not in kept:
                volume.remove(force=True)
        images = self.engine.images.list(filters=scope)
        for image in sorted(images, key=lambda i: i.attrs["Created"], reverse=True):
            if (image.labels or {}).get(labels.PROCESS) not in kept:
                with contextlib.suppress(NotFound, APIError):
                    self.engine.images.remove(image.id, force=True)


@contextlib.contextmanager
def engine_errors() -> Iterator[None]:
    """The engine's errors as the driver's: NotFound stays itself (a dyno gone is the
    caller's to judge), anything else is EngineDown."""
    try:
        yield
    except NotFound:
        raise
    except (DockerException, RequestException) as exc:
        raise EngineDown(str(exc)) from exc


def _remove_container(container: Container) -> None:
    with contextlib.suppress(NotFound):
        container.remove(force=True)


def _container(dyno: Dyno) -> Container:
    """The container a dyno of this driver was listed or started from."""
    assert isinstance(dyno.handle, Container), "a dyno of another driver"
    return dyno.handle


def _is_root(user: str) -> bool:
    """USER root, or uid 0 however it is written (`0`, `00`, `+0`): Docker reads the
    number, so `00` is root too."""
    if user in ("", "root"):
        return True
    try:
        return int(user) == 0
    except ValueError:
        return False
