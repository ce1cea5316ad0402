"""Finding 7 (credentials): rotation ran `ALTER ROLE` before it stored the new password,
so a server stopped in between locked everyone out. Now each step is written down
before it is taken. Here the server is stopped at each step (the state it would leave
is made by hand while it is down), and at its next start the app and the platform both
reach the database with one password, the one DATABASE_URL says."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, wait_for

PROBE = """\
import os
import psycopg2
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    with psycopg2.connect(os.environ["DATABASE_URL"], sslmode="require") as conn:
        return "database says hello"
"""


def state(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.home / "state.sqlite3", isolation_level=None)


@pytest.mark.parametrize("stopped_after", ["planned", "altered", "committed"])
def test_rotation_interrupted_at_any_step_finishes_at_start(
    server: Server, tmp_path: Path, docker_engine, stopped_after: str
):
    server.cli("apps:create", "vaulted")
    server.push(
        server.app_source(
            tmp_path,
            "vaulted",
            {"app.py": PROBE, "requirements.txt": "flask==3.1.*\ngunicorn==23.*\npsycopg2-binary==2.9.*\n"},
        )
    )
    server.cli("addons:create", "postgres", "-a", "vaulted")
    before = server.cli("config:get", "DATABASE_URL", "-a", "vaulted").stdout.strip()
    server.stop()

    new = "ab" * 24
    (user,) = state(server).execute("SELECT db_user FROM addons").fetchone()
    state(server).execute("UPDATE addons SET db_password_next = ?", (new,))
    if stopped_after in ("altered", "committed"):
        (database,) = docker_engine.containers.list(
            filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.process=postgres"]}
        )
        code, out = database.exec_run(
            ["psql", "-h", "/tmp", "-U", "postgres", "-c", f"ALTER ROLE \"{user}\" PASSWORD '{new}'"]
        )
        assert code == 0, out
    if stopped_after == "committed":
        state(server).execute("UPDATE addons SET db_password = db_password_next, db_password_next = NULL")

    server.start()

    url = server.cli("config:get", "DATABASE_URL", "-a", "vaulted").stdout.strip()
    assert url != before and f":{new}@" in url
    assert wait_for(lambda: server.router_get("vaulted").text == "database says hello", 30)
    assert re.search(r"^\s+1$", server.cli("pg:psql", "-a", "vaulted", "-c", "SELECT 1").stdout, re.M)
    assert state(server).execute("SELECT db_password_next FROM addons").fetchone() == (None,)
