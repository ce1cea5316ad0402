"""Findings 10 and 11: `pg:psql` put the database password on psql's command line,
where any user of the machine reads it in `ps`; and `apps:destroy` left the app's
backups and build logs behind, so a new app of the same name could restore the old
app's dump."""

from __future__ import annotations

import os
from pathlib import Path

from tests.integration.platform_fixture import Server

FAKE_PSQL = """#!/bin/sh
echo "argv: $*"
echo "password in env: ${PGPASSWORD:+yes} sslmode: $PGSSLMODE"
"""


def test_psql_password_stays_off_the_command_line_and_destroy_leaves_nothing(server: Server, tmp_path: Path):
    server.cli("apps:create", "vault")
    server.push(server.app_source(tmp_path, "vault"))
    server.cli("addons:create", "postgres", "-a", "vault")
    url = server.cli("config:get", "DATABASE_URL", "-a", "vault").stdout.strip()
    password = url.split(":")[2].split("@")[0]

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "psql").write_text(FAKE_PSQL)
    (bin_dir / "psql").chmod(0o755)
    server.env["PATH"] = f"{bin_dir}:{os.environ['PATH']}"
    shown = server.cli("pg:psql", "-a", "vault", "-c", "SELECT 1").stdout
    assert "password in env: yes sslmode: require" in shown
    assert password not in shown and "-h 127.0.0.1" in shown

    server.cli("pg:backups:capture", "-a", "vault")
    server.cli("apps:destroy", "vault", "--confirm", "vault")
    assert not (server.home / "backups" / "vault").exists()
    assert not (server.home / "builds" / "vault").exists()
    server.cli("apps:create", "vault")
    assert "b001" not in server.cli("pg:backups", "-a", "vault", check=False).stdout
