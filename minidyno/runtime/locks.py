"""One lock per app: pushes, scales, config changes, rollbacks, idling and waking of one
app never interleave, so none is half-applied over another; different apps go on at
once."""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator


class AppLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, threading.RLock] = defaultdict(threading.RLock)
        self._guard = threading.Lock()

    def of(self, app: str) -> threading.RLock:
        with self._guard:
            return self._locks[app]

    @contextlib.contextmanager
    def if_free(self, app: str) -> Iterator[bool]:
        """The app's lock if no one holds it, else nothing: for the background loops
        (reconcile, idling, eco hours), which must not wait on a deploy and see to a busy
        app on their next pass. Yields whether the lock is held."""
        lock = self.of(app)
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()
