"""Where apps' networks get their addresses: a pool of minidyno's own
(MINIDYNO_NETWORK_POOL, 10.213.0.0/16), cut into /26 subnets, one per app.

Each app keeps a network of its own, which is what keeps one app's dynos from another
app's databases. Docker's default address pools hold about 30 such networks, so a class
of 30 students' apps would not fit; a /16 of /26s holds 1,024 apps, each with room for
61 containers (dynos, one-offs and add-ons). A subnet is taken only if it overlaps none
of the engine's networks and none of the host's routes, so neither another server on
the same engine nor the host's own networks are shadowed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network

#: Each app's subnet: 64 addresses, 61 for containers.
PREFIX = 26
ROUTES = "/proc/net/route"


def capacity(pool: IPv4Network) -> int:
    """How many apps' networks the pool holds."""
    return 2 ** (PREFIX - pool.prefixlen) if pool.prefixlen <= PREFIX else 0


def free(pool: IPv4Network, taken: Iterable[IPv4Network]) -> Iterator[IPv4Network]:
    """The pool's subnets, in order, that overlap nothing taken."""
    taken = list(taken)
    for subnet in pool.subnets(new_prefix=PREFIX):
        if not any(subnet.overlaps(other) for other in taken):
            yield subnet


def host_routes(table: str) -> list[IPv4Network]:
    """The networks the host routes to directly or through a gateway, from the text of
    /proc/net/route (addresses in little-endian hex); the default route names no network
    of its own, so it is left out."""
    found = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        destination, mask = (_address(fields[i]) for i in (1, 7))
        if int(mask):
            found.append(IPv4Network(f"{destination}/{mask}", strict=False))
    return found


def read_host_routes() -> list[IPv4Network]:
    try:
        with open(ROUTES) as table:
            return host_routes(table.read())
    except OSError:
        return []


def _address(little_endian_hex: str) -> IPv4Address:
    return IPv4Address(int.from_bytes(bytes.fromhex(little_endian_hex), "little"))
