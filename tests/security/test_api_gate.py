"""Findings 13 and 14 against a real server: bodies were read before the token was
checked (and without a size limit), and the API's schema was public."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.integration.platform_fixture import Server


def test_the_schema_needs_the_token(server: Server):
    assert httpx.get(f"{server.api_url}/openapi.json").status_code == 401
    assert httpx.get(f"{server.api_url}/docs").status_code in (401, 404)
    auth = {"Authorization": f"Bearer {server.token}"}
    assert "/apps" in httpx.get(f"{server.api_url}/openapi.json", headers=auth).json()["paths"]


def test_an_unauthenticated_body_is_refused_before_it_is_read(server: Server):
    """A client that announces 100 MB and sends none of it is answered 401 at once: the
    server does not wait to read the body first."""
    with socket.create_connection(("127.0.0.1", server.api_port), timeout=5) as s:
        s.sendall(
            b"POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\n\r\n{"
        )
        started = time.monotonic()
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 401")
    assert time.monotonic() - started < 4


@pytest.mark.server_env(MINIDYNO_MAX_PUSH_MB="1")
def test_oversized_bodies_get_413_with_what_to_do(server: Server):
    auth = {"Authorization": f"Bearer {server.token}"}
    json_body = httpx.post(
        f"{server.api_url}/apps", headers=auth, content=b'{"name": "' + b"x" * (2 * 2**20) + b'"}'
    )
    assert json_body.status_code == 413
    push = httpx.post(f"{server.api_url}/apps/any/builds", headers=auth, content=b"\0" * (2 * 2**20))
    assert push.status_code == 413 and "MINIDYNO_MAX_PUSH_MB" in push.json()["error"]
    assert httpx.get(f"{server.api_url}/health").status_code == 200
