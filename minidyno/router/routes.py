"""What the router should do for each app: the state the nginx configuration is
rendered from, kept free of nginx syntax so it can be tested and reused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AppRoute:
    app: str
    hostnames: tuple[str, ...]
    #: `ip:port` of each web dyno that is up; empty means H14 (no web dynos running).
    upstreams: tuple[str, ...] = field(default_factory=tuple)


def route_for(app: str, domain: str, upstreams: list[str]) -> AppRoute:
    return AppRoute(app=app, hostnames=(f"{app}.{domain}",), upstreams=tuple(sorted(upstreams)))
