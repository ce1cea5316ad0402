"""Finding 1, against a real server: the dashboard's cookie was accepted on every API
route from any page on 127.0.0.1 (cookies ignore ports: a dyno's published port, a
local dev server), with no Origin check nor CSRF token; apps received the cookie; and
the dashboard could be framed."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.integration.platform_fixture import Server


def logged_in(server: Server) -> tuple[httpx.Client, str]:
    """A browser-like client holding a dashboard session, and the page's CSRF token."""
    link = server.cli("dashboard", "--no-browser").stdout.strip()
    code = link.split("code=")[1]
    client = httpx.Client(base_url=server.api_url, timeout=30)
    client.get(f"/login?code={code}")
    page = client.get("/")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)[1]
    return client, csrf


def test_the_cookie_alone_does_nothing(server: Server):
    client, csrf = logged_in(server)
    origin = server.api_url

    assert client.post("/apps", json={"name": "nope"}).status_code == 401
    evil = {"Origin": "http://127.0.0.1:9", "X-CSRF-Token": csrf}
    assert client.post("/apps", json={"name": "nope"}, headers=evil).status_code == 401
    cross = {"Sec-Fetch-Site": "same-site", "X-CSRF-Token": csrf}
    assert client.post("/apps", json={"name": "nope"}, headers=cross).status_code == 401
    text_plain = client.post(
        "/apps", content=b'{"name": "nope"}', headers={"Content-Type": "text/plain", "Origin": origin}
    )
    assert text_plain.status_code == 401
    own = {"Origin": origin, "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": csrf}
    assert client.post("/apps", json={"name": "mine"}, headers=own).status_code == 201
    assert client.get("/apps", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_a_foreign_page_cannot_open_a_dyno_terminal(server: Server, tmp_path: Path):
    server.cli("apps:create", "shell")
    server.push(server.app_source(tmp_path, "shell"))
    client, csrf = logged_in(server)
    cookie = f"minidyno_session={client.cookies['minidyno_session']}"
    url = f"ws://127.0.0.1:{server.api_port}/apps/shell/tty?command=bash"
    with pytest.raises(InvalidStatus):
        connect(
            url,
            additional_headers={"Cookie": cookie},
            origin="http://127.0.0.1:9",
            subprotocols=[f"csrf.{csrf}"],
        ).close()
    with pytest.raises(InvalidStatus):
        connect(url, additional_headers={"Cookie": cookie}, origin=server.api_url).close()


def test_apps_never_see_the_dashboard_cookie_and_pages_refuse_frames(server: Server, tmp_path: Path):
    server.cli("apps:create", "cookies")
    server.push(server.app_source(tmp_path, "cookies"))
    headers = server.router_get(
        "cookies", "/headers", headers={"Cookie": "a=1; minidyno_session=secret; b=2"}
    ).json()
    assert "secret" not in headers.get("Cookie", "") and "a=1" in headers["Cookie"]
    assert "b=2" in headers["Cookie"]
    only = server.router_get("cookies", "/headers", headers={"Cookie": "minidyno_session=secret"}).json()
    assert "secret" not in str(only)

    for path in ("/login", "/"):
        page = httpx.get(f"{server.api_url}{path}", follow_redirects=True)
        assert page.headers["content-security-policy"] == "frame-ancestors 'none'"
