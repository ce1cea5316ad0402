import sqlite3

import pytest

from minidyno.state import apps, formation, releases
from minidyno.state.db import Database


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "state.sqlite3")


def test_current_release_is_the_newest_that_succeeded(db):
    with db.connect() as conn:
        apps.create(conn, "demo")
        for _ in range(3):
            releases.create(
                conn, "demo", "Deploy", releases.Slug("i", "trixie", "c", {"web": "x"}), {"A": "1"}
            )
        releases.set_status(conn, "demo", 1, "succeeded")
        releases.set_status(conn, "demo", 2, "succeeded")
        releases.set_status(conn, "demo", 3, "failed")
        assert releases.current(conn, "demo").version == 2
        assert releases.next_version(conn, "demo") == 4
        assert releases.get(conn, "demo", 1).config == {"A": "1"}
        assert releases.get(conn, "demo", 1).slug == releases.Slug("i", "trixie", "c", {"web": "x"})


def test_a_state_file_from_before_per_type_images_gains_the_column(tmp_path):
    """Releases written before heroku.yml builds read back with no per-type images."""
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE apps (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, stack TEXT);"
            "CREATE TABLE releases (app TEXT NOT NULL, version INTEGER NOT NULL,"
            " description TEXT NOT NULL, image TEXT, stack TEXT, commit_sha TEXT,"
            " processes TEXT NOT NULL DEFAULT '{}', config TEXT NOT NULL DEFAULT '{}',"
            " status TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (app, version));"
            "INSERT INTO apps VALUES ('old', 'then', 'trixie');"
            "INSERT INTO releases VALUES ('old', 1, 'Deploy', 'img', 'trixie', 'c',"
            " '{\"web\": \"x\"}', '{}', 'succeeded', 'then');"
        )
    with Database(path).connect() as conn:
        release = releases.current(conn, "old")
    assert release.images == {} and release.image_for("web") == "img"


def test_duplicate_app_is_a_conflict(db):
    with db.connect() as conn:
        apps.create(conn, "demo")
    with pytest.raises(apps.AppExists, match="already exists"), db.connect() as conn:
        apps.create(conn, "demo")


def test_formation_starts_like_heroku_and_keeps_what_was_scaled(db):
    with db.connect() as conn:
        apps.create(conn, "demo")
        assert formation.ensure_types(conn, "demo", ["web", "worker"]) == {"web": 1, "worker": 0}
        conn.execute("UPDATE formation SET quantity = 3 WHERE process_type = 'worker'")
        assert formation.ensure_types(conn, "demo", ["web", "worker", "clock"]) == {
            "web": 1,
            "worker": 3,
            "clock": 0,
        }
        assert formation.ensure_types(conn, "demo", ["worker"]) == {"worker": 3}
