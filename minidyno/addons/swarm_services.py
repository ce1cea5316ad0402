"""Add-on servers on a swarm: each a service of one task pinned to the manager, where
its volume is and where the platform's own tools (psql, pg_dump, valkey-cli) run inside
its container. Dynos on every node reach it at the add-on's name on the app's overlay
network, and nothing else does: no port of it is published, on the host or any node.

Its certificate goes in as two Swarm secrets mounted where the image reads it (a task's
container cannot be written to before it starts). Swarm restarts the server when it
stops, as `unless-stopped` does for the Docker runtime's add-on containers.
"""

from __future__ import annotations

import contextlib
import time

from docker.errors import APIError, NotFound
from docker.models.containers import Container
from docker.types import (
    ContainerSpec,
    EndpointSpec,
    Mount,
    NetworkAttachmentConfig,
    Placement,
    Resources,
    RestartPolicy,
    SecretReference,
    ServiceMode,
    TaskTemplate,
)
from docker.utils import parse_bytes

from minidyno.addons.service_container import Server, ServiceContainers
from minidyno.errors import UserError
from minidyno.state.addons import Addon

#: How long Swarm may take to run a new server's task, and to let go of a removed one's
#: volume and secrets.
_TIMEOUT = 60.0
#: Each secret's suffix, and the file it is in the image's TLS folder.
_CERTIFICATE = {"crt": "server.crt", "key": "server.key"}


class SwarmServiceContainers(ServiceContainers):
    def name(self, addon: Addon) -> str:
        """Without the app's name, which the Docker runtime's has: Swarm allows 63
        characters in a service's name and 64 in a secret's (this and `-crt`)."""
        return f"minidyno-{self.settings.home_id}-{addon.name}"

    def get(self, addon: Addon) -> Container:
        """Its running task's container, on the manager."""
        name = self.name(addon)
        running = self.engine.containers.list(filters={"label": f"com.docker.swarm.service.name={name}"})
        if running:
            return running[0]
        if not self.engine.api.services(filters={"name": name}):
            raise UserError(f"the service of {addon.name} is gone; destroy the add-on and create it again")
        raise UserError(f"{addon.name} is not running now; see `docker service ps {name}`")

    runs_as = "service"

    def _run(
        self,
        addon: Addon,
        server: Server,
        resource: dict[str, str],
        network: str,
        certificate: tuple[bytes, bytes],
    ) -> Container:
        """Its service made and its task's container running. `server.publish` is not
        published: the host's tools run inside the container instead."""
        name = self.name(addon)
        manager = self.engine.info()["Swarm"]["NodeID"]
        volume = self.engine.volumes.create(f"{name}-data", labels=resource)
        secrets = [
            self.engine.secrets.create(name=f"{name}-{suffix}", data=data, labels=resource)
            for suffix, data in zip(_CERTIFICATE, certificate, strict=True)
        ]
        resources = Resources(mem_limit=parse_bytes(server.mem_limit))
        if server.pids_limit:
            resources["Limits"]["Pids"] = server.pids_limit
        self.engine.api.create_service(
            TaskTemplate(
                ContainerSpec(
                    server.image,
                    env=server.environment,
                    labels=resource,
                    mounts=[Mount(server.data_dir, volume.name, labels=resource)],
                    # Readable by the image's one user, whose uid the spec cannot name.
                    secrets=[
                        SecretReference(
                            secret.id, secret.name, filename=f"{server.tls_dir}/{file}", mode=0o444
                        )
                        for file, secret in zip(_CERTIFICATE.values(), secrets, strict=True)
                    ],
                ),
                resources=resources,
                restart_policy=RestartPolicy(condition="any", delay=int(1e9)),
                placement=Placement(constraints=[f"node.id=={manager}"]),
                networks=[NetworkAttachmentConfig(network, aliases=[addon.name])],
            ),
            name=name,
            labels=resource,
            mode=ServiceMode("replicated", 1),
            endpoint_spec=EndpointSpec(mode="dnsrr"),
        )
        return self._running(addon)

    def _running(self, addon: Addon) -> Container:
        deadline = time.monotonic() + _TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(UserError):
                return self.get(addon)
            time.sleep(0.1)
        tasks = self.engine.api.tasks(filters={"service": self.name(addon)})
        said = "; ".join(filter(None, (t["Status"].get("Err") or t["Status"].get("Message") for t in tasks)))
        raise UserError(f"{addon.name} did not start within {_TIMEOUT:.0f} s ({said or 'no task yet'})")

    def host_port(self, addon: Addon, port: int) -> int | None:
        """None: the host's tools reach the server from inside its container."""
        return None

    def remove(self, addon: Addon) -> None:
        """Its service, then its volume and secrets once Swarm has removed the task
        that used them."""
        name = self.name(addon)
        with contextlib.suppress(NotFound):
            self.engine.api.remove_service(name)
        # The secrets are free once the service is gone; the volume once its task is.
        leftovers = [
            *((self.engine.secrets.get, f"{name}-{suffix}") for suffix in _CERTIFICATE),
            (self.engine.volumes.get, f"{name}-data"),
        ]
        deadline = time.monotonic() + _TIMEOUT
        for get, resource in leftovers:
            while True:
                try:
                    get(resource).remove()
                    break
                except NotFound:
                    break
                except APIError as exc:
                    if "in use" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
