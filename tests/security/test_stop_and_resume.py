"""Finding 18: nothing stopped the platform (`minidyno server` leaves nginx and the
dynos serving on purpose). `minidyno server:stop` stops the server, every dyno and
database and the router, keeping all state; `minidyno server` brings back exactly what
ran: a sleeping app stays asleep, the database keeps its rows."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import Server, ps, wait_for


@pytest.mark.server_env(MINIDYNO_IDLE_TIMEOUT="3", MINIDYNO_STOP_TIMEOUT="5")
def test_stop_everything_then_resume_as_it_was(server: Server, tmp_path: Path, docker_engine):
    server.cli("apps:create", "kept")
    server.push(server.app_source(tmp_path, "kept"))
    server.cli("ps:type", "basic", "-a", "kept")
    server.cli("addons:create", "postgres", "-a", "kept")
    server.cli("pg:psql", "-a", "kept", "-c", "CREATE TABLE t AS SELECT 1 AS one")
    server.cli("apps:create", "sleeper")
    server.push(server.app_source(tmp_path, "sleeper"))
    assert wait_for(lambda: ps(server, "sleeper")["web.1"]["state"] == "idle", 30, 0.2)

    stopped = server.cli("server:stop").stdout
    assert "1 databases, 1 dynos" in stopped and "all state is kept" in stopped
    server.process.wait(10)
    scope = {"label": [f"minidyno.home={server.home.resolve()}"]}
    assert docker_engine.containers.list(filters=scope, ignore_removed=True) == []
    with pytest.raises(httpx.TransportError):
        server.router_get("kept", timeout=3)

    server.start()
    assert wait_for(lambda: server.router_get("kept").status_code == 200, 30, 0.2)
    assert ps(server, "sleeper")["web.1"]["state"] == "idle"
    assert re.search(r"^\s+1$", server.cli("pg:psql", "-a", "kept", "-c", "SELECT one FROM t").stdout, re.M)
