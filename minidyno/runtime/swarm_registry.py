"""Where a swarm's nodes get release images: a registry service (minidyno/registry:2)
pinned to the manager, its storage in a volume there, its port published in host mode
on the manager's address. Builds stay on the manager; a release image is pushed the
first time a dyno of it starts, and nodes pull it by that name.

Every node's dockerd must accept the registry over plain HTTP (`insecure-registries`
in /etc/docker/daemon.json, the manager's included), as Docker does unasked only for
127.0.0.0/8; a push it refuses says so.
"""

from __future__ import annotations

import threading
import time

import docker
import httpx
from docker.errors import APIError, NotFound
from docker.types import (
    ContainerSpec,
    EndpointSpec,
    Mount,
    Placement,
    RestartPolicy,
    ServiceMode,
    TaskTemplate,
)

from minidyno import labels
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.runtime.swarm_cluster import NodeAddresses
from minidyno.settings import Settings
from minidyno.stacks import registry

#: How long a new registry may take to answer.
_START_TIMEOUT = 60.0


class SwarmRegistry:
    def __init__(self, engine: docker.DockerClient, settings: Settings, nodes: NodeAddresses) -> None:
        self.engine = engine
        self.settings = settings
        self.nodes = nodes
        self.name = f"minidyno-{settings.home_id}-registry"
        self.address = ""
        self._pushed: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def ensure(self, say: Say) -> None:
        """The registry service up and answering (made when missing)."""
        registry.RECIPE.ensure(self.engine, self.settings, say)
        manager = self.engine.info()["Swarm"]["NodeID"]
        self.address = f"{self.nodes.of(manager)}:{self.settings.swarm_registry_port}"
        if not self.engine.api.services(filters={"name": self.name}):
            self._create(manager)
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://{self.address}/v2/", timeout=2).status_code == 200:
                    say(f"Release images go to the swarm's registry at {self.address} (service {self.name})")
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise UserError(
            f"the swarm's registry did not answer at {self.address} within {_START_TIMEOUT:.0f} s; "
            f"see `docker service ps {self.name}` (MINIDYNO_SWARM_REGISTRY_PORT picks its port)"
        )

    def _create(self, manager: str) -> None:
        """Swarm restarts it (it is the platform's, not a dyno); on the manager only,
        where its volume is."""
        own = {labels.HOME: str(self.settings.home), labels.PROCESS: "registry"}
        self.engine.api.create_service(
            TaskTemplate(
                ContainerSpec(
                    registry.IMAGE,
                    labels=own,
                    mounts=[Mount(registry.DATA_DIR, f"{self.name}-data", labels=own)],
                    cap_drop=["ALL"],
                ),
                restart_policy=RestartPolicy(condition="any", delay=int(1e9)),
                placement=Placement(constraints=[f"node.id=={manager}"]),
            ),
            name=self.name,
            labels=own,
            mode=ServiceMode("replicated", 1),
            endpoint_spec=EndpointSpec(
                mode="dnsrr",
                ports=[
                    {
                        "Protocol": "tcp",
                        "TargetPort": registry.PORT,
                        "PublishedPort": self.settings.swarm_registry_port,
                        "PublishMode": "host",
                    }
                ],
            ),
        )

    def image_for(self, local: str) -> str:
        """The name every node pulls `local` by, pushed there first (once per image
        and server run; a push of layers the registry has sends only their names).
        Pushed again when the name now means another image (an app made anew)."""
        remote = f"{self.address}/{local}"
        try:
            image = self.engine.images.get(local)
            with self._lock:
                if (remote, image.id) in self._pushed:
                    return remote
                image.tag(remote)
                repository, tag = remote.rsplit(":", 1)
                for line in self.engine.api.push(repository, tag, stream=True, decode=True):
                    if "error" in line:
                        raise UserError(self._refused(local, line["error"]))
                self._pushed.add((remote, image.id))
        except (APIError, NotFound) as exc:
            raise UserError(self._refused(local, str(exc.explanation or exc))) from None
        return remote

    def _refused(self, local: str, said: str) -> str:
        hint = (
            f"add {self.address} to insecure-registries on every node"
            if "HTTP response to HTTPS client" in said
            else f"see `docker service ps {self.name}`"
        )
        return (
            f"the swarm's registry at {self.address} did not take {local} ({said.strip()}), "
            f"so no node could pull it; {hint}, then push again"
        )
