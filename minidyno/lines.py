"""Turn a stream of byte chunks into text lines as they complete, for every place that
relays a container's output line by line (builds, release phase, log followers)."""

from __future__ import annotations

from collections.abc import Callable


class LineSplitter:
    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._pending = b""

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        *complete, self._pending = self._pending.split(b"\n")
        for raw in complete:
            self._emit(raw.decode("utf-8", errors="replace").rstrip("\r"))

    def close(self) -> None:
        """Emit what is left after the last newline, if anything."""
        if self._pending:
            self._emit(self._pending.decode("utf-8", errors="replace").rstrip("\r"))
            self._pending = b""
