"""Which swarm the dynos run on (MINIDYNO_RUNTIME=swarm): the one the engine manages,
or a new one minidyno initialises on it; and where each of its nodes is reached.

minidyno hands "run this dyno" to Swarm and never schedules nodes itself. It needs a
manager: only managers take services. An engine that is a worker, or one Swarm
refuses (dockerd's --live-restore, several addresses to choose from), is a one-line
error that says what to change; nothing is half made.
"""

from __future__ import annotations

import threading

import docker
from docker.errors import APIError, NotFound

from minidyno.errors import UserError
from minidyno.settings import Settings

#: Where the overlay networks of a swarm minidyno initialises get their subnets. Swarm's
#: own default (10.0.0.0/8) covers minidyno's MINIDYNO_NETWORK_POOL and most private
#: networks a host routes to; this /16 is next to minidyno's own, in /24s (254 tasks
#: each). Only `swarm init` can set it.
ADDRESS_POOL = "10.214.0.0/16"
SUBNET_SIZE = 24

_HINTS = {
    "live-restore": "restart dockerd without --live-restore (Swarm refuses it; in "
    '/etc/docker/daemon.json set "live-restore": false), or point DOCKER_HOST at a manager '
    "of an existing swarm",
    "advertise": "set MINIDYNO_SWARM_ADVERTISE_ADDR to the address the other nodes reach this one at",
}


class SwarmUnavailable(UserError):
    """The engine is in no swarm minidyno can use and could not be made a manager of one."""


def ensure(engine: docker.DockerClient, settings: Settings) -> str:
    """Make sure the engine manages a swarm (initialising one when it is in none); what
    minidyno runs on, in words, for the server's first lines."""
    swarm = engine.info().get("Swarm") or {}
    state = swarm.get("LocalNodeState", "inactive")
    if state == "inactive":
        _initialise(engine, settings)
        made = "initialised"
    elif state != "active":
        raise SwarmUnavailable(
            f"this engine's swarm membership is {state}; run `docker swarm leave --force` "
            "or finish joining, then start minidyno again"
        )
    elif not swarm.get("ControlAvailable"):
        managers = ", ".join(m.get("Addr", "") for m in swarm.get("RemoteManagers") or [])
        raise SwarmUnavailable(
            f"this engine is a worker of swarm {swarm.get('Cluster', {}).get('ID', '')[:12]}; "
            f"point DOCKER_HOST at one of its managers ({managers})"
        )
    else:
        made = "joined"
    swarm = engine.info()["Swarm"]
    nodes, managers = swarm.get("Nodes", 1), swarm.get("Managers", 1)
    return (
        f"Swarm {swarm['Cluster']['ID'][:12]} {made}: this engine is manager {swarm['NodeID'][:12]} "
        f"({swarm.get('NodeAddr', '?')}), {nodes} node(s), {managers} manager(s)"
    )


def _initialise(engine: docker.DockerClient, settings: Settings) -> None:
    try:
        engine.swarm.init(
            advertise_addr=settings.swarm_advertise_addr,
            listen_addr="0.0.0.0:2377",
            default_addr_pool=[ADDRESS_POOL],
            subnet_size=SUBNET_SIZE,
        )
    except APIError as exc:
        said = str(exc.explanation or exc)
        hint = next((h for key, h in _HINTS.items() if key in said), "see dockerd's log")
        raise SwarmUnavailable(f"Docker refused to initialise a swarm: {said}; {hint}") from None


class NodeAddresses:
    """Where the router reaches a node's host-mode ports, by node id: asked of the
    swarm once per node, since a node keeps its address while it is a member."""

    def __init__(self, engine: docker.DockerClient) -> None:
        self.engine = engine
        self._known: dict[str, str] = {}
        self._lock = threading.Lock()

    def of(self, node_id: str) -> str:
        with self._lock:
            if node_id not in self._known:
                self._known[node_id] = address_of(self.engine.api.inspect_node(node_id))
            return self._known[node_id]

    def lost(self, node_id: str) -> str:
        """Why Swarm shut down a node's tasks ("" while it is ready and not drained):
        drained, down (it left the swarm, or its engine stopped answering the managers),
        or removed. Swarm does not start them elsewhere when their restart policy is off."""
        try:
            node = self.engine.api.inspect_node(node_id)
        except NotFound:
            with self._lock:
                known = self._known.get(node_id, node_id[:12])
            return f"its node {known} was removed from the swarm"
        state = (node.get("Status") or {}).get("State", "")
        if state != "ready":
            return f"its node {address_of(node)} is {state} (it left the swarm, or stopped answering)"
        if (node.get("Spec") or {}).get("Availability") == "drain":
            return f"its node {address_of(node)} was drained"
        return ""


def address_of(node: dict) -> str:
    """A node's address: what it reported, or for a manager that reported none
    (`0.0.0.0`, as a manager initialised on a single address does) its manager address."""
    address = (node.get("Status") or {}).get("Addr", "")
    if address in ("", "0.0.0.0"):
        address = (node.get("ManagerStatus") or {}).get("Addr", "").rsplit(":", 1)[0]
    return address
