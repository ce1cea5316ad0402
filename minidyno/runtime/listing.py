"""The engine's last listing of dynos, kept until something changes.

Listing a hundred apps' containers costs the engine about 0.3 ms a container, and the
dyno manager, the idler, eco hours, the router and the API each ask for it, on a quiet
class server every couple of seconds. So the listing is kept while the engine's events
(a dyno created, started, dying or removed) and the driver's own changes say nothing
changed, and only while those events are being watched: without them it is never
trusted. Each change counts one; a listing is kept under the count it began at, so a
change during the listing makes it stale at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from minidyno.runtime.driver import Dyno


class KeptListing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes = 0
        self._kept: tuple[int, list[Dyno]] | None = None
        self._watching = False

    def changed(self) -> None:
        with self._lock:
            self._changes += 1

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change the driver makes: counted once it is done, done or not."""
        try:
            yield
        finally:
            self.changed()

    def watching(self, watched: bool) -> None:
        """Whether the engine's events are being read; either way, what happened before
        is unknown."""
        with self._lock:
            self._watching = watched
            self._changes += 1

    def get(self, list_now: Callable[[], list[Dyno]]) -> list[Dyno]:
        with self._lock:
            changes = self._changes
            if self._watching and self._kept and self._kept[0] == changes:
                return list(self._kept[1])
        found = list_now()
        with self._lock:
            self._kept = (changes, found)
        return list(found)

    def fresh(self) -> bool:
        """Whether a listing kept now would be served as it is."""
        with self._lock:
            return self._watching and self._kept is not None and self._kept[0] == self._changes
