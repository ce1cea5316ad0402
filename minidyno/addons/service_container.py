"""What the add-ons whose server runs in a container of its own (Postgres, Key-Value
Store) share: one container per add-on on the app's own network, reached by dynos at
the add-on's name (a network alias), its data in a named volume, a certificate from
minidyno's CA put in before the first start, limits, and removal of it all."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import docker
from docker.errors import DockerException, NotFound
from docker.models.containers import Container

from minidyno import labels
from minidyno.certs import CertificateAuthority
from minidyno.errors import UserError
from minidyno.settings import Settings
from minidyno.stacks.service_image import file_archive
from minidyno.state.addons import Addon


@dataclass(frozen=True)
class Server:
    """What an add-on's server runs, on either runtime: its image, with its data volume
    mounted at `data_dir` and its certificate put in `tls_dir`."""

    kind: str
    image: str
    data_dir: str
    tls_dir: str
    environment: dict[str, str]
    mem_limit: str
    pids_limit: int | None = None
    #: Its port also published on 127.0.0.1 for the host's own tools, where the runtime
    #: publishes any (not on a swarm).
    publish: int | None = None


@dataclass(frozen=True)
class ServiceContainers:
    engine: docker.DockerClient
    settings: Settings
    ca: CertificateAuthority
    #: The app's own network (made if missing): the add-on joins its dynos there.
    ensure_network: Callable[[str], str]

    def name(self, addon: Addon) -> str:
        return f"{labels.prefix(self.settings, addon.app)}-{addon.name}"

    def get(self, addon: Addon) -> Container:
        try:
            return self.engine.containers.get(self.name(addon))
        except NotFound:
            raise UserError(
                f"the container of {addon.name} is gone; destroy the add-on and create it again"
            ) from None

    #: What an add-on's server runs as here, as a failed start names it.
    runs_as = "container"

    def start(self, addon: Addon, server: Server) -> Container:
        """Its server started, with its volume mounted at `server.data_dir` and its
        certificate (for the name dynos reach it by, and 127.0.0.1 for the host's own
        tools) in `server.tls_dir`; on failure nothing of it is left, and one line says
        what failed."""
        resource = labels.for_resource(self.settings, addon.app, server.kind, addon.name)
        network = self.ensure_network(addon.app)
        certificate = self.ca.issue((addon.name, "localhost", "127.0.0.1"))
        try:
            return self._run(addon, server, resource, network, certificate)
        except Exception as exc:
            # Its first error is the one to tell, not one of the clean-up's.
            with contextlib.suppress(DockerException):
                self.remove(addon)
            if not isinstance(exc, DockerException):
                raise
            raise UserError(
                f"could not start {addon.name}'s {self.runs_as} ({exc}); "
                "free disk space or memory and try again"
            ) from None

    def _run(
        self,
        addon: Addon,
        server: Server,
        resource: dict[str, str],
        network: str,
        certificate: tuple[bytes, bytes],
    ) -> Container:
        """Its container made, the certificate put in before the first start."""
        name = self.name(addon)
        volume = self.engine.volumes.create(f"{name}-data", labels=resource)
        container = self.engine.containers.create(
            server.image,
            name=name,
            detach=True,
            environment=server.environment,
            volumes={volume.name: {"bind": server.data_dir, "mode": "rw"}},
            network=network,
            networking_config={network: self.engine.api.create_endpoint_config(aliases=[addon.name])},
            labels=resource,
            mem_limit=server.mem_limit,
            restart_policy={"Name": "unless-stopped"},
            security_opt=["no-new-privileges"],
            pids_limit=server.pids_limit,
            ports={f"{server.publish}/tcp": ("127.0.0.1", None)} if server.publish else None,
        )
        chain, key = certificate
        container.put_archive(server.tls_dir, file_archive({"server.crt": chain, "server.key": key}))
        container.start()
        return container

    def host_port(self, addon: Addon, port: int) -> int | None:
        """The host's port for `port` of the add-on's server, the one psql on the host
        connects to (Docker picked it at start)."""
        container = self.get(addon)
        return int(container.attrs["NetworkSettings"]["Ports"][f"{port}/tcp"][0]["HostPort"])

    def remove(self, addon: Addon) -> None:
        """Its container and its data gone; already gone is no error."""
        name = self.name(addon)
        with contextlib.suppress(NotFound):
            self.engine.containers.get(name).remove(force=True)
        with contextlib.suppress(NotFound):
            self.engine.volumes.get(f"{name}-data").remove(force=True)
