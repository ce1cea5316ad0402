"""MINIDYNO_HOME holds secrets: the API token, the CA's key, config vars and database
passwords in the state file, backups and logs. It is the owner's alone: the folder is
0700, what the server writes there is 0600 (its umask), and what an older minidyno left
readable is closed when the server starts."""

from __future__ import annotations

import os
from pathlib import Path

#: Nothing the server writes is readable by group or others.
UMASK = 0o077


def make_private(home: Path) -> None:
    """Create the home if needed, close it to other users, and set the process umask so
    everything written afterwards is private from its first byte."""
    os.umask(UMASK)
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    for root, folders, files in os.walk(home):
        for name in (*folders, *files):
            _close(Path(root, name))


def _close(path: Path) -> None:
    """Take group and other permissions away, keeping the owner's (an executable hook
    stays executable); links are not followed."""
    if path.is_symlink():
        return
    current = path.stat().st_mode & 0o777
    if current & 0o077:
        path.chmod(current & 0o700)
