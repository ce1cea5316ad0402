"""Render the one nginx configuration the router runs, from the routes alone.

Heroku's routing semantics live here as nginx directives: the forwarding headers, a
client's X-Request-Id kept when it is well formed, X-Request-Start in milliseconds,
a retry on another dyno when one refuses the connection, a 30 s response timeout, and
Heroku's error pages with their H-codes. With TLS on, every server also listens with
TLS and HTTP/2 on the TLS port, as Heroku's router terminates TLS, and the dashboard
gets its own https origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from minidyno.certs import Leaf
from minidyno.router import error_pages
from minidyno.router.access_log import LOG_FORMAT
from minidyno.router.routes import AppRoute

CONTROL_HOST = "minidyno-router.internal"
#: How long nginx waits on the activator beyond the response timeout: a wake (H20
#: after 75 s) and a margin; the activator enforces both limits itself.
ACTIVATOR_WAKE_ALLOWANCE = 80

_HTTP_COMMON = r"""
    server_tokens off;
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_max_temp_file_size 0;
    proxy_http_version 1.1;
    proxy_connect_timeout 5s;
    proxy_read_timeout %(request_timeout)ss;
    proxy_send_timeout %(request_timeout)ss;
    proxy_next_upstream error;
    proxy_next_upstream_tries 3;

    map $http_upgrade $minidyno_connection {
        default upgrade;
        "" "";
    }
    map $http_x_request_id $minidyno_request_id {
        "~^[A-Za-z0-9+/=-]{20,200}$" $http_x_request_id;
        default $request_id;
    }
    # What the activator says of a request it answered (an H-code, the dyno it woke)
    # reaches the router log only from the activator: a dyno's own response headers of
    # the same names are not believed.
    map "$minidyno_activator:$upstream_http_x_minidyno_code" $minidyno_activator_code {
        "~^1:(?<code>H\d\d)$" $code;
        default "";
    }
    map "$minidyno_activator:$upstream_http_x_minidyno_dyno" $minidyno_activator_dyno {
        "~^1:(?<dyno>[a-z0-9_-]+\.\d+)$" $dyno;
        default "";
    }
    # minidyno's own session cookie never reaches a dyno: the dashboard and the apps
    # share a site (cookies ignore ports), and app code must not get a login.
    map $http_cookie $minidyno_cookie_once {
        "~^(?<before>.*?)\bminidyno_session=[^;]*;?\s*(?<after>.*)$" "$before$after";
        default $http_cookie;
    }
    map $minidyno_cookie_once $minidyno_cookie {
        "~^(?<before>.*?)\bminidyno_session=[^;]*;?\s*(?<after>.*)$" "$before$after";
        default $minidyno_cookie_once;
    }
    map $msec $minidyno_request_start {
        "~^(?<sec>\d+)\.(?<ms>\d+)$" "$sec$ms";
    }

    log_format minidyno escape=default '%(log_format)s';
    client_header_timeout 10s;
    client_body_timeout 30s;
    large_client_header_buffers 4 16k;
"""

_TLS_COMMON = """
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:minidyno_tls:10m;
    ssl_session_timeout 1h;
"""

_PROXY_HEADERS = """
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $minidyno_connection;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Request-Id $minidyno_request_id;
            proxy_set_header X-Request-Start $minidyno_request_start;
            proxy_set_header Via "1.1 minidyno";
            proxy_set_header Cookie $minidyno_cookie;
"""


@dataclass(frozen=True)
class Tls:
    """What the TLS side of the router needs: where it listens, a certificate per app,
    and the dashboard's (also served to clients that name no known host)."""

    listen: str
    http_port: int
    port: int
    certs: dict[str, Leaf]
    dashboard: Leaf
    dashboard_hosts: tuple[str, ...]
    api_port: int
    #: nginx 1.25.1 moved HTTP/2 from `listen … http2` to its own `http2 on;`.
    http2_directive: bool = False


def _upstream_name(app: str) -> str:
    return "app_" + app.replace("-", "_")


def _tls_listen(tls: Tls, flag: str = "") -> str:
    if tls.http2_directive:
        return f"\n        listen {tls.listen} ssl{flag};\n        http2 on;"
    return f"\n        listen {tls.listen} ssl http2{flag};"


def _listens(listen: str, tls: Tls | None, default: bool = False) -> str:
    flag = " default_server" if default else ""
    return f"\n        listen {listen}{flag};" + (_tls_listen(tls, flag) if tls else "")


def _certificate(leaf: Leaf) -> str:
    return f"""
        ssl_certificate {leaf.cert};
        ssl_certificate_key {leaf.key};"""


def _server_head(
    listen: str, pages_conf: Path, tls: Tls | None, leaf: Leaf | None = None, default: bool = False
) -> str:
    head = _listens(listen, tls, default)
    if tls and leaf:
        head += _certificate(leaf)
    return (
        head
        + f"""
        add_header Via "1.1 minidyno" always;
        error_page 502 =503 @h13;
        error_page 504 =503 @h12;
        include {pages_conf};"""
    )


def _https_redirects(hostnames: tuple[str, ...], tls: Tls | None) -> str:
    """An app that redirects to https builds its URL from the Host it was asked for,
    so behind a custom HTTP port it says `https://host:8080/` (or, from a bare Host,
    `https://host/`), where nothing speaks TLS: point such a Location at the TLS port."""
    if not tls:
        return ""
    hosts = "|".join(h.replace(".", r"\.") for h in hostnames)
    port = "" if tls.port == 443 else f":{tls.port}"
    return f"""
            proxy_redirect "~*^https://({hosts})(:{tls.http_port})?(/.*)?$" "https://$1{port}$3";"""


def _app_server(route: AppRoute, listen: str, pages: Path, tls: Tls | None, request_timeout: int) -> str:
    code = "H80" if route.maintenance else ""
    leaf = tls.certs.get(route.app) if tls else None
    head = f"""
    server {{{_server_head(listen, pages, tls, leaf)}
        server_name {" ".join(route.hostnames)};
        set $minidyno_app {route.app};
        set $minidyno_code "{code}";
        set $minidyno_activator "";"""
    redirects = _https_redirects(route.hostnames, tls)
    if route.maintenance:
        return (
            head
            + """
        location / {
            return 503;
        }
        error_page 503 @h80;
    }
"""
        )
    if not route.upstreams:
        return (
            head
            + f"""
        location / {{{_PROXY_HEADERS}{redirects}
            proxy_set_header X-Minidyno-App {route.app};
            set $minidyno_activator 1;
            proxy_read_timeout {ACTIVATOR_WAKE_ALLOWANCE + request_timeout}s;
            proxy_pass http://minidyno_activator;
        }}
    }}
"""
        )
    return (
        head
        + f"""
        location / {{{_PROXY_HEADERS}{redirects}
            proxy_pass http://{_upstream_name(route.app)};
        }}
    }}
"""
    )


def _upstream(route: AppRoute) -> str:
    servers = "".join(f"        server {u} max_fails=0;\n" for u in route.upstreams)
    return f"""
    upstream {_upstream_name(route.app)} {{
        random;
{servers}        keepalive 32;
    }}
"""


def _dashboard_server(tls: Tls) -> str:
    """The dashboard's https origin: the API behind TLS, streams and WebSockets kept
    open as long as the page is."""
    return f"""
    server {{{_tls_listen(tls)}{_certificate(tls.dashboard)}
        server_name {" ".join(tls.dashboard_hosts)};
        access_log off;
        location / {{
            proxy_pass http://127.0.0.1:{tls.api_port};
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $minidyno_connection;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}
    }}
"""


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
    pages = run_dir / "error-pages.conf"
    upstreams = "".join(_upstream(r) for r in routes if r.upstreams and not r.maintenance)
    upstreams += f"""
    upstream minidyno_activator {{
        server 127.0.0.1:{activator_port};
        keepalive 16;
    }}
"""
    servers = "".join(_app_server(r, listen, pages, tls, request_timeout) for r in routes)
    if tls:
        servers += _dashboard_server(tls)
    temp = {name: run_dir / "tmp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return f"""# Rendered by minidyno from its state; edits are overwritten on the next change.
worker_processes auto;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    default_type text/html;
{_HTTP_COMMON % {"log_format": LOG_FORMAT, "request_timeout": request_timeout}}
    access_log {access_log} minidyno buffer=64k flush=200ms;
{_TLS_COMMON if tls else ""}{upstreams}
    server {{{_server_head(listen, pages, tls, tls.dashboard if tls else None, default=True)}
        server_name _;
        set $minidyno_app "";
        set $minidyno_code "";
        set $minidyno_activator "";
        location / {{
            return 404;
        }}
        error_page 404 @no-such-app;
    }}

    server {{
        listen {listen};
        server_name {CONTROL_HOST};
        set $minidyno_app "";
        set $minidyno_code "";
        set $minidyno_activator "";
        access_log off;
        location = /generation {{
            return 200 "{generation}";
        }}
    }}
{servers}}}
"""


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
