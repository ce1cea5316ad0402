"""Swarm nodes for the tests and bench/multinode: each a Docker engine (Debian's
dockerd, the host's own binary) in a network namespace of its own, with its own data
and state folders, on a bridge only the nodes and the host share.

Why not Docker-in-Docker: privileged containers cannot start here (the sandbox's
bounding set lacks CAP_SYS_RESOURCE, and `--privileged` asks for every capability),
and the host's dockerd runs with --live-restore, which Swarm refuses. A namespace is
what a DinD container would have given a node: an address, ports and iptables of its
own, so Swarm's 2377, 7946 and 4789 and its host-mode ports do not meet the host's,
while the host (the router, the tests) reaches every node's address directly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker

from tests import processes

#: The nodes' bridge and network; worker N of a test run gets 10.217.N.0/24.
NETWORK = "10.217.{group}.0/24"
#: dockerd's flags for pulling from the swarm's registry (runtime/swarm_registry.py) on
#: a node's address over plain HTTP.
INSECURE_REGISTRIES = ("--insecure-registry", "10.217.0.0/16")
#: What a manager needs and cannot pull: the stacks a push builds and runs on.
STACK_IMAGES = ["minidyno/stack:trixie", "minidyno/stack:trixie-build"]


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)


def _iptables(table: str, chain: str, *rule: str, add: bool = True) -> None:
    """A rule added once (`-C` finds it already there), or deleted if it is there."""
    there = not subprocess.run(["iptables", "-t", table, "-C", chain, *rule], capture_output=True).returncode
    if add and not there:
        subprocess.run(["iptables", "-t", table, "-I", chain, *rule], check=True, capture_output=True)
    elif not add and there:
        subprocess.run(["iptables", "-t", table, "-D", chain, *rule], check=True, capture_output=True)


@dataclass
class Node:
    name: str
    address: str
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def socket(self) -> str:
        return f"unix://{self.folder}/docker.sock"

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.socket, timeout=120)


class Nodes:
    """Nodes of one group (a test worker, a bench run): up on demand, all down at the
    end, their namespaces, bridge ends and folders removed."""

    def __init__(self, group: int) -> None:
        self.group = group
        # Short: containerd's socket under it must fit a socket address (108 bytes).
        self.folder = Path(f"/tmp/mdsw{group}")
        self.bridge = f"mdsw{group}"
        self.gateway = f"10.217.{group}.1"
        self.nodes: list[Node] = []

    def up(self, *dockerd_args: str) -> Node:
        index = len(self.nodes) + 1
        name = f"mdsw{self.group}n{index}"
        node = Node(name, f"10.217.{self.group}.{10 + index}", self.folder / name)
        self.nodes.append(node)
        if index == 1:
            self._leftovers()
            self._bridge()
        _ip("netns", "add", name)
        _ip("link", "add", f"{name}h", "type", "veth", "peer", "name", "eth0", "netns", name)
        _ip("link", "set", f"{name}h", "master", self.bridge, "up")
        _ip("-n", name, "addr", "add", f"{node.address}/24", "dev", "eth0")
        _ip("-n", name, "link", "set", "eth0", "up")
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "route", "add", "default", "via", self.gateway)
        node.folder.mkdir(parents=True)
        log = open(node.folder / "dockerd.log", "wb")  # noqa: SIM115 - the daemon's own
        # nsenter, not `ip netns exec`: that remounts /sys, and dockerd needs the host's
        # cgroup mounts under it.
        node.process = subprocess.Popen(
            [
                "nsenter",
                f"--net=/var/run/netns/{name}",
                "dockerd",
                "-H",
                node.socket,
                "--data-root",
                str(node.folder / "data"),
                "--exec-root",
                str(node.folder / "exec"),
                "--pidfile",
                str(node.folder / "docker.pid"),
                "--storage-driver",
                "overlay2",
                *dockerd_args,
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(docker.errors.DockerException):
                node.client().ping()
                return node
            if node.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(
            f"node {name}'s dockerd did not answer: {(node.folder / 'dockerd.log').read_text()[-2000:]}"
        )

    def _leftovers(self) -> None:
        """What a run killed before its teardown left of this group."""
        _kill_leftovers(self.folder)
        _unmount_under(self.folder)
        for index in range(1, 10):
            _ip("netns", "delete", f"mdsw{self.group}n{index}", check=False)
        _ip("link", "delete", self.bridge, check=False)
        self._rules(add=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _bridge(self) -> None:
        """The nodes' bridge, and their way out through the host (a build reaches PyPI)."""
        _ip("link", "add", self.bridge, "type", "bridge", check=False)
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge, check=False)
        _ip("link", "set", self.bridge, "up")
        self._rules(add=True)

    def _rules(self, add: bool) -> None:
        network = NETWORK.format(group=self.group)
        _iptables("nat", "POSTROUTING", "-s", network, "!", "-o", self.bridge, "-j", "MASQUERADE", add=add)
        _iptables("filter", "FORWARD", "-i", self.bridge, "-j", "ACCEPT", add=add)
        _iptables("filter", "FORWARD", "-o", self.bridge, "-j", "ACCEPT", add=add)

    def load(self, node: Node, images: list[str]) -> None:
        """Images the host's engine has, into the node's: no registry to pull from."""
        host = docker.from_env(timeout=300)
        target = node.client()
        for name in images:
            target.images.load(host.images.get(name).save(named=True))

    def down(self) -> None:
        for node in reversed(self.nodes):
            if node.process and node.process.poll() is None:
                _empty(node)
            processes.stop(node.process, 30)
            _kill_leftovers(node.folder)
            _unmount_under(node.folder)
            _ip("netns", "delete", node.name, check=False)
            _ip("link", "delete", f"{node.name}h", check=False)
        self.nodes.clear()
        self._leftovers()


def _empty(node: Node) -> None:
    """Its services and containers gone, so no process of it outlives its engine."""
    with contextlib.suppress(docker.errors.DockerException):
        client = node.client()
        with contextlib.suppress(docker.errors.APIError):
            for service in client.services.list():
                service.remove()
        for container in client.containers.list(all=True):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True)


def _kill_leftovers(folder: Path) -> None:
    """Its containerd and shims, started with the node's folder on their command line."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if f"{folder}/".encode() in (proc / "cmdline").read_bytes():
                os.kill(int(proc.name), signal.SIGKILL)


def _unmount_under(folder: Path) -> None:
    """What a dockerd killed mid-way left mounted (overlay layers, netns files)."""
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(f"{folder}/")]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)


def worker_group() -> int:
    """This pytest-xdist worker's group (gw0 → 1), so two workers' nodes never meet."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")) + 1
