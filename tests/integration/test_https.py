"""HTTPS at the router, as Heroku's router terminates TLS: certificates from minidyno's
own CA for every app hostname and custom domain, HTTP/2, the forwarding headers an app
behind TLS relies on, an app's redirect to https landing on the TLS port, and a config
change that crashes the web dyno released as Heroku would, with H10 after it."""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, logs, ps, wait_for

#: The sample app plus what Django's SECURE_SSL_REDIRECT does: behind the router,
#: with gunicorn trusting X-Forwarded-Proto (FORWARDED_ALLOW_IPS=* from the buildpack),
#: a plain-http request is redirected to https on the Host it came in on. CRASH set
#: makes it fail at import, as an app missing its database driver does.
SECURE_APP = """\
import os
from flask import Flask, jsonify, redirect, request

if os.environ.get("CRASH"):
    raise RuntimeError("CRASH is set: failing at boot")

app = Flask(__name__)


@app.before_request
def https_only():
    if "DYNO" in os.environ and not request.is_secure:
        return redirect(request.url.replace("http://", "https://", 1), code=301)


@app.get("/")
def index():
    return f"secure on {os.environ['DYNO']} via {request.scheme}"


@app.get("/headers")
def headers():
    return jsonify(dict(request.headers))
"""


def secure_app(server: Server, tmp_path: Path, app: str) -> Path:
    """--preload: the app is imported before gunicorn binds, so a crash at import ends
    the dyno (without it gunicorn 23's master outlives its failed workers, bound)."""
    server.cli("apps:create", app)
    src = server.app_source(
        tmp_path,
        app,
        {"app.py": SECURE_APP, "Procfile": "web: gunicorn app:app --preload --bind 0.0.0.0:$PORT\n"},
    )
    pushed = server.push(src)
    assert f"https://{app}.localhost:{server.router_tls_port}/ deployed to minidyno" in pushed.stderr
    return src


def test_the_ca_is_made_once_private_and_explained(server: Server):
    key = server.home / "ca" / "minidyno-ca.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (server.home / "ca").stat().st_mode & 0o777 == 0o700
    shown = server.cli("certs").stdout
    assert str(server.ca_path) in shown and "update-ca-certificates" in shown
    assert "certutil -d sql:$HOME/.pki/nssdb" in shown
    assert server.cli("certs", "--pem").stdout == server.ca_path.read_text()

    first = server.ca_path.read_bytes()
    server.stop()
    server.start()
    assert server.ca_path.read_bytes() == first


def test_every_app_is_served_over_tls_and_http2_with_heroku_headers(server: Server, tmp_path: Path):
    secure_app(server, tmp_path, "secure")
    assert (
        f"https://secure.localhost:{server.router_tls_port}/"
        in server.cli("apps:info", "-a", "secure").stdout
    )

    answer = server.router_https("secure", "/")
    assert answer.status_code == 200 and answer.text == "secure on web.1 via https"
    headers = server.router_https("secure", "/headers").json()
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["X-Forwarded-Port"] == str(server.router_tls_port)
    assert headers["Via"] == "1.1 minidyno"

    version = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version}",
            "--http2",
            "--cacert",
            str(server.ca_path),
            f"https://secure.localhost:{server.router_tls_port}/",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert version.stdout == "2", version.stderr

    # The certificate names the app exactly (no wildcard under .localhost) and comes
    # from this server's CA; a custom domain gets one too.
    server.cli("domains:add", "www.secure.test", "-a", "secure")
    context = ssl.create_default_context(cafile=str(server.ca_path))
    for host in ("secure.localhost", "www.secure.test"):
        with context.wrap_socket(_connect(server), server_hostname=host) as tls:
            names = [v for k, v in tls.getpeercert()["subjectAltName"] if k == "DNS"]
            assert names == [host] or host in names
    assert "web.1 via https" in server.via_router(f"https://www.secure.test:{server.router_tls_port}/").text
    assert wait_for(
        lambda: re.search(r"host=secure\.localhost .*protocol=https", logs(server, "secure")), 10, 0.1
    )


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.router_tls_port), timeout=10)


def test_a_redirect_to_https_lands_on_the_tls_port(server: Server, tmp_path: Path):
    secure_app(server, tmp_path, "redirecting")

    plain = server.router_get("redirecting", "/some/page?x=1", follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"] == (
        f"https://redirecting.localhost:{server.router_tls_port}/some/page?x=1"
    )
    followed = server.via_router(f"http://redirecting.localhost:{server.router_port}/", follow_redirects=True)
    assert followed.status_code == 200 and followed.text == "secure on web.1 via https"
    assert len(followed.history) == 1


def test_a_config_change_that_crashes_web_is_released_and_h10_follows(server: Server, tmp_path: Path):
    secure_app(server, tmp_path, "crashing")

    changed = server.cli("config:set", "CRASH=1", "-a", "crashing")

    assert "web.1 crashed" in changed.stderr and "v2 is released" in changed.stderr
    assert server.cli("config:get", "CRASH", "-a", "crashing").stdout.strip() == "1"
    newest = server.cli("releases", "-a", "crashing").stdout.splitlines()[1]
    assert "Set CRASH config vars" in newest and "failed" not in newest
    assert wait_for(lambda: ps(server, "crashing").get("web.1", {}).get("state") == "crashed", 30, 0.1)
    answer = server.router_https("crashing", "/")
    assert answer.status_code == 503 and "H10" in answer.text
    assert wait_for(lambda: "code=H10" in logs(server, "crashing"), 10, 0.1)
    assert "CRASH is set: failing at boot" in logs(server, "crashing")

    server.cli("config:unset", "CRASH", "-a", "crashing")
    assert server.router_https("crashing", "/").text == "secure on web.1 via https"


@pytest.mark.server_env(MINIDYNO_ROUTER_TLS_PORT="0")
def test_tls_can_be_turned_off(server: Server):
    server.cli("apps:create", "plain")
    assert f"http://plain.localhost:{server.router_port}/" in server.cli("apps:info", "-a", "plain").stdout
    assert "ssl_certificate" not in (server.home / "router" / "nginx.conf").read_text()
