"""Bare repositories, one per app, under MINIDYNO_HOME/repos, and the hooks folder
every push runs with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from minidyno.settings import Settings


def path(settings: Settings, app: str) -> Path:
    return settings.repos_dir / f"{app}.git"


def ensure(settings: Settings, app: str) -> Path:
    repo = path(settings, app)
    if not (repo / "HEAD").exists():
        repo.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "config", "http.receivepack", "true"], check=True)
    return repo


def hooks_path(settings: Settings) -> Path:
    """The hooks folder every push runs with (git's core.hooksPath)."""
    return settings.home / "git-hooks"


def write_hooks(settings: Settings) -> Path:
    """Written at every server start so the hook runs this server's Python, even after
    the virtualenv moved; passed to git as core.hooksPath rather than copied per repo."""
    hooks = hooks_path(settings)
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m minidyno.git.hook \"$@\"\n")
    hook.chmod(0o700)
    return hooks
