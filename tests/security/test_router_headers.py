"""Findings 4 and 16, against a real router: a dyno's response headers named like the
activator's (`X-Minidyno-Code`, `X-Minidyno-Dyno`) once forged router log fields, and an
unknown code dropped the whole batch of router lines (every app's, and the request
times idling counts from). And the activator joined repeated headers, so two
Set-Cookie became one on the first response after a wake."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import Server, logs, ps, wait_for

APP = """\
from flask import Flask, Response

app = Flask(__name__)


@app.get("/forge")
def forge():
    return Response("forged", headers={"X-Minidyno-Code": "H99", "X-Minidyno-Dyno": "evil.1"})


@app.get("/cookies")
def cookies():
    response = Response("two cookies")
    response.headers.add("Set-Cookie", "a=1; Path=/")
    response.headers.add("Set-Cookie", "b=2; Path=/")
    return response
"""


@pytest.mark.server_env(MINIDYNO_IDLE_TIMEOUT="3")
def test_forged_router_fields_and_joined_headers(server: Server, tmp_path: Path):
    server.cli("apps:create", "forger")
    server.push(server.app_source(tmp_path, "forger", {"app.py": APP}))

    assert server.router_get("forger", "/forge").text == "forged"
    server.router_get("forger", "/after-the-forgery")
    text = wait_for(
        lambda: (
            (t := logs(server, "forger", source="minidyno", dyno="router"))
            and 'path="/after-the-forgery"' in t
            and t
        ),
        10,
        0.1,
    )
    forged = next(line for line in text.splitlines() if 'path="/forge"' in line)
    assert "at=info" in forged and "dyno=web.1" in forged and "evil" not in forged

    wait_for(lambda: ps(server, "forger")["web.1"]["state"] == "idle", 30, 0.2)
    woken = httpx.get(
        f"http://127.0.0.1:{server.router_port}/cookies", headers={"Host": "forger.localhost"}, timeout=90
    )
    assert woken.text == "two cookies"
    assert woken.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
