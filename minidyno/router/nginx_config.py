"""Render the one nginx configuration the router runs, from the routes alone, through
templates/nginx.conf.j2.

Heroku's routing semantics live here as nginx directives: the forwarding headers, a
client's X-Request-Id kept when it is well formed, X-Request-Start in milliseconds,
a retry on another dyno when one refuses the connection, a 30 s response timeout, and
Heroku's error pages with their H-codes. Every app is served by one server, its
hostname mapped to the app and the app to its dynos, the activator or maintenance, so a
reload costs about the same for a hundred apps as for one. With TLS on, that server and
the default one also listen with TLS and HTTP/2 on the TLS port, as Heroku's router
terminates TLS, and the dashboard gets its own https origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from minidyno.certs import Leaf
from minidyno.router import error_pages
from minidyno.router.access_log import LOG_FORMAT
from minidyno.router.routes import AppRoute, hostnames

CONTROL_HOST = "minidyno-router.internal"
#: Where an app with no dyno up is sent inside nginx, on its way to the activator; no
#: client can ask for it (`internal`).
ACTIVATOR_PATH = "/.minidyno-activator"
#: How long nginx waits on the activator beyond the response timeout: a wake (H20
#: after 75 s) and a margin; the activator enforces both limits itself.
ACTIVATOR_WAKE_ALLOWANCE = 80

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)
#: nginx names an upstream by a word: `app_my_shop`.
_TEMPLATES.filters["upstream_name"] = lambda app: "app_" + app.replace("-", "_")
#: A hostname inside an nginx regex.
_TEMPLATES.filters["regex_host"] = lambda host: host.replace(".", r"\.")


@dataclass(frozen=True)
class Tls:
    """What the TLS side of the router needs: where it listens, the apps' certificate
    (every app's hostnames; None with no app), and the dashboard's (also served to
    clients that name no known host)."""

    listen: str
    http_port: int
    port: int
    apps: Leaf | None
    dashboard: Leaf
    dashboard_hosts: tuple[str, ...]
    api_port: int
    #: nginx 1.25.1 moved HTTP/2 from `listen … http2` to its own `http2 on;`.
    http2_directive: bool = False


def render(
    routes: list[AppRoute],
    *,
    listen: str,
    run_dir: Path,
    access_log: Path,
    activator_port: int,
    generation: int,
    tls: Tls | None = None,
    request_timeout: int = 30,
) -> str:
    """The whole nginx.conf. `generation` is served to the control host so a reload
    can be confirmed before an old dyno is stopped."""
    return _TEMPLATES.get_template("nginx.conf.j2").render(
        routes=routes,
        hostnames=hostnames(routes),
        listen=listen,
        run_dir=run_dir,
        pages=run_dir / "error-pages.conf",
        access_log=access_log,
        activator_port=activator_port,
        generation=generation,
        tls=tls,
        request_timeout=request_timeout,
        activator_wake_allowance=ACTIVATOR_WAKE_ALLOWANCE,
        control_host=CONTROL_HOST,
        activator_path=ACTIVATOR_PATH,
        log_format=LOG_FORMAT,
    )


def error_pages_conf() -> str:
    """Named locations that answer with the error pages inline: included by every
    server, read by nginx's master as root, so no worker needs to read a page file
    (MINIDYNO_HOME is often in a home folder nginx's workers cannot enter)."""
    blocks = []
    for name in error_pages.PAGES:
        status = 404 if name == "no-such-app" else 503
        body = error_pages.render(name).replace("'", "&#39;").replace("$", "&#36;")
        blocks.append(
            f'location @{name} {{\n    default_type "text/html; charset=utf-8";\n'
            f'    add_header Via "1.1 minidyno" always;\n'
            f"    return {status} '{body}';\n}}\n"
        )
    return "".join(blocks)
