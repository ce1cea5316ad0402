"""Finding 5, against a real PostgreSQL: `pg_restore --clean` without one transaction
dropped a table of 15,001 rows and could not create it again (past the hobby-dev row
limit the role may not CREATE); and two captures at once could pick the same number."""

from __future__ import annotations

import concurrent.futures
import re
from pathlib import Path

import httpx
import pytest

from tests.integration.platform_fixture import Server, wait_for


def psql(server: Server, app: str, sql: str, check: bool = True) -> str:
    return server.cli("pg:psql", "-a", app, "-c", sql, check=check).stdout


@pytest.mark.server_env(MINIDYNO_ROW_CHECK_INTERVAL="1")
def test_a_restore_that_cannot_finish_changes_nothing(server: Server, tmp_path: Path):
    server.cli("apps:create", "ledger")
    server.push(server.app_source(tmp_path, "ledger"))
    server.cli("addons:create", "postgres", "-a", "ledger")
    psql(server, "ledger", "CREATE TABLE items AS SELECT g AS id FROM generate_series(1, 15001) g")
    assert "b001" in server.cli("pg:backups:capture", "-a", "ledger").stdout
    # The row limit now takes INSERT and CREATE away.
    assert wait_for(
        lambda: re.search(
            r"^\s+f$", psql(server, "ledger", "SELECT has_schema_privilege('public', 'CREATE')"), re.M
        ),
        30,
        0.5,
    )

    restore = server.cli("pg:backups:restore", "b001", "-a", "ledger", "--confirm", "ledger", check=False)

    assert restore.returncode != 0 and "nothing was changed" in restore.stderr
    assert re.search(r"^\s+15001$", psql(server, "ledger", "SELECT count(*) FROM items"), re.M)


def test_two_captures_at_once_get_two_numbers(server: Server, tmp_path: Path):
    server.cli("apps:create", "twins")
    server.push(server.app_source(tmp_path, "twins"))
    server.cli("addons:create", "postgres", "-a", "twins")
    url = f"{server.api_url}/apps/twins/addons/DATABASE/backups"
    auth = {"Authorization": f"Bearer {server.token}"}

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        made = list(pool.map(lambda _: httpx.post(url, headers=auth, timeout=60).json(), range(2)))

    assert sorted(b["name"] for b in made) == ["b001", "b002"]
    assert not list((server.home / "backups" / "twins").glob("*.partial"))


def test_a_dump_cut_short_by_a_stopped_server_is_not_a_backup(server: Server, tmp_path: Path):
    server.cli("apps:create", "halfway")
    server.push(server.app_source(tmp_path, "halfway"))
    server.cli("addons:create", "postgres", "-a", "halfway")
    server.cli("pg:backups:capture", "-a", "halfway")
    server.process.kill()  # as if killed mid-capture: what it leaves is a .partial file
    server.process.wait()
    (server.home / "backups" / "halfway" / "b002.partial").write_bytes(b"PGDMP half")

    server.start()

    assert not list((server.home / "backups" / "halfway").glob("*.partial"))
    listed = server.cli("pg:backups", "-a", "halfway").stdout
    assert "b001" in listed and "b002" not in listed
    assert "b002" in server.cli("pg:backups:capture", "-a", "halfway").stdout
