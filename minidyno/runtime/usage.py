"""What a dyno uses of memory and CPU, read where the engine reads it: the files of its
container's cgroup (v1 or v2), found through its first process's /proc/<pid>/cgroup.

The engine's own stats call reads the same files but took most of a second a dyno here
(and dockerd's CPU), so sampling twenty dynos every 10 s through it would cost more than
the whole budget; the files cost microseconds. A server that cannot see the dynos' cgroups
(run in a container of its own) asks the engine instead.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import DockerException

log = logging.getLogger("minidyno.usage")

_MB = 1024 * 1024
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Usage:
    """One look at a dyno, in Heroku's terms (log-runtime-metrics' memory_* samples)."""

    rss_mb: float
    cache_mb: float
    swap_mb: float
    #: CPU time used since it started, for a load over the time between two looks.
    cpu_seconds: float
    #: Processes the kernel killed in it for memory, from the cgroup's events.
    oom_kills: int = 0

    @property
    def memory_mb(self) -> float:
        """Heroku's memory_total, what R14 and R15 are judged on: RSS, cache and swap."""
        return self.rss_mb + self.cache_mb + self.swap_mb


@dataclass(frozen=True)
class Cgroup:
    """A process's memory and CPU cgroup folders, from its /proc/<pid>/cgroup lines
    (`4:memory:/path`, `2:cpu,cpuacct:/path` in v1; `0::/path` in v2)."""

    memory: Path
    cpu: Path
    v2: bool

    @classmethod
    def of(cls, cgroups: str, root: Path = CGROUP_ROOT) -> Cgroup | None:
        v1: dict[str, str] = {}
        unified = None
        for row in cgroups.splitlines():
            _, controllers, path = row.split(":", 2)
            if controllers == "":
                unified = path
            for controller in controllers.split(","):
                v1[controller] = path
        if "memory" in v1 and "cpuacct" in v1:
            cpu_dir = "cpu,cpuacct" if (root / "cpu,cpuacct").is_dir() else "cpuacct"
            memory, cpu = v1["memory"].lstrip("/"), v1["cpuacct"].lstrip("/")
            return cls(root / "memory" / memory, root / cpu_dir / cpu, False)
        if unified is not None:
            folder = root / unified.lstrip("/")
            return cls(folder, folder, True)
        return None

    @property
    def peak_files(self) -> list[Path]:
        """The most memory it has used where the kernel keeps that, else what it uses now."""
        if self.v2:
            return [self.memory / "memory.peak", self.memory / "memory.current"]
        return [self.memory / "memory.max_usage_in_bytes", self.memory / "memory.usage_in_bytes"]

    def read(self) -> Usage:
        """Raises OSError once the cgroup is gone (the dyno stopped)."""
        stat = _keyed((self.memory / "memory.stat").read_text())
        if self.v2:
            swap = 0
            with contextlib.suppress(OSError, ValueError):
                swap = int((self.memory / "memory.swap.current").read_text())
            events = _keyed((self.memory / "memory.events").read_text())
            cpu = _keyed((self.cpu / "cpu.stat").read_text())["usage_usec"] / 1e6
        else:
            swap = stat.get("total_swap", 0)
            events = _keyed((self.memory / "memory.oom_control").read_text())
            cpu = int((self.cpu / "cpuacct.usage").read_text()) / 1e9
        rss, cache = _rss_and_cache(stat)
        return Usage(rss / _MB, cache / _MB, swap / _MB, cpu, events.get("oom_kill", 0))


def cgroups_of(pid: int, container: str) -> str | None:
    """The /proc/<pid>/cgroup lines of a container's first process, or None when they
    are not the container's: a pid of another namespace (a server in a container of its
    own) can name some other process here. Raises OSError when there is no such pid."""
    cgroups = Path(f"/proc/{pid}/cgroup").read_text()
    return cgroups if container in cgroups else None


def _keyed(text: str) -> dict[str, int]:
    """`name value` lines (memory.stat, cpu.stat, memory.events)."""
    pairs = (row.split() for row in text.splitlines())
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def _rss_and_cache(stat: dict[str, int]) -> tuple[int, int]:
    """From a cgroup's memory.stat, v1 (`total_rss`) or v2 (`anon`), as the engine's
    stats pass it on too."""
    if "total_rss" in stat:
        return stat["total_rss"], stat.get("total_cache", 0)
    return stat.get("anon", 0), stat.get("file", 0)


class UsageReader:
    """Running containers' usage; where each one's cgroup is is looked up once."""

    def __init__(self, engine: docker.DockerClient) -> None:
        self.engine = engine
        #: Per container: its cgroup, or None where this server cannot see it.
        self._cgroups: dict[str, Cgroup | None] = {}
        self._warned = False

    def read(self, containers: list[str]) -> dict[str, Usage]:
        """Each running container's usage; one that stopped meanwhile is left out, and
        what was known of containers not asked about is forgotten."""
        for gone in self._cgroups.keys() - set(containers):
            del self._cgroups[gone]
        found = {}
        for container in containers:
            if usage := self._read(container):
                found[container] = usage
        return found

    def _read(self, container: str) -> Usage | None:
        if container not in self._cgroups:
            try:
                self._cgroups[container] = self._find(container)
            except (DockerException, OSError):
                return None  # stopped meanwhile, or the engine busy: looked up next time
        cgroup = self._cgroups[container]
        if cgroup is None:
            return self._from_engine(container)
        try:
            return cgroup.read()
        except (OSError, KeyError, ValueError):
            del self._cgroups[container]
            return None

    def _find(self, container: str) -> Cgroup | None:
        pid = self.engine.api.inspect_container(container)["State"].get("Pid") or 0
        if cgroups := cgroups_of(pid, container):
            return Cgroup.of(cgroups)
        if not self._warned:
            log.warning("this server cannot see the dynos' cgroups; reading their usage from the engine")
            self._warned = True
        return None

    def _from_engine(self, container: str) -> Usage | None:
        try:
            stats = self.engine.api.stats(container, stream=False, one_shot=True)
            memory = stats["memory_stats"]["stats"]
            cpu = stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9
        except (DockerException, KeyError, TypeError):
            return None  # stopped: the engine answers with empty stats
        rss, cache = _rss_and_cache(memory)
        return Usage(rss / _MB, cache / _MB, memory.get("total_swap", 0) / _MB, cpu)
