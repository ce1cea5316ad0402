"""One lock per app: pushes, scales, config changes, rollbacks, idling and waking of one
app never interleave, so none is half-applied over another; different apps go on at
once."""

from __future__ import annotations

import threading
from collections import defaultdict


class AppLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, threading.RLock] = defaultdict(threading.RLock)
        self._guard = threading.Lock()

    def of(self, app: str) -> threading.RLock:
        with self._guard:
            return self._locks[app]
