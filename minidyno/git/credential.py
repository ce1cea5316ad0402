"""git's credential-helper protocol for `minidyno git:remote`: answer `get` with the
API token, so a push carries it without the user typing it and without it being
written into .git/config.

Standard library only: git runs this on every push, and it must start in milliseconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def token() -> str | None:
    if os.environ.get("MINIDYNO_API_TOKEN"):
        return os.environ["MINIDYNO_API_TOKEN"]
    home = Path(os.environ.get("MINIDYNO_HOME") or Path.home() / ".minidyno").expanduser()
    try:
        return (home / "token").read_text().strip()
    except OSError:
        return None


def main(argv: list[str]) -> int:
    sys.stdin.read()
    found = token()
    if argv[1:] == ["get"] and found:
        print(f"username=minidyno\npassword={found}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
