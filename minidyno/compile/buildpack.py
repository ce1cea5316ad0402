"""Run Heroku's buildpack API: `detect` here, over the pushed source; `compile` and
`release` in a build container of the app's stack.

The build runs the app's own code (its hooks, its packages' setup scripts), so its
container is confined like a dyno: the unprivileged dyno user, no capabilities, no new
privileges, memory, pids and CPU limits, and a time limit (Heroku's 15 minutes).

The source, the buildpack and the env dir go in with `put_archive`, not bind mounts,
so this works the same when the control plane itself runs in a container. The host's
CA bundle and proxy settings are given to this container only; the slug's image is
made from the run stack and never sees them.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import yaml
from docker.models.containers import Container

from minidyno import abandon, labels
from minidyno.compile.source import Source
from minidyno.compile.stack_choice import PythonRequest
from minidyno.errors import UserError
from minidyno.lines import LineSplitter
from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.stacks.recipes import DYNO_UID, Stack

#: What the buildpack installs under /app that changes only with the dependencies; it
#: becomes an image layer of its own, shared by every release until it changes.
DEPENDENCY_LAYER = ".heroku"
_CA_PATH = "/run/minidyno/ca-certificates.crt"
_SCRIPT = f"""
set -e
/buildpack/bin/compile /app /cache /env
mkdir -p /tmp/minidyno
/buildpack/bin/release /app > /tmp/minidyno/release.yml
if [ -d /app/{DEPENDENCY_LAYER} ]; then
  cd /app/{DEPENDENCY_LAYER}
  find . ! -type d -printf '%P %s %T@ %m %l\\n' | sort | sha256sum | cut -c1-16 \\
    > /tmp/minidyno/dependencies.id
fi
tar -C / --exclude=app/{DEPENDENCY_LAYER} -cf /tmp/minidyno/app.tar app
"""


#: What one build may use: a standard-2X dyno's memory, and one core.
BUILD_MEMORY = "1g"
BUILD_PIDS = 1024
BUILD_CPUS = 1.0
#: Marks a cache volume whose root the dyno user owns (older ones were root's).
_CACHE_OWNER_LABEL = "minidyno.cache.uid"


def detects(settings: Settings, source: Source, say: Say) -> bool:
    """The buildpack's own `bin/detect`, run here over the unpacked source before any
    image or container is made: a push that is not Python is refused at once, as
    Heroku refuses it before the build starts, not after a minute spent making a stack
    it will never use. The script only looks for indicator files; what it says when it
    finds none goes to the pusher."""
    result, _ = _on_host(settings, source, "detect")
    for line in result.stderr.splitlines():
        say(line)
    return result.returncode == 0


@dataclass(frozen=True)
class Rule:
    """What `bin/check` said of one rule: Heroku's one-line error if the source breaks
    it, and each warning, as one line."""

    error: str | None
    warnings: list[str]


def check_rule(settings: Settings, source: Source, rule: str, python: PythonRequest | None = None) -> Rule:
    """One of the rules `bin/compile` applies before installing anything (`venv`,
    `package-manager`, `python-version`), by the buildpack's own `bin/check` on the
    host, so nothing else restates them."""
    env = _python_env(python) if python else {}
    result, error = _on_host(settings, source, "check", rule, env=env)
    warnings: list[str] = []
    for line in result.stderr.splitlines():
        text = line.removeprefix(" !").strip()
        if line.startswith(" !     Warning:"):
            warnings.append(text)
        elif warnings and line.startswith(" !") and text:
            warnings[-1] += f" {text}"
    return Rule(None if result.returncode == 0 else error or result.stderr.strip(), warnings)


def _python_env(python: PythonRequest) -> dict[str, str]:
    """How the platform tells the buildpack the Python version it read (stack_choice)."""
    return {"PYTHON_VERSION_REQUESTED": python.version, "PYTHON_VERSION_ORIGIN": python.origin}


def _on_host(
    settings: Settings, source: Source, script: str, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, str]:
    """One of the buildpack's scripts over the source unpacked in a temporary folder:
    what it did, and the one-line summary of its error, if it wrote one."""
    with tempfile.TemporaryDirectory(prefix=f"minidyno-{script}-") as tmp:
        app, scratch = Path(tmp, "app"), Path(tmp, "scratch")
        app.mkdir()
        scratch.mkdir()
        source.unpack(app)
        path = settings.buildpacks_dir / "python" / "bin" / script
        result = subprocess.run(
            ["bash", str(path), str(app), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {}), "TMPDIR": str(scratch)},
        )
        error = scratch / "minidyno" / "error"
        return result, error.read_text().strip() if error.exists() else ""


class BuildFailed(UserError):
    """The buildpack said no; its own output has already told the pusher why, and
    `reason` is its one-line summary (what went wrong and what to do), when it gave one."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class BuildDir:
    """A finished build container holding the compiled /app (the buildpack's BUILD_DIR),
    split in two: the app's own files (a tarball) and the dependency layer, named by a
    digest of its file list."""

    container: Container
    default_process_types: dict[str, str]
    app_tarball: bytes
    dependencies_id: str | None


def _inputs(source: Source, buildpack_dir: Path, config: dict[str, str]) -> bytes:
    """One tarball for one `put_archive`: the source under app/, the buildpack, and the
    env dir (a file per config var, as Heroku's buildpack API has it)."""
    buf = io.BytesIO()
    with (
        tarfile.open(fileobj=buf, mode="w") as tar,
        tarfile.open(fileobj=io.BytesIO(source.tarball)) as pushed,
    ):
        for name, mode in (("app", 0o755), ("env", 0o700), ("tmp/minidyno", 0o755)):
            tar.addfile(_owned(tarfile.TarInfo(name), tarfile.DIRTYPE, mode))
        for member in pushed.getmembers():
            content = pushed.extractfile(member) if member.isfile() else None
            member.name = f"app/{member.name.removeprefix('./')}".rstrip("/")
            tar.addfile(_owned(member), content)
        tar.add(buildpack_dir, arcname="buildpack")
        for key, value in config.items():
            data = value.encode()
            info = _owned(tarfile.TarInfo(f"env/{key}"), mode=0o600)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _owned(info: tarfile.TarInfo, kind: bytes | None = None, mode: int | None = None) -> tarfile.TarInfo:
    """A tar member the build's unprivileged user owns (what it must write)."""
    info.uid = info.gid = DYNO_UID
    info.uname = info.gname = ""
    if kind is not None:
        info.type = kind
    if mode is not None:
        info.mode = mode
    return info


def _environment(settings: Settings) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    env = dict(settings.build_proxy_env)
    volumes: dict[str, dict[str, str]] = {}
    if settings.host_ca_bundle:
        volumes[str(settings.host_ca_bundle)] = {"bind": _CA_PATH, "mode": "ro"}
        env.update(PIP_CERT=_CA_PATH, SSL_CERT_FILE=_CA_PATH, REQUESTS_CA_BUNDLE=_CA_PATH)
    return env, volumes


def compile_app(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    stack: Stack,
    python: PythonRequest,
    source: Source,
    config: dict[str, str],
    say: Say,
) -> BuildDir:
    env, volumes = _environment(settings)
    env.update(STACK=stack.name, HOME="/tmp", **_python_env(python))
    volumes[labels.cache_volume_name(settings, app)] = {"bind": "/cache", "mode": "rw"}
    _ensure_cache_volume(engine, settings, app, stack)
    container = engine.containers.create(
        stack.build_image,
        ["/bin/bash", "-c", _SCRIPT],
        environment=env,
        volumes=volumes,
        labels=labels.for_resource(settings, app, "build"),
        working_dir="/app",
        network_mode="bridge",
        user=f"{DYNO_UID}:{DYNO_UID}",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        mem_limit=BUILD_MEMORY,
        pids_limit=BUILD_PIDS,
        nano_cpus=int(BUILD_CPUS * 1e9),
    )
    watchdog = _Watchdog(container, settings.build_timeout)
    try:
        container.put_archive("/", _inputs(source, settings.buildpacks_dir / "python", config))
        container.start()
        watchdog.start()
        _stream_output(container, say)
        code = container.wait()["StatusCode"]
        if watchdog.stopped:
            raise BuildFailed(f"the build was stopped: {watchdog.stopped}", watchdog.stopped)
        if code != 0:
            raise BuildFailed(f"the buildpack exited with status {code}", _error_summary(container))
        return _collect(container)
    except BaseException:
        container.remove(force=True)
        raise
    finally:
        watchdog.done.set()


class _Watchdog(threading.Thread):
    """Kills the build container when it runs past the time limit or when the pusher
    hangs up (see minidyno.abandon), and says which."""

    def __init__(self, container: Container, seconds: int) -> None:
        super().__init__(name="build-watchdog", daemon=True)
        self.container = container
        self.seconds = seconds
        self.abandoned = abandon.event()
        self.done = threading.Event()
        self.stopped = ""

    def run(self) -> None:
        deadline = time.monotonic() + self.seconds
        while not self.done.wait(0.25):
            if time.monotonic() > deadline:
                self.stopped = (
                    f"the build ran longer than {self.seconds} s and was stopped (Heroku stops "
                    "builds after 15 minutes; MINIDYNO_BUILD_TIMEOUT sets the limit here): find "
                    "what hangs, e.g. a bin/pre_compile hook, and push again"
                )
            elif self.abandoned is not None and self.abandoned.is_set():
                self.stopped = "the pusher disconnected, so the build was stopped; push again"
            if self.stopped:
                with contextlib.suppress(docker.errors.DockerException):
                    self.container.kill()
                return


def _ensure_cache_volume(engine: docker.DockerClient, settings: Settings, app: str, stack: Stack) -> None:
    """The app's build cache, its root owned by the build's user: made so once (a root
    container chowns the new volume); a cache of an older minidyno, root's, is replaced."""
    name = labels.cache_volume_name(settings, app)
    found = [v for v in engine.volumes.list(filters={"name": name}) if v.name == name]
    if found and (found[0].attrs.get("Labels") or {}).get(_CACHE_OWNER_LABEL) == str(DYNO_UID):
        return
    for volume in found:
        volume.remove(force=True)
    engine.volumes.create(
        name, labels={**labels.for_resource(settings, app, "build-cache"), _CACHE_OWNER_LABEL: str(DYNO_UID)}
    )
    engine.containers.run(
        stack.build_image,
        ["chown", f"{DYNO_UID}:{DYNO_UID}", "/cache"],
        volumes={name: {"bind": "/cache", "mode": "rw"}},
        remove=True,
        labels=labels.for_resource(settings, app, "build"),
        network_mode="none",
    )


def _stream_output(container: Container, say: Say) -> None:
    """Pass each line on as the buildpack prints it, not when the build ends."""
    splitter = LineSplitter(say)
    for chunk in container.logs(stream=True, follow=True):
        splitter.feed(chunk)
    splitter.close()


def _error_summary(container: Container) -> str:
    """The one line the buildpack's output::error left in /tmp/minidyno/error."""
    try:
        stream, _ = container.get_archive("/tmp/minidyno/error")
    except docker.errors.NotFound:
        return ""
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = tar.getmembers()[0]
        return tar.extractfile(member).read().decode(errors="replace").strip()


def _collect(container: Container) -> BuildDir:
    stream, _ = container.get_archive("/tmp/minidyno")
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        files = {
            m.name.removeprefix("minidyno/"): tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.isfile()
        }
    release = yaml.safe_load(files.get("release.yml", b"")) or {}
    types = release.get("default_process_types") or {}
    dependencies_id = files.get("dependencies.id", b"").decode().strip() or None
    return BuildDir(
        container=container,
        default_process_types={str(k): str(v) for k, v in types.items()},
        app_tarball=files["app.tar"],
        dependencies_id=dependencies_id,
    )
