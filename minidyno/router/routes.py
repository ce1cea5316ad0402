"""What the router should do for each app: the state the nginx configuration is
rendered from, kept free of nginx syntax so it can be tested and reused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AppRoute:
    app: str
    hostnames: tuple[str, ...]
    #: `ip:port` of each web dyno that is up. With none, requests go to the activator,
    #: which wakes an idle app or answers H10, H14 or H20 itself.
    upstreams: tuple[str, ...] = field(default_factory=tuple)
    #: Under `maintenance:on` every request is answered with H80, dynos or not.
    maintenance: bool = False


def hostnames(routes: list[AppRoute]) -> tuple[str, ...]:
    """Every app's hostnames, in the routes' order: the one server that serves all apps
    answers to them, and its certificate names them."""
    return tuple(h for route in routes for h in route.hostnames)


def route_for(
    app: str, domain: str, upstreams: list[str], custom_domains: list[str] = (), maintenance: bool = False
) -> AppRoute:
    return AppRoute(
        app=app,
        hostnames=(f"{app}.{domain}", *custom_domains),
        upstreams=tuple(sorted(upstreams)),
        maintenance=maintenance,
    )
