"""Finding 6: the state file (config vars, database passwords), backups and logs were
0644 in 0755 folders. The home is now 0700 and everything in it 0600 (or 0700)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from minidyno.home import make_private
from tests.integration.platform_fixture import Server


def test_an_old_home_is_closed_and_new_files_are_private(tmp_path: Path):
    home = tmp_path / "home"
    (home / "backups" / "app").mkdir(parents=True, mode=0o755)
    old = home / "backups" / "app" / "b001.dump"
    old.write_text("dump")
    old.chmod(0o644)
    hook = home / "git-hooks" / "pre-receive"
    hook.parent.mkdir(mode=0o755)
    hook.write_text("#!/bin/sh\n")
    hook.chmod(0o755)
    saved = os.umask(0o022)
    try:
        make_private(home)
        new = home / "new.log"
        new.write_text("x")
    finally:
        os.umask(saved)

    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "backups").stat().st_mode) == 0o700
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert stat.S_IMODE(hook.stat().st_mode) == 0o700
    assert stat.S_IMODE(new.stat().st_mode) == 0o600


def test_a_running_servers_home_has_nothing_for_other_users(server: Server, tmp_path: Path):
    server.cli("apps:create", "private")
    server.cli("config:set", "SECRET=hush", "-a", "private")
    server.push(server.app_source(tmp_path, "private"))
    readable = [
        str(p)
        for p in [server.home, *server.home.rglob("*")]
        if not p.is_symlink() and p.name != "server.log" and stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    assert readable == []
